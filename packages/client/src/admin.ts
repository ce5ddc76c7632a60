/**
 * `Admin`: topics, partitions, configs, leader elections and the cluster description, against
 * the controller quorum's gRPC API (proto/sluice/v1/controller.proto). Promise API; every failure
 * is an ApiError with Kafka's name and `retriable`.
 *
 * Batch methods (`createTopics`, `deleteTopics`, ...) answer per item, as Kafka does: each result
 * carries `error` (an ApiError) or not. The single-item methods (`createTopic`, `describeTopic`,
 * ...) reject with that item's error instead.
 */
import {
  bindingFromWire,
  bindingToWire,
  filterToWire,
  type AclBinding,
  type AclCreationResult,
  type AclDeletionResult,
  type AclFilter,
  type DescribedAcl,
} from './admin-acls';
import { describeLogDirs, type BrokerLogDirs, type LogDirsTopics } from './admin-log-dirs';
import type { ClientSecurity } from '@sluice/proto';
import { formatHostPort, type ItemError__Output } from '@sluice/proto';
import { ApiError, isApiErrorName } from '@sluice/protocol';
import type { TopicPartition } from './accumulator';
import { ClusterMetadata } from './cluster-metadata';
import { ControllerChannel } from './controller-channel';
import { newTopicId } from './topic-id';
import { appendTopicPage, followPages } from './topic-pages';
import {
  EARLIEST_LOCAL_TIMESTAMP,
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  listOffsets,
  type OffsetAndTimestamp,
} from './list-offsets';
import type { ControllerChannelOptions } from './controller-channel';
import {
  GroupAdmin,
  type GroupDescription,
  type GroupOffset,
  type GroupResult,
  type ListGroupsResult,
  type NewGroupOffset,
  type PartitionResult,
} from './admin-groups';
import type { ShareGroupDescription, SharePartitionOffset } from './admin-share-groups';

export interface AdminOptions extends ControllerChannelOptions {
  /** Controller addresses, `host:port,host:port` or a list. */
  readonly bootstrap: string | readonly string[];
  /** Every group coordinator's address: needed by the consumer group operations only. */
  readonly coordinators?: string | readonly string[];
}

export interface NewTopic {
  readonly name: string;
  /** Default: the cluster's num.partitions. */
  readonly numPartitions?: number;
  /** Default: the cluster's default.replication.factor. */
  readonly replicationFactor?: number;
  /** Explicit placement: partition -> broker ids (excludes numPartitions/replicationFactor). */
  readonly assignments?: ReadonlyMap<number, readonly number[]> | Readonly<Record<number, readonly number[]>>;
  readonly configs?: Readonly<Record<string, string>>;
}

export interface CreateTopicResult {
  readonly name: string;
  readonly topicId: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly error?: ApiError;
}

export interface DeleteTopicResult {
  readonly name: string;
  readonly topicId: string;
  readonly error?: ApiError;
}

export interface NewPartitions {
  readonly name: string;
  /** The new total partition count. */
  readonly count: number;
  /** Placement of the new partitions only. */
  readonly assignments?: ReadonlyMap<number, readonly number[]> | Readonly<Record<number, readonly number[]>>;
}

export interface ItemResult {
  readonly name: string;
  readonly error?: ApiError;
}

export interface PartitionInfo {
  readonly partition: number;
  /** -1: no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly eligibleLeaderReplicas: readonly number[];
}

export interface TopicInfo {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly PartitionInfo[];
  /** Topic-level config overrides (cluster defaults are not listed). */
  readonly configs: Readonly<Record<string, string>>;
  readonly error?: ApiError;
}

export interface DescribeTopicsOptions {
  /** Partitions per answer (0: the controller's default, 2,000; it caps requests at 10,000). */
  readonly partitionsPerPage?: number;
}

export interface BrokerInfo {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly listeners: readonly { readonly name: string; readonly host: string; readonly port: number }[];
  /** undefined: no rack. */
  readonly rack?: string;
  readonly fenced: boolean;
}

export interface ClusterInfo {
  readonly clusterId: string;
  /** The controller that answered. */
  readonly nodeId: number;
  /** The active controller (-1: unknown) and its address. */
  readonly controllerId: number;
  readonly controllerAddress: string;
  readonly raftTerm: number;
  readonly metadataOffset: number;
  readonly brokers: readonly BrokerInfo[];
  readonly controllers: readonly { readonly nodeId: number; readonly address: string }[];
}

export type ConfigResourceType = 'topic' | 'broker' | 'cluster';

export interface ConfigAlteration {
  readonly type: ConfigResourceType;
  /** Topic name, broker id, or '' for the cluster. */
  readonly name: string;
  readonly set?: Readonly<Record<string, string>>;
  readonly delete?: readonly string[];
}

export interface AlterConfigsResult {
  readonly type: string;
  readonly name: string;
  readonly error?: ApiError;
}

export type ElectionType = 'PREFERRED' | 'UNCLEAN';

/** One partition's new replica list (Kafka's NewPartitionReassignment), or null to cancel. */
export interface PartitionReassignment {
  readonly topic: string;
  readonly partition: number;
  readonly targetReplicas: readonly number[] | null;
}

export interface ReassignmentResult {
  readonly topic: string;
  readonly partition: number;
  readonly error?: ApiError;
}

/** A reassignment in progress (Kafka's PartitionReassignment). */
export interface OngoingReassignment {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export interface ElectLeadersResult {
  readonly topic: string;
  readonly partition: number;
  readonly error?: ApiError;
}

/** The ApiError an item's error_name / error_message stands for; undefined on success. */
export function itemError(item: ItemError__Output): ApiError | undefined {
  if (item.errorName === '' || item.errorName === 'NONE') return undefined;
  const name = isApiErrorName(item.errorName) && item.errorName !== 'NONE' ? item.errorName : 'UNKNOWN_SERVER_ERROR';
  const message = name === item.errorName ? item.errorMessage : `${item.errorName}: ${item.errorMessage}`;
  return new ApiError(name, message);
}

function withError<T extends object>(value: T, error: ApiError | undefined): T & { error?: ApiError } {
  return error === undefined ? value : { ...value, error };
}

function wireAssignments(assignments: NewTopic['assignments']): { partition: number; brokerIds: number[] }[] {
  if (assignments === undefined) return [];
  const entries: [number, readonly number[]][] =
    assignments instanceof Map
      ? [...(assignments as ReadonlyMap<number, readonly number[]>).entries()]
      : Object.entries(assignments).map(([partition, ids]) => [Number(partition), ids as readonly number[]]);
  return entries.map(([partition, brokerIds]) => ({ partition, brokerIds: [...brokerIds] }));
}

function firstResult<T extends { error?: ApiError }>(results: readonly T[], what: string): T {
  const result = results[0];
  if (result === undefined)
    throw new ApiError('UNKNOWN_SERVER_ERROR', `the controller answered ${what} with no result`);
  if (result.error !== undefined) throw result.error;
  return result;
}

/**
 * Kafka's OffsetSpec: `earliest` (the log start, remote storage included), `earliest-local` (KIP-405's
 * earliestLocal: the first offset still on the leader's disk), `latest` (the high watermark), or a time.
 */
export type OffsetSpec = 'earliest' | 'earliest-local' | 'latest' | { readonly timestampMs: number };

export class Admin {
  private readonly channel: ControllerChannel;
  /** Brokers' metadata and channels (ListOffsets, DescribeLogDirs), built on first use from DescribeCluster. */
  private brokerMetadata: ClusterMetadata | undefined;
  private readonly timeoutMs: number;
  /** Consumer group operations (admin-groups.ts); null without `coordinators`. */
  private readonly groupAdmin: GroupAdmin | null;

  private readonly security: ClientSecurity | undefined;

  constructor(options: AdminOptions) {
    this.security = options.security;
    this.channel = new ControllerChannel(options.bootstrap, options);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.groupAdmin =
      options.coordinators === undefined
        ? null
        : new GroupAdmin({
            coordinators: options.coordinators,
            timeoutMs: this.timeoutMs,
            ...(options.security === undefined ? {} : { security: options.security }),
            ...(options.retryBackoffMs === undefined ? {} : { retryBackoffMs: options.retryBackoffMs }),
            ...(options.maxRetryBackoffMs === undefined ? {} : { retryBackoffMaxMs: options.maxRetryBackoffMs }),
          });
  }

  /** Redirects followed and retries made so far (NOT_CONTROLLER, unreachable nodes). */
  get stats(): { readonly redirects: number; readonly retries: number } {
    return { redirects: this.channel.redirects, retries: this.channel.retries };
  }

  async createTopics(
    topics: readonly NewTopic[],
    options: { validateOnly?: boolean } = {},
  ): Promise<CreateTopicResult[]> {
    const validateOnly = options.validateOnly ?? false;
    // The channel retries a call whose answer was lost (timeout, leader change) although it may
    // have committed; a client-chosen id per topic lets the controller answer that retry with
    // success rather than TOPIC_ALREADY_EXISTS. validateOnly allocates no id.
    const response = await this.channel.call('CreateTopics', {
      topics: topics.map((topic) => ({
        name: topic.name,
        numPartitions: topic.numPartitions ?? -1,
        replicationFactor: topic.replicationFactor ?? -1,
        assignments: wireAssignments(topic.assignments),
        configs: { ...topic.configs },
        ...(validateOnly ? {} : { topicId: newTopicId() }),
      })),
      validateOnly,
    });
    return response.topics.map((t) =>
      withError(
        { name: t.name, topicId: t.topicId, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor },
        itemError(t),
      ),
    );
  }

  /** Creates one topic; rejects with its ApiError (TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR, ...). */
  async createTopic(topic: NewTopic, options: { validateOnly?: boolean } = {}): Promise<CreateTopicResult> {
    return firstResult(await this.createTopics([topic], options), 'CreateTopics');
  }

  async deleteTopics(names: readonly string[]): Promise<DeleteTopicResult[]> {
    const response = await this.channel.call('DeleteTopics', { names: [...names] });
    return response.topics.map((t) => withError({ name: t.name, topicId: t.topicId }, itemError(t)));
  }

  async deleteTopic(name: string): Promise<DeleteTopicResult> {
    return firstResult(await this.deleteTopics([name]), 'DeleteTopics');
  }

  async createPartitions(
    topics: readonly NewPartitions[],
    options: { validateOnly?: boolean } = {},
  ): Promise<ItemResult[]> {
    const response = await this.channel.call('CreatePartitions', {
      topics: topics.map((topic) => ({
        name: topic.name,
        count: topic.count,
        assignments: wireAssignments(topic.assignments),
      })),
      validateOnly: options.validateOnly ?? false,
    });
    return response.topics.map((t) => withError({ name: t.name }, itemError(t)));
  }

  /**
   * Named topics in the order asked (unknown ones carry UNKNOWN_TOPIC_OR_PARTITION), or every
   * topic sorted by name when `names` is omitted or empty. Follows the controller's pages
   * (`partitionsPerPage`: 0 asks the controller's default, 2,000) and joins topics split
   * across them; for a listing too large to hold at once use `describeTopicPages`.
   */
  async describeTopics(names: readonly string[] = [], options: DescribeTopicsOptions = {}): Promise<TopicInfo[]> {
    const topics: TopicInfo[] = [];
    await this.describeTopicPages(names, (page) => appendTopicPage(topics, page), options);
    if (names.length === 0) return topics.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // The controller answers each name once; a name asked twice is answered twice here too.
    const byName = new Map(topics.map((topic) => [topic.name, topic]));
    return names.map(
      (name) =>
        byName.get(name) ??
        withError(
          { name, topicId: '', partitions: [], configs: {} },
          new ApiError('UNKNOWN_SERVER_ERROR', `the controller did not answer for topic ${name}`),
        ),
    );
  }

  /**
   * The same listing one page at a time (`onPage` in name order for every topic): memory stays
   * bounded by one page however large the cluster. A topic larger than a page arrives in parts,
   * each with its next partitions (same name, consecutive calls).
   */
  async describeTopicPages(
    names: readonly string[],
    onPage: (topics: TopicInfo[]) => void,
    options: DescribeTopicsOptions = {},
  ): Promise<void> {
    const partitionsPerPage = options.partitionsPerPage ?? 0;
    await followPages(
      (cursor) =>
        this.channel.leaderRead('DescribeTopics', {
          names: [...names],
          cursor,
          responsePartitionLimit: partitionsPerPage,
        }),
      (response) =>
        onPage(
          response.topics.map((t) =>
            withError(
              {
                name: t.name,
                topicId: t.topicId,
                partitions: t.partitions.map((p) => ({
                  partition: p.partition,
                  leader: p.leader,
                  leaderEpoch: p.leaderEpoch,
                  partitionEpoch: p.partitionEpoch,
                  replicas: [...p.replicas],
                  isr: [...p.isr],
                  eligibleLeaderReplicas: [...p.eligibleLeaderReplicas],
                })),
                configs: { ...t.configs },
              },
              itemError(t),
            ),
          ),
        ),
    );
  }

  /** One topic; rejects with UNKNOWN_TOPIC_OR_PARTITION when it does not exist. */
  async describeTopic(name: string): Promise<TopicInfo> {
    return firstResult(await this.describeTopics([name]), 'DescribeTopics');
  }

  /** Topic names, sorted. */
  async listTopics(): Promise<string[]> {
    return (await this.describeTopics([])).map((topic) => topic.name);
  }

  /** A topic's config overrides (what `alterConfigs` set; cluster defaults are not listed). */
  async describeTopicConfigs(name: string): Promise<Record<string, string>> {
    return { ...(await this.describeTopic(name)).configs };
  }

  /** Kafka's incremental AlterConfigs: SET and DELETE per key. */
  async alterConfigs(
    alterations: readonly ConfigAlteration[],
    options: { validateOnly?: boolean } = {},
  ): Promise<AlterConfigsResult[]> {
    const response = await this.channel.call('AlterConfigs', {
      resources: alterations.map((alteration) => ({
        resourceType: alteration.type,
        resourceName: alteration.name,
        configs: [
          ...Object.entries(alteration.set ?? {}).map(([name, value]) => ({ name, operation: 'SET', value })),
          ...(alteration.delete ?? []).map((name) => ({ name, operation: 'DELETE', value: '' })),
        ],
      })),
      validateOnly: options.validateOnly ?? false,
    });
    return response.resources.map((r) => withError({ type: r.resourceType, name: r.resourceName }, itemError(r)));
  }

  /** Alters one topic's configs; rejects with its ApiError (UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG, ...). */
  async alterTopicConfigs(
    name: string,
    change: { set?: Readonly<Record<string, string>>; delete?: readonly string[] },
    options: { validateOnly?: boolean } = {},
  ): Promise<void> {
    firstResult(await this.alterConfigs([{ type: 'topic', name, ...change }], options), 'AlterConfigs');
  }

  /** Preferred or unclean leader election; every partition when `partitions` is omitted. */
  async electLeaders(
    type: ElectionType = 'PREFERRED',
    partitions?: readonly { topic: string; partitions: readonly number[] }[],
  ): Promise<ElectLeadersResult[]> {
    const response = await this.channel.call('ElectLeaders', {
      electionType: type,
      topicPartitions: (partitions ?? []).map((entry) => ({ topic: entry.topic, partitions: [...entry.partitions] })),
    });
    return response.results.map((r) => withError({ topic: r.topic, partition: r.partition }, itemError(r)));
  }

  /**
   * Kafka's alterPartitionReassignments: moves each partition to its target replicas (adding
   * replicas catch up and join the ISR, then the removed ones leave), or cancels with null.
   * Answers per partition; the move itself completes later (see listPartitionReassignments).
   */
  async alterPartitionReassignments(reassignments: readonly PartitionReassignment[]): Promise<ReassignmentResult[]> {
    const response = await this.channel.call('AlterPartitionReassignments', {
      partitions: reassignments.map((r) => ({
        topic: r.topic,
        partition: r.partition,
        targetReplicas: r.targetReplicas === null ? [] : [...r.targetReplicas],
        cancel: r.targetReplicas === null,
      })),
    });
    return response.results.map((r) => withError({ topic: r.topic, partition: r.partition }, itemError(r)));
  }

  /** Kafka's listPartitionReassignments: those in progress, for the named partitions or all. */
  async listPartitionReassignments(
    partitions?: readonly { topic: string; partitions: readonly number[] }[],
  ): Promise<OngoingReassignment[]> {
    const response = await this.channel.call('ListPartitionReassignments', {
      topicPartitions: (partitions ?? []).map((entry) => ({ topic: entry.topic, partitions: [...entry.partitions] })),
    });
    return response.reassignments.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      replicas: r.replicas,
      addingReplicas: r.addingReplicas,
      removingReplicas: r.removingReplicas,
    }));
  }

  /** The cluster as the active controller sees it: brokers (fenced or not), controllers, leader. */
  /** Kafka's createAcls: each binding becomes an ACL in the metadata log (one already held is kept). */
  async createAcls(bindings: readonly AclBinding[]): Promise<AclCreationResult[]> {
    const response = await this.channel.call('CreateAcls', { creations: bindings.map(bindingToWire) });
    return bindings.map((binding, index) => {
      const result = response.results[index];
      return withError({ binding }, result === undefined ? undefined : itemError(result));
    });
  }

  /** Kafka's describeAcls: the ACLs matching `filter` (default: all). */
  async describeAcls(filter: AclFilter = {}): Promise<DescribedAcl[]> {
    const response = await this.channel.call('DescribeAcls', { filter: filterToWire(filter) });
    return response.acls.map(bindingFromWire);
  }

  /** Kafka's deleteAcls: removes every ACL matching each filter, and says which. */
  async deleteAcls(filters: readonly AclFilter[]): Promise<AclDeletionResult[]> {
    const response = await this.channel.call('DeleteAcls', { filters: filters.map(filterToWire) });
    return filters.map((filter, index) => {
      const result = response.filterResults[index];
      return withError(
        { filter, deleted: (result?.matchingAcls ?? []).map(bindingFromWire) },
        result === undefined ? undefined : itemError(result),
      );
    });
  }

  async describeCluster(): Promise<ClusterInfo> {
    const r = await this.channel.leaderRead('DescribeCluster', {});
    return {
      clusterId: r.clusterId,
      nodeId: r.nodeId,
      controllerId: r.controllerId,
      controllerAddress: r.controllerAddress,
      raftTerm: Number(r.raftTerm),
      metadataOffset: Number(r.metadataOffset),
      brokers: r.brokers.map((b) => ({
        brokerId: b.brokerId,
        brokerEpoch: Number(b.brokerEpoch),
        listeners: b.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
        ...(b.rack === '' ? {} : { rack: b.rack }),
        fenced: b.fenced,
      })),
      controllers: r.controllers.map((c) => ({ nodeId: c.nodeId, address: c.address })),
    };
  }

  /**
   * Kafka's Admin.listOffsets: per partition, the earliest offset, the latest (the high
   * watermark), or the first offset at or after a timestamp (-1 when none is), asked of the
   * partition leaders. The brokers are found through the controller's DescribeCluster.
   */
  async listOffsets(
    topicPartitions: readonly TopicPartition[],
    spec: OffsetSpec,
  ): Promise<Map<string, OffsetAndTimestamp>> {
    const timestamp =
      spec === 'earliest'
        ? EARLIEST_TIMESTAMP
        : spec === 'earliest-local'
          ? EARLIEST_LOCAL_TIMESTAMP
          : spec === 'latest'
            ? LATEST_TIMESTAMP
            : spec.timestampMs;
    if (typeof spec === 'object' && (!Number.isSafeInteger(timestamp) || timestamp < 0))
      throw new ApiError('INVALID_REQUEST', `timestamp ${timestamp} must be a non-negative integer of ms`);
    const brokerMetadata = await this.brokers();
    return listOffsets(brokerMetadata, topicPartitions, timestamp, {
      requestTimeoutMs: this.timeoutMs,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1_000,
    });
  }

  /**
   * Kafka's Admin.describeLogDirs: per broker asked (default: every registered broker), its log
   * directories with the size and offset lag of each replica in them, for the topics asked
   * (default: all). A broker that does not answer gets `error`; the others still answer.
   */
  async describeLogDirs(brokerIds?: readonly number[], topics: LogDirsTopics = []): Promise<BrokerLogDirs[]> {
    const bad = brokerIds?.find((id) => !Number.isInteger(id) || id < 0);
    if (bad !== undefined) throw new ApiError('INVALID_REQUEST', `broker id ${bad} must be a non-negative integer`);
    const cluster = await this.describeCluster();
    const addressOf = new Map(
      cluster.brokers.flatMap((broker) =>
        broker.listeners.slice(0, 1).map((l) => [broker.brokerId, formatHostPort(l.host, l.port)] as const),
      ),
    );
    const ids = brokerIds ?? [...addressOf.keys()].sort((a, b) => a - b);
    const brokerMetadata = await this.brokers();
    return describeLogDirs(
      [...new Set(ids)].map((brokerId) => ({ brokerId, address: addressOf.get(brokerId) ?? null })),
      topics,
      (address) => brokerMetadata.client(address),
      this.timeoutMs,
    );
  }

  /** The brokers' metadata and channels, built on first use from DescribeCluster. */
  private async brokers(): Promise<ClusterMetadata> {
    if (this.brokerMetadata === undefined) {
      const cluster = await this.describeCluster();
      const addresses = cluster.brokers
        .filter((broker) => !broker.fenced)
        .flatMap((broker) => broker.listeners.slice(0, 1).map((l) => formatHostPort(l.host, l.port)));
      if (addresses.length === 0)
        throw new ApiError('BROKER_NOT_AVAILABLE', 'no unfenced broker is registered with the controller quorum');
      // Another call may have built it while this one waited.
      this.brokerMetadata ??= new ClusterMetadata({
        bootstrap: addresses,
        ...(this.security === undefined ? {} : { security: this.security }),
        requestTimeoutMs: Math.min(this.timeoutMs, 10_000),
      });
    }
    return this.brokerMetadata;
  }

  // ---- consumer groups (through the coordinators; see admin-groups.ts)

  private groups(): GroupAdmin {
    if (this.groupAdmin === null)
      throw new ApiError(
        'INVALID_CONFIG',
        "consumer group operations need the coordinators' addresses (AdminOptions.coordinators)",
      );
    return this.groupAdmin;
  }

  /** Every coordinator's groups, merged and sorted; `errors` names coordinators that did not answer. */
  async listGroups(): Promise<ListGroupsResult> {
    return this.groups().listGroups();
  }

  /** Per group (GROUP_ID_NOT_FOUND for an unknown one): state, epochs, members and their partitions. */
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    return this.groups().describeGroups(groupIds);
  }

  async describeGroup(groupId: string): Promise<GroupDescription> {
    return this.groups().describeGroup(groupId);
  }

  /** Deletes empty groups with their offsets (NON_EMPTY_GROUP while a group has members). */
  async deleteGroups(groupIds: readonly string[]): Promise<GroupResult[]> {
    return this.groups().deleteGroups(groupIds);
  }

  /** A group's committed offsets (of the given partitions, else all). */
  async listGroupOffsets(groupId: string, partitions?: readonly TopicPartition[]): Promise<GroupOffset[]> {
    return this.groups().listGroupOffsets(groupId, partitions);
  }

  /** Commits offsets for an inactive group (NON_EMPTY_GROUP while it has members); per-partition results. */
  async alterGroupOffsets(groupId: string, offsets: readonly NewGroupOffset[]): Promise<PartitionResult[]> {
    return this.groups().alterGroupOffsets(groupId, offsets);
  }

  // ---- share groups (KIP-932; see admin-share-groups.ts)

  /** Every coordinator's share groups, merged and sorted. */
  async listShareGroups(): Promise<ListGroupsResult> {
    return this.groups().listShareGroups();
  }

  /** Per group (GROUP_ID_NOT_FOUND for one that is not a share group): state, epochs, members and their partitions. */
  async describeShareGroups(groupIds: readonly string[]): Promise<ShareGroupDescription[]> {
    return this.groups().describeShareGroups(groupIds);
  }

  async describeShareGroup(groupId: string): Promise<ShareGroupDescription> {
    return this.groups().describeShareGroup(groupId);
  }

  /** Share start offsets of the given partitions, else of those the group's members are assigned (null: not initialized). */
  async listShareGroupOffsets(
    groupId: string,
    partitions?: readonly TopicPartition[],
  ): Promise<SharePartitionOffset[]> {
    return this.groups().listShareGroupOffsets(groupId, partitions);
  }

  /** Closes every channel; calls after this reject. */
  close(): void {
    this.groupAdmin?.close();
    this.channel.close();
    this.brokerMetadata?.close();
  }
}
