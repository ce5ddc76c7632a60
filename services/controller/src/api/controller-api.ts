/**
 * The Controller RPCs as application calls: proto-shaped request in, proto-shaped response out.
 * Writes go through the single event queue and the pure core (decided against the latest
 * image); reads are served from this node's applied image. Every write leaves one audit line.
 */
import { ApiError } from '@sluice/protocol';
import { untimedRequest, type RequestPhases } from '@sluice/runtime';
import type { ConfigResourceType, MetadataImage, MetadataRecord } from '@sluice/metadata';
import type { ControllerCore, ControllerResult } from '../core';
import type { AuditTrail, Caller } from '../audit/audit-trail';
import type { ControllerQueue, Decision } from '../quorum/controller-queue';
import type { QuorumPort } from '../quorum/quorum-port';
import type { MetadataStateMachine } from '../state/metadata-state-machine';
import { bindingFromWire, bindingToWire, filterFromWire } from './acl-wire';
import { describeBrokers, describeTopics } from './describe';
import type * as pb from '@sluice/proto';

export interface ControllerApiDeps {
  readonly queue: ControllerQueue;
  readonly quorum: QuorumPort;
  readonly stateMachine: MetadataStateMachine;
  readonly core: ControllerCore;
  readonly audit: AuditTrail;
  readonly clock: () => number;
  /** Controller node id -> host:port, from controller.quorum.voters. */
  readonly voters: ReadonlyMap<number, string>;
  /** Called once per write with its result name ('OK' or a Kafka error name) and duration. */
  readonly onWrite?: (operation: string, result: string, durationMs: number) => void;
  /** Called with the records of every write this node committed. */
  readonly onCommitted?: (records: readonly MetadataRecord[]) => void;
  /**
   * Called after a write whose core result moved only a chunk of the partitions off fenced or
   * shutting-down brokers (`movesPending`): the lease timer should run `fenceExpiredBrokers` again soon.
   */
  readonly onMovesPending?: () => void;
}

/** The text of an ApiError without the `NAME: ` prefix ApiError puts in `message`. */
export function errorText(error: ApiError): string {
  const prefix = `${error.errorName}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

function itemError(error: ApiError | undefined): Required<pb.ItemError> {
  return error === undefined
    ? { errorName: '', errorMessage: '' }
    : { errorName: error.errorName, errorMessage: errorText(error) };
}

/** int64 fields arrive as decimal strings; refuse anything that is not a safe integer. */
export function int64(value: string | number | undefined, field: string): number {
  const number = typeof value === 'number' ? value : Number(value ?? 0);
  if (!Number.isSafeInteger(number))
    throw new ApiError('INVALID_REQUEST', `${field} ${String(value)} is not a safe integer`);
  return number;
}

function countByType(records: readonly MetadataRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) counts[record.type] = (counts[record.type] ?? 0) + 1;
  return counts;
}

/** Who called (audit), and the request's phase clock when it is an RPC (remote while the quorum commits). */
export type ApiCaller = Caller & { readonly phases?: RequestPhases };

export class ControllerApi {
  constructor(private readonly deps: ControllerApiDeps) {}

  /**
   * Runs one core decision through the queue and audits it (who, what, what changed, result).
   * `auditAlways: false` skips the audit line for decisions that changed nothing (heartbeats).
   */
  private async write<R>(
    caller: ApiCaller,
    operation: string,
    request: unknown,
    decide: (core: ControllerCore, image: MetadataImage, nowMs: number) => ControllerResult<R>,
    auditAlways = true,
  ): Promise<R> {
    const started = this.deps.clock();
    let records: readonly MetadataRecord[] = [];
    let movesPending = false;
    try {
      const outcome = await this.deps.queue.write((image, nowMs): Decision<R> => {
        const result = decide(this.deps.core, image, nowMs);
        records = result.records;
        movesPending = result.movesPending === true;
        return result;
      }, caller.phases ?? untimedRequest);
      this.deps.onWrite?.(operation, 'OK', this.deps.clock() - started);
      if (outcome.recordCount > 0) this.deps.onCommitted?.(records);
      if (movesPending) this.deps.onMovesPending?.();
      if (auditAlways || outcome.recordCount > 0) {
        this.deps.audit.record({
          principal: caller.principal,
          host: caller.host,
          ...(caller.traceId === undefined ? {} : { traceId: caller.traceId }),
          operation,
          request,
          changed: { summary: outcome.summary, records: countByType(records) },
          result: 'OK',
          ...(outcome.offset === undefined ? {} : { offset: outcome.offset }),
          durationMs: this.deps.clock() - started,
        });
      }
      return outcome.response;
    } catch (error) {
      const apiError = error instanceof ApiError ? error : undefined;
      this.deps.onWrite?.(operation, apiError?.errorName ?? 'UNKNOWN_SERVER_ERROR', this.deps.clock() - started);
      // Follower redirects are not decisions; do not fill the audit log with them.
      if (apiError?.errorName !== 'NOT_CONTROLLER' && (auditAlways || apiError === undefined)) {
        this.deps.audit.record({
          principal: caller.principal,
          host: caller.host,
          ...(caller.traceId === undefined ? {} : { traceId: caller.traceId }),
          operation,
          request,
          result: apiError?.errorName ?? 'UNKNOWN_SERVER_ERROR',
          errorMessage: apiError !== undefined ? errorText(apiError) : String(error),
          durationMs: this.deps.clock() - started,
        });
      }
      throw error;
    }
  }

  // ------------------------------------------------------------------ brokers

  async registerBroker(
    request: pb.RegisterBrokerRequest__Output,
    caller: ApiCaller,
  ): Promise<pb.RegisterBrokerResponse> {
    const response = await this.write(
      caller,
      'RegisterBroker',
      { brokerId: request.brokerId, incarnationId: request.incarnationId },
      (core, image, nowMs) =>
        core.registerBroker(
          image,
          {
            brokerId: request.brokerId,
            clusterId: request.clusterId,
            incarnationId: request.incarnationId,
            listeners: (request.listeners ?? []).map((listener) => ({
              name: listener.name,
              host: listener.host,
              port: listener.port,
            })),
            rack: request.rack === '' ? null : request.rack,
            // Not reported (an older broker): never counted as a lost directory.
            ...((request.logDirs ?? []).length === 0 ? {} : { logDirs: [...request.logDirs] }),
          },
          nowMs,
        ),
    );
    return { brokerEpoch: String(response.brokerEpoch) };
  }

  async brokerHeartbeat(
    request: pb.BrokerHeartbeatRequest__Output,
    caller: ApiCaller,
  ): Promise<pb.BrokerHeartbeatResponse> {
    const brokerEpoch = int64(request.brokerEpoch, 'brokerEpoch');
    const currentMetadataOffset = int64(request.currentMetadataOffset, 'currentMetadataOffset');
    const response = await this.write(
      caller,
      'BrokerHeartbeat',
      {
        brokerId: request.brokerId,
        brokerEpoch,
        wantFence: request.wantFence,
        wantShutDown: request.wantShutdown,
        offlineLogDirs: request.offlineLogDirs ?? [],
      },
      (core, image, nowMs) =>
        core.brokerHeartbeat(
          image,
          {
            brokerId: request.brokerId,
            brokerEpoch,
            currentMetadataOffset,
            wantFence: request.wantFence,
            wantShutDown: request.wantShutdown,
            offlineLogDirs: request.offlineLogDirs ?? [],
          },
          nowMs,
        ),
      false,
    );
    return { isFenced: response.isFenced, shouldShutDown: response.shouldShutDown, isCaughtUp: response.isCaughtUp };
  }

  async controlledShutdown(
    request: pb.ControlledShutdownRequest__Output,
    caller: ApiCaller,
  ): Promise<pb.ControlledShutdownResponse> {
    const brokerEpoch = int64(request.brokerEpoch, 'brokerEpoch');
    await this.write(caller, 'ControlledShutdown', { brokerId: request.brokerId, brokerEpoch }, (core, image, nowMs) =>
      core.controlledShutdown(image, { brokerId: request.brokerId, brokerEpoch }, nowMs),
    );
    // What the broker still leads once the shutdown records applied (Kafka's remaining partitions).
    const image = this.deps.stateMachine.image;
    const remaining: pb.TopicPartitions[] = [];
    for (const topic of image.topics.sortedTopics()) {
      const partitions: number[] = [];
      for (let id = 0; id < topic.partitionCount; id++) if (topic.leader(id) === request.brokerId) partitions.push(id);
      if (partitions.length > 0) remaining.push({ topic: topic.name, partitions });
    }
    return { remainingPartitions: remaining };
  }

  async alterPartition(
    request: pb.AlterPartitionRequest__Output,
    caller: ApiCaller,
  ): Promise<pb.AlterPartitionResponse> {
    const brokerEpoch = int64(request.brokerEpoch, 'brokerEpoch');
    const topics: pb.AlterPartitionResponse['topics'] = [];
    // One decision per partition: each is fenced by its own partition epoch, and a stale one
    // must not hold up the others (Kafka answers per partition too).
    for (const topic of request.topics ?? []) {
      const partitions: pb.AlterPartitionItemResult[] = [];
      for (const item of topic.partitions ?? []) {
        try {
          const response = await this.write(
            caller,
            'AlterPartition',
            { brokerId: request.brokerId, topicId: topic.topicId, partition: item.partition, newIsr: item.newIsr },
            (core, image) =>
              core.alterPartition(image, {
                brokerId: request.brokerId,
                brokerEpoch,
                topicId: topic.topicId,
                partitionId: item.partition,
                leaderEpoch: item.leaderEpoch,
                partitionEpoch: item.partitionEpoch,
                newIsr: item.newIsr ?? [],
              }),
          );
          partitions.push({
            partition: item.partition,
            ...itemError(undefined),
            leader: response.leader,
            leaderEpoch: response.leaderEpoch,
            isr: [...response.isr],
            partitionEpoch: response.partitionEpoch,
          });
        } catch (error) {
          if (
            !(error instanceof ApiError) ||
            error.errorName === 'NOT_CONTROLLER' ||
            error.errorName === 'STALE_BROKER_EPOCH'
          )
            throw error;
          partitions.push({
            partition: item.partition,
            ...itemError(error),
            leader: -1,
            leaderEpoch: -1,
            isr: [],
            partitionEpoch: -1,
          });
        }
      }
      topics.push({ topicId: topic.topicId, partitions });
    }
    return { topics };
  }

  async allocateProducerIds(
    request: pb.AllocateProducerIdsRequest__Output,
    caller: ApiCaller,
  ): Promise<pb.AllocateProducerIdsResponse> {
    const brokerEpoch = int64(request.brokerEpoch, 'brokerEpoch');
    const response = await this.write(caller, 'AllocateProducerIds', { brokerId: request.brokerId }, (core, image) =>
      core.allocateProducerIds(image, { brokerId: request.brokerId, brokerEpoch }),
    );
    return { producerIdStart: String(response.producerIdStart), producerIdLen: response.producerIdLen };
  }

  /** Writes the bootstrap records (metadata.version) when the log is still empty; no-op otherwise. */
  async bootstrapIfEmpty(): Promise<void> {
    await this.write(
      { principal: 'controller:bootstrap', host: 'local' },
      'Bootstrap',
      undefined,
      (core, image) =>
        image.isEmpty
          ? core.bootstrapRecords(image)
          : { records: [], response: undefined, summary: 'already bootstrapped' },
      false,
    );
  }

  /**
   * The lease timer's call (leader only): fences expired brokers and moves the next chunk of
   * partitions off fenced or shutting-down brokers. `movesPending`: call again for the next
   * chunk; `nextExpiryMs`: the earliest lease expiry, if any. `onDecided` hears `movesPending`
   * as soon as the chunk is decided and proposed, before it commits.
   */
  async fenceExpiredBrokers(
    onDecided?: (movesPending: boolean) => void,
  ): Promise<{ readonly nextExpiryMs: number | null; readonly movesPending: boolean }> {
    const response = await this.write(
      { principal: 'controller:lease-timer', host: 'local' },
      'FenceExpiredBrokers',
      undefined,
      (core, image, nowMs) => {
        const result = core.fenceExpiredBrokers(image, nowMs);
        // Decided on the latest image, in-flight chunks included: the next chunk may be decided
        // before this one commits (the caller pipelines them).
        onDecided?.(result.response.movesPending);
        return result;
      },
      false,
    );
    return { nextExpiryMs: response.nextExpiryMs, movesPending: response.movesPending };
  }

  // ------------------------------------------------------------------ admin

  async createTopics(request: pb.CreateTopicsRequest__Output, caller: ApiCaller): Promise<pb.CreateTopicsResponse> {
    const topics = (request.topics ?? []).map((topic) => ({
      name: topic.name,
      numPartitions: topic.numPartitions === 0 ? -1 : topic.numPartitions,
      replicationFactor: topic.replicationFactor === 0 ? -1 : topic.replicationFactor,
      ...(topic.assignments !== undefined && topic.assignments.length > 0
        ? { assignments: assignmentLists(topic.assignments, topic.name) }
        : {}),
      configs: topic.configs ?? {},
      ...(topic.topicId !== undefined && topic.topicId !== '' ? { topicId: topic.topicId } : {}),
    }));
    const response = await this.write(
      caller,
      'CreateTopics',
      {
        topics: topics.map((t) => ({
          name: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
        })),
        validateOnly: request.validateOnly,
      },
      (core, image) => core.createTopics(image, topics, { validateOnly: request.validateOnly }),
    );
    return {
      topics: response.topics.map((topic) => ({
        name: topic.name,
        topicId: topic.topicId ?? '',
        ...itemError(topic.error),
        numPartitions: topic.numPartitions ?? -1,
        replicationFactor: topic.replicationFactor ?? -1,
      })),
    };
  }

  async deleteTopics(request: pb.DeleteTopicsRequest__Output, caller: ApiCaller): Promise<pb.DeleteTopicsResponse> {
    const response = await this.write(caller, 'DeleteTopics', { names: request.names }, (core, image) =>
      core.deleteTopics(image, { names: request.names ?? [] }),
    );
    return {
      topics: response.topics.map((topic) => ({
        name: topic.name ?? '',
        topicId: topic.topicId ?? '',
        ...itemError(topic.error),
      })),
    };
  }

  async createPartitions(
    request: pb.CreatePartitionsRequest__Output,
    caller: ApiCaller,
  ): Promise<pb.CreatePartitionsResponse> {
    const topics: pb.CreatePartitionsResponse['topics'] = [];
    for (const topic of request.topics ?? []) {
      try {
        await this.write(
          caller,
          'CreatePartitions',
          { topic: topic.name, count: topic.count, validateOnly: request.validateOnly },
          (core, image) =>
            core.createPartitions(image, {
              topic: topic.name,
              count: topic.count,
              ...(topic.assignments !== undefined && topic.assignments.length > 0
                ? {
                    assignments: [...topic.assignments]
                      .sort((a, b) => a.partition - b.partition)
                      .map((a) => [...(a.brokerIds ?? [])]),
                  }
                : {}),
              validateOnly: request.validateOnly,
            }),
        );
        topics.push({ name: topic.name, ...itemError(undefined) });
      } catch (error) {
        if (!(error instanceof ApiError) || error.errorName === 'NOT_CONTROLLER') throw error;
        topics.push({ name: topic.name, ...itemError(error) });
      }
    }
    return { topics };
  }

  async alterConfigs(request: pb.AlterConfigsRequest__Output, caller: ApiCaller): Promise<pb.AlterConfigsResponse> {
    const resources: pb.AlterConfigsResponse['resources'] = [];
    for (const resource of request.resources ?? []) {
      try {
        const type = resourceType(resource.resourceType);
        const changes = (resource.configs ?? []).map((config) => {
          const op = config.operation.toLowerCase();
          if (op !== 'set' && op !== 'delete' && op !== 'append' && op !== 'subtract') {
            throw new ApiError(
              'INVALID_REQUEST',
              `config operation ${JSON.stringify(config.operation)} is not SET, DELETE, APPEND or SUBTRACT`,
            );
          }
          return { name: config.name, op, value: op === 'delete' ? null : config.value } as const;
        });
        await this.write(
          caller,
          'AlterConfigs',
          { resourceType: type, resourceName: resource.resourceName, changes: changes.map((c) => `${c.op} ${c.name}`) },
          (core, image) =>
            core.alterConfigs(image, { type, name: resource.resourceName }, changes, {
              validateOnly: request.validateOnly,
            }),
        );
        resources.push({
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          ...itemError(undefined),
        });
      } catch (error) {
        if (!(error instanceof ApiError) || error.errorName === 'NOT_CONTROLLER') throw error;
        resources.push({
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          ...itemError(error),
        });
      }
    }
    return { resources };
  }

  async electLeaders(request: pb.ElectLeadersRequest__Output, caller: ApiCaller): Promise<pb.ElectLeadersResponse> {
    const typeText = (request.electionType === '' ? 'PREFERRED' : request.electionType).toUpperCase();
    if (typeText !== 'PREFERRED' && typeText !== 'UNCLEAN') {
      throw new ApiError(
        'INVALID_REQUEST',
        `election type ${JSON.stringify(request.electionType)} is not PREFERRED or UNCLEAN`,
      );
    }
    const type = typeText === 'PREFERRED' ? 'preferred' : 'unclean';
    const refs = (request.topicPartitions ?? []).flatMap((tp) =>
      (tp.partitions ?? []).map((partitionId) => ({ topic: tp.topic, partitionId })),
    );
    const response = await this.write(caller, 'ElectLeaders', { type, partitions: refs.length }, (core, image) =>
      core.electLeaders(image, refs.length === 0 ? { type } : { type, partitions: refs }),
    );
    return {
      results: response.results.map((result) => ({
        topic: result.topic,
        partition: result.partitionId,
        ...itemError(result.error),
      })),
    };
  }

  // ------------------------------------------------------------------ reassignments

  async alterPartitionReassignments(
    request: pb.AlterPartitionReassignmentsRequest__Output,
    caller: ApiCaller,
  ): Promise<pb.AlterPartitionReassignmentsResponse> {
    const requests = (request.partitions ?? []).map((p) => ({
      topic: p.topic,
      partitionId: p.partition,
      targetReplicas: p.cancel ? null : [...(p.targetReplicas ?? [])],
    }));
    const response = await this.write(
      caller,
      'AlterPartitionReassignments',
      { partitions: requests.length },
      (core, image) => core.alterPartitionReassignments(image, requests),
    );
    return {
      results: response.results.map((result) => ({
        topic: result.topic,
        partition: result.partitionId,
        ...itemError(result.error),
      })),
    };
  }

  async listPartitionReassignments(
    request: pb.ListPartitionReassignmentsRequest__Output,
  ): Promise<pb.ListPartitionReassignmentsResponse> {
    await this.deps.queue.readBarrier();
    const refs = (request.topicPartitions ?? []).flatMap((tp) =>
      (tp.partitions ?? []).map((partitionId) => ({ topic: tp.topic, partitionId })),
    );
    const ongoing = this.deps.core.listPartitionReassignments(
      this.deps.stateMachine.image,
      refs.length === 0 ? undefined : refs,
    );
    return {
      reassignments: ongoing.map((r) => ({
        topic: r.topic,
        partition: r.partitionId,
        replicas: [...r.replicas],
        addingReplicas: [...r.addingReplicas],
        removingReplicas: [...r.removingReplicas],
      })),
    };
  }

  // ------------------------------------------------------------------ ACLs

  async createAcls(request: pb.CreateAclsRequest__Output, caller: ApiCaller): Promise<pb.CreateAclsResponse> {
    // Bindings that do not parse are answered per item and never reach the core.
    const parsed = (request.creations ?? []).map((creation) => {
      try {
        return { binding: bindingFromWire(creation) };
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        return { error };
      }
    });
    const valid = parsed.flatMap((item) => (item.binding === undefined ? [] : [item.binding]));
    const response = await this.write(
      caller,
      'CreateAcls',
      { acls: valid.map((binding) => ({ ...binding })) },
      (core, image) => core.createAcls(image, valid),
    );
    let next = 0;
    return {
      results: parsed.map((item) => itemError(item.error ?? response.results[next++]?.error)),
    };
  }

  async deleteAcls(request: pb.DeleteAclsRequest__Output, caller: ApiCaller): Promise<pb.DeleteAclsResponse> {
    const filters = (request.filters ?? []).map(filterFromWire);
    const response = await this.write(caller, 'DeleteAcls', { filters }, (core, image) =>
      core.deleteAcls(image, filters),
    );
    return {
      filterResults: response.results.map((result) => ({
        ...itemError(result.error),
        matchingAcls: result.removed.map(bindingToWire),
      })),
    };
  }

  describeAcls(request: pb.DescribeAclsRequest__Output): pb.DescribeAclsResponse {
    const filter = filterFromWire(request.filter);
    return { acls: this.deps.core.describeAcls(this.deps.stateMachine.image, filter).map(bindingToWire) };
  }

  // ------------------------------------------------------------------ reads

  /** Reads answer from this node's applied image; a new leader first waits for its activation. */
  async describeCluster(clusterId: string): Promise<pb.DescribeClusterResponse> {
    await this.deps.queue.readBarrier();
    const image = this.deps.stateMachine.image;
    const leaderId = this.deps.quorum.leaderId();
    return {
      clusterId,
      nodeId: this.deps.quorum.nodeId,
      controllerId: leaderId ?? -1,
      controllerAddress: leaderId === null ? '' : (this.deps.voters.get(leaderId) ?? ''),
      raftTerm: String(this.deps.quorum.term()),
      metadataOffset: String(Math.max(0, image.provenance.lastContainedOffset)),
      brokers: describeBrokers(image),
      controllers: [...this.deps.voters].map(([nodeId, address]) => ({ nodeId, address })),
    };
  }

  async describeTopics(request: pb.DescribeTopicsRequest__Output): Promise<pb.DescribeTopicsResponse> {
    await this.deps.queue.readBarrier();
    return describeTopics(this.deps.stateMachine.image, request);
  }
}

function resourceType(text: string): ConfigResourceType {
  const type = text.toLowerCase();
  if (type === 'topic' || type === 'broker' || type === 'cluster') return type;
  throw new ApiError('INVALID_REQUEST', `resource type ${JSON.stringify(text)} is not topic, broker or cluster`);
}

/** Proto assignments (partition -> brokers) to the core's dense list, refusing gaps. */
function assignmentLists(assignments: readonly pb.ReplicaAssignment__Output[], topic: string): number[][] {
  const lists: number[][] = [];
  const sorted = [...assignments].sort((a, b) => a.partition - b.partition);
  sorted.forEach((assignment, index) => {
    if (assignment.partition !== index) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `topic ${topic}: assignments must cover partitions 0..n-1 without gaps (partition ${index} missing)`,
      );
    }
    lists.push([...(assignment.brokerIds ?? [])]);
  });
  return lists;
}
