/**
 * ControllerCore: the controller's pure decision core, one facade over the managers in this
 * folder (Kafka's QuorumController without its event loop and log).
 *
 * Contract with the shell:
 * - Every operation takes the latest MetadataImage: the committed image with every record the
 *   core has already returned (and the shell appended) replayed on top, as Kafka's controller
 *   decides on its uncommitted in-memory state. Passing only the committed image is correct
 *   too if the shell runs one operation at a time and waits for each commit.
 * - Operations return { records, response, summary } or throw an ApiError. A thrown ApiError
 *   changes nothing (neither records nor the core's soft state). Batch operations
 *   (createTopics, deleteTopics, electLeaders) report per-entry errors in the response instead.
 * - The records apply cleanly with MetadataDelta to the given image; the core checks this on
 *   every result unless `verifyRecords: false`.
 * - Broker-driven moves are bounded (`maxPartitionChangesPerOperation`); a result with
 *   `movesPending` asks the shell to call `fenceExpiredBrokers` again, repeating until none.
 * - The soft state is broker liveness (BrokerHeartbeatManager) and where the bounded moves off
 *   leaving brokers resume (MoveScanState, an optimization only). Call `activate` when this
 *   controller becomes the Raft leader and `deactivate` when it stops being one.
 * - No clocks (`nowMs` is passed in), no I/O, no randomness but the injected `rng`.
 */
import type { AclBinding, AclBindingFilter, AclEntry, MetadataImage } from '@sluice/metadata';
import {
  alterConfigs,
  type AlterConfigsResponse,
  type ConfigChange,
  type ConfigResourceRef,
} from './configuration-control';
import { createAcls, deleteAcls, describeAcls, type CreateAclsResponse, type DeleteAclsResponse } from './acl-control';
import { alterPartition, type AlterPartitionRequest, type AlterPartitionResponse } from './alter-partition';
import { assert } from './assert';
import { bootstrapRecords, type BootstrapResponse } from './bootstrap';
import { BrokerHeartbeatManager } from './broker-heartbeats';
import { newMoveScanState, type MoveScanState } from './broker-partitions';
import {
  brokerHeartbeat,
  controlledShutdown,
  fenceExpiredBrokers,
  registerBroker,
  type BrokerHeartbeatRequest,
  type BrokerHeartbeatResponse,
  type ControlledShutdownRequest,
  type ControlledShutdownResponse,
  type FenceExpiredResponse,
  type RegisterBrokerRequest,
  type RegisterBrokerResponse,
} from './cluster-control';
import type { CoreContext, CoreSettings } from './context';
import { createPartitions, type CreatePartitionsRequest, type CreatePartitionsResponse } from './create-partitions';
import {
  createTopics,
  type CreatableTopic,
  type CreateTopicsOptions,
  type CreateTopicsResponse,
} from './create-topics';
import { deleteTopics, type DeleteTopicsRequest, type DeleteTopicsResponse } from './delete-topics';
import { describeCluster, describeTopics, type ClusterDescription, type TopicDescription } from './describe';
import { electLeaders, type ElectLeadersRequest, type ElectLeadersResponse } from './elect-leaders';
import { elrClearingRecords } from './eligible-leaders';
import { checkRecordsApply } from './invariants';
import {
  DEFAULT_BROKER_SESSION_TIMEOUT_MS,
  DEFAULT_MAX_PARTITION_CHANGES_PER_OPERATION,
  DEFAULT_MIN_INSYNC_REPLICAS,
  DEFAULT_NUM_PARTITIONS,
  DEFAULT_REPLICATION_FACTOR,
  MAX_RECORDS_PER_USER_OP,
} from './limits';
import {
  alterPartitionReassignments,
  listPartitionReassignments,
  type AlterPartitionReassignmentsResponse,
  type OngoingReassignment,
  type PartitionReassignmentRequest,
} from './partition-reassignment';
import { allocateProducerIds, type AllocateProducerIdsRequest, type AllocateProducerIdsResponse } from './producer-ids';
import type { ControllerResult } from './result';
import type { Rng } from './rng';

export interface ControllerCoreOptions {
  readonly clusterId: string;
  readonly rng: Rng;
  /** broker.session.timeout.ms; default 9000. */
  readonly brokerSessionTimeoutMs?: number;
  /** Static unclean.leader.election.enable; default false. */
  readonly uncleanLeaderElectionEnable?: boolean;
  /** num.partitions; default 1. */
  readonly defaultNumPartitions?: number;
  /** default.replication.factor; default 1. */
  readonly defaultReplicationFactor?: number;
  /**
   * Replay every result onto its image before returning it; default true. A test-time check:
   * the shell replays the records anyway and turns a failure into an error, so production
   * turns it off (at 100k partitions it doubled the cost of a fence).
   */
  readonly verifyRecords?: boolean;
  /** PartitionChange records per fence / re-registration / controlled-shutdown step; default 2000. */
  readonly maxPartitionChangesPerOperation?: number;
  /** Static min.insync.replicas (eligible leader replicas, KIP-966); default 1. */
  readonly minInsyncReplicas?: number;
}

export class ControllerCore {
  readonly settings: CoreSettings;
  readonly heartbeats: BrokerHeartbeatManager;
  private readonly rng: Rng;
  private readonly verifyRecords: boolean;
  /** Where moves off fenced or shutting-down brokers resume (soft state, see movesOffBrokers). */
  private moveScan: MoveScanState = newMoveScanState();

  constructor(options: ControllerCoreOptions) {
    assert(options.clusterId.length > 0, 'clusterId must not be empty');
    this.settings = Object.freeze({
      clusterId: options.clusterId,
      uncleanLeaderElectionEnable: options.uncleanLeaderElectionEnable ?? false,
      defaultNumPartitions: options.defaultNumPartitions ?? DEFAULT_NUM_PARTITIONS,
      defaultReplicationFactor: options.defaultReplicationFactor ?? DEFAULT_REPLICATION_FACTOR,
      maxPartitionChangesPerOperation:
        options.maxPartitionChangesPerOperation ?? DEFAULT_MAX_PARTITION_CHANGES_PER_OPERATION,
      minInsyncReplicas: options.minInsyncReplicas ?? DEFAULT_MIN_INSYNC_REPLICAS,
    });
    const minInsync = this.settings.minInsyncReplicas;
    assert(
      Number.isSafeInteger(minInsync) && minInsync >= 1,
      `minInsyncReplicas ${minInsync} must be a positive integer`,
    );
    const chunk = this.settings.maxPartitionChangesPerOperation;
    assert(
      Number.isSafeInteger(chunk) && chunk >= 1,
      `maxPartitionChangesPerOperation ${chunk} must be a positive integer`,
    );
    this.heartbeats = new BrokerHeartbeatManager(options.brokerSessionTimeoutMs ?? DEFAULT_BROKER_SESSION_TIMEOUT_MS);
    this.rng = options.rng;
    this.verifyRecords = options.verifyRecords ?? true;
  }

  private ctx(image: MetadataImage): CoreContext {
    return { image, heartbeats: this.heartbeats, moveScan: this.moveScan, settings: this.settings, rng: this.rng };
  }

  private checked<R>(image: MetadataImage, result: ControllerResult<R>): ControllerResult<R> {
    if (this.verifyRecords && result.records.length > 0) checkRecordsApply(image, result.records);
    return result;
  }

  /** This controller became the Raft leader: every registered broker gets a fresh lease from `nowMs`. */
  activate(image: MetadataImage, nowMs: number): void {
    this.heartbeats.clear();
    this.heartbeats.sync(image, nowMs);
    this.moveScan = newMoveScanState();
  }

  /** This controller stopped leading: forget soft state, the next leader rebuilds its own. */
  deactivate(): void {
    this.heartbeats.clear();
    this.moveScan = newMoveScanState();
  }

  bootstrapRecords(
    image: MetadataImage,
    clusterConfigs: readonly ConfigChange[] = [],
  ): ControllerResult<BootstrapResponse> {
    return this.checked(image, bootstrapRecords(image, this.settings.clusterId, clusterConfigs));
  }

  registerBroker(
    image: MetadataImage,
    request: RegisterBrokerRequest,
    nowMs: number,
  ): ControllerResult<RegisterBrokerResponse> {
    return this.checked(image, registerBroker(this.ctx(image), request, nowMs));
  }

  brokerHeartbeat(
    image: MetadataImage,
    request: BrokerHeartbeatRequest,
    nowMs: number,
  ): ControllerResult<BrokerHeartbeatResponse> {
    return this.checked(image, brokerHeartbeat(this.ctx(image), request, nowMs));
  }

  /**
   * Fences brokers whose lease expired and moves the next chunk of partitions off every fenced
   * or shutting-down broker; `movesPending` in the result: call again for the next chunk.
   */
  fenceExpiredBrokers(image: MetadataImage, nowMs: number): ControllerResult<FenceExpiredResponse> {
    return this.checked(image, fenceExpiredBrokers(this.ctx(image), nowMs));
  }

  controlledShutdown(
    image: MetadataImage,
    request: ControlledShutdownRequest,
    nowMs: number,
  ): ControllerResult<ControlledShutdownResponse> {
    return this.checked(image, controlledShutdown(this.ctx(image), request, nowMs));
  }

  alterPartition(image: MetadataImage, request: AlterPartitionRequest): ControllerResult<AlterPartitionResponse> {
    return this.checked(image, alterPartition(this.ctx(image), request));
  }

  allocateProducerIds(
    image: MetadataImage,
    request: AllocateProducerIdsRequest,
  ): ControllerResult<AllocateProducerIdsResponse> {
    return this.checked(image, allocateProducerIds(this.ctx(image), request));
  }

  createTopics(
    image: MetadataImage,
    topics: readonly CreatableTopic[],
    options: CreateTopicsOptions = {},
  ): ControllerResult<CreateTopicsResponse> {
    return this.checked(image, createTopics(this.ctx(image), topics, options));
  }

  deleteTopics(image: MetadataImage, request: DeleteTopicsRequest): ControllerResult<DeleteTopicsResponse> {
    return this.checked(image, deleteTopics(this.ctx(image), request));
  }

  createPartitions(image: MetadataImage, request: CreatePartitionsRequest): ControllerResult<CreatePartitionsResponse> {
    return this.checked(image, createPartitions(this.ctx(image), request));
  }

  alterConfigs(
    image: MetadataImage,
    resource: ConfigResourceRef,
    changes: readonly ConfigChange[],
    options: { readonly validateOnly?: boolean } = {},
  ): ControllerResult<AlterConfigsResponse> {
    const result = alterConfigs(image, resource, changes, options.validateOnly ?? false);
    if (!result.response.changes.some((change) => change.name === 'min.insync.replicas') || result.records.length === 0)
      return this.checked(image, result);
    const cleared = elrClearingRecords(image, resource, MAX_RECORDS_PER_USER_OP - result.records.length);
    return this.checked(image, {
      ...result,
      records: [...result.records, ...cleared],
      summary:
        cleared.length === 0
          ? result.summary
          : `${result.summary}; eligible leader replicas cleared on ${cleared.length} partitions`,
    });
  }

  electLeaders(image: MetadataImage, request: ElectLeadersRequest): ControllerResult<ElectLeadersResponse> {
    return this.checked(image, electLeaders(this.ctx(image), request));
  }

  /** Starts, replaces or cancels (null target) reassignments; per-partition errors in the response. */
  alterPartitionReassignments(
    image: MetadataImage,
    requests: readonly PartitionReassignmentRequest[],
  ): ControllerResult<AlterPartitionReassignmentsResponse> {
    return this.checked(image, alterPartitionReassignments(this.ctx(image), requests));
  }

  listPartitionReassignments(
    image: MetadataImage,
    partitions?: readonly { readonly topic: string; readonly partitionId: number }[],
  ): OngoingReassignment[] {
    return listPartitionReassignments({ image }, partitions);
  }

  createAcls(image: MetadataImage, bindings: readonly AclBinding[]): ControllerResult<CreateAclsResponse> {
    return this.checked(image, createAcls(this.ctx(image), bindings));
  }

  deleteAcls(image: MetadataImage, filters: readonly AclBindingFilter[]): ControllerResult<DeleteAclsResponse> {
    return this.checked(image, deleteAcls(this.ctx(image), filters));
  }

  describeAcls(image: MetadataImage, filter: AclBindingFilter): AclEntry[] {
    return describeAcls(image, filter);
  }

  describeCluster(image: MetadataImage): ClusterDescription {
    return describeCluster(image, this.settings.clusterId);
  }

  describeTopics(image: MetadataImage, names?: readonly string[]): TopicDescription[] {
    return describeTopics(image, names);
  }
}
