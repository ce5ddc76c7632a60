/**
 * Consumer group administration against the coordinators (proto/sluice/v1/coordinator.proto), as
 * Kafka's Admin does it: list (every coordinator asked, answers merged), describe, delete, the
 * committed offsets, and an admin offset commit (reset-offsets: member id "" and epoch -1, which
 * the coordinator takes only while the group has no members). Share groups (KIP-932) too: list,
 * describe and their partitions' start offsets (types and conversions in admin-share-groups.ts).
 *
 * Each group is sent to its coordinator, found through FindCoordinator. A coordinator that moved,
 * is loading or unreachable (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, ...) is looked up
 * again and retried with backoff until `timeoutMs`; other errors are the group's answer.
 */
import { GrpcClientPool, fromGrpcError, unaryCall, type ClientSecurity } from '@sluice/proto';
import type {
  CoordinatorClient,
  ListedGroup__Output,
  TopicPartitions,
  TopicPartitions__Output,
  UnaryMethodName,
  UnaryRequest,
  UnaryResponse,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import type { TopicPartition } from './accumulator';
import { findCoordinators, type CoordinatorAnswer } from './coordinator-lookup';
import { parseBootstrap } from './controller-channel';
import { apiErrorFromName } from './errors';
import {
  assignedPartitions,
  deadShareGroup,
  readShareStartOffsets,
  shareGroupDescription,
  type ShareGroupDescription,
  type SharePartitionOffset,
} from './admin-share-groups';
import { CoordinatorShareStatePersister } from './coordinator-share-state-persister';
import { backoffMs } from './producer-config';

/** ListGroups pages one listing may take (a coordinator whose token never ends is refused). */
const MAX_GROUP_LIST_PAGES = 100_000;

export interface GroupAdminOptions {
  /** TLS and bearer token; default: the process default (plaintext unless set). */
  readonly security?: ClientSecurity;
  /** Coordinator addresses, `host:port,host:port` or a list: every coordinator of the cluster (listGroups asks each). */
  readonly coordinators: string | readonly string[];
  /** Bound on one operation, retries included. Default 30 s. */
  readonly timeoutMs?: number;
  /** First retry pause, doubling up to retryBackoffMaxMs. Defaults 100 ms and 1 s. */
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
}

/** EMPTY, ASSIGNING, RECONCILING, STABLE (or DEAD for a group that is gone). */
export type GroupState = string;

export interface GroupListing {
  readonly groupId: string;
  readonly state: GroupState;
  readonly members: number;
}

export interface ListGroupsResult {
  /** Sorted by group id. */
  readonly groups: readonly GroupListing[];
  /** Coordinators that did not answer: their groups are missing from `groups`. */
  readonly errors: readonly { readonly coordinator: string; readonly error: ApiError }[];
}

export interface GroupMember {
  readonly memberId: string;
  /** group.instance.id of a static member. */
  readonly instanceId?: string;
  readonly rackId?: string;
  readonly clientId: string;
  /** -2: a static member that left for a while (its partitions wait for it). */
  readonly memberEpoch: number;
  /** STABLE, UNREVOKED_PARTITIONS or UNRELEASED_PARTITIONS. */
  readonly state: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex?: string;
  /** What it owns now. */
  readonly assigned: readonly TopicPartition[];
  readonly pendingRevocation: readonly TopicPartition[];
  /** What the assignor wants it to own. */
  readonly target: readonly TopicPartition[];
}

export interface GroupDescription {
  readonly groupId: string;
  readonly state: GroupState;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly assignor: string;
  readonly members: readonly GroupMember[];
  /** GROUP_ID_NOT_FOUND for a group the coordinator does not know (Kafka 4's ConsumerGroupDescribe), ... */
  readonly error?: ApiError;
}

export interface GroupResult {
  readonly groupId: string;
  readonly error?: ApiError;
}

export interface GroupOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
}

export interface NewGroupOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata?: string;
}

export interface PartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly error?: ApiError;
}

/** Errors after which a group is looked up again and retried. */
const COORDINATOR_ERRORS = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NETWORK_EXCEPTION',
  'REQUEST_TIMED_OUT',
]);

function retriable(error: ApiError): boolean {
  return error.retriable || COORDINATOR_ERRORS.has(error.errorName);
}

function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : fromGrpcError(error);
}

function itemError(errorName: string, errorMessage: string): ApiError | undefined {
  if (errorName === '' || errorName === 'NONE') return undefined;
  // The coordinator sends an ApiError's message, which already starts with its name.
  const prefix = `${errorName}: `;
  return apiErrorFromName(
    errorName,
    errorMessage.startsWith(prefix) ? errorMessage.slice(prefix.length) : errorMessage,
  );
}

function partitionsOf(list: readonly TopicPartitions__Output[]): TopicPartition[] {
  return list
    .flatMap((entry) => entry.partitions.map((partition) => ({ topic: entry.topic, partition })))
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

function byTopic(partitions: readonly TopicPartition[]): TopicPartitions[] {
  const topics = new Map<string, number[]>();
  for (const tp of partitions) topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition]);
  return [...topics].map(([topic, list]) => ({ topic, partitions: list }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkGroupIds(groupIds: readonly string[]): void {
  for (const groupId of groupIds)
    if (typeof groupId !== 'string' || groupId === '')
      throw new ApiError('INVALID_GROUP_ID', 'a group id must be a non-empty string');
}

export class GroupAdmin {
  private readonly bootstrap: readonly string[];
  private readonly timeoutMs: number;
  private readonly retryBackoffMs: number;
  private readonly retryBackoffMaxMs: number;
  private readonly clients: GrpcClientPool<'Coordinator'>;
  /** Reads share partitions' durable state; made on first use. */
  private persister: CoordinatorShareStatePersister | null = null;
  private nextBootstrap = 0;
  private closed = false;

  constructor(options: GroupAdminOptions) {
    this.bootstrap = parseBootstrap(options.coordinators);
    this.clients = new GrpcClientPool('Coordinator', {
      ...(options.security === undefined ? {} : { security: options.security }),
    });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.retryBackoffMaxMs = options.retryBackoffMaxMs ?? 1_000;
  }

  /** Every coordinator's consumer groups, merged (a group seen twice while its partition moves is listed once). */
  async listGroups(): Promise<ListGroupsResult> {
    return this.listGroupsOfType('consumer');
  }

  /** Every coordinator's share groups, merged and sorted as listGroups'. */
  async listShareGroups(): Promise<ListGroupsResult> {
    return this.listGroupsOfType('share');
  }

  private async listGroupsOfType(type: 'consumer' | 'share'): Promise<ListGroupsResult> {
    this.ensureOpen();
    const answers = await Promise.all(
      this.bootstrap.map(async (coordinator) => {
        try {
          return { coordinator, groups: await this.allGroupsOf(coordinator), error: undefined };
        } catch (error) {
          return { coordinator, groups: undefined, error: asApiError(error) };
        }
      }),
    );
    const groups = new Map<string, GroupListing>();
    const errors: { coordinator: string; error: ApiError }[] = [];
    for (const answer of answers) {
      if (answer.error !== undefined) errors.push({ coordinator: answer.coordinator, error: answer.error });
      // As Kafka's tools: kafka-consumer-groups lists consumer groups, kafka-share-groups share groups.
      else
        for (const g of answer.groups ?? [])
          if ((g.type === 'share') === (type === 'share') && !groups.has(g.groupId))
            groups.set(g.groupId, { groupId: g.groupId, state: g.state, members: g.members });
    }
    if (errors.length === this.bootstrap.length && errors[0] !== undefined) throw errors[0].error;
    return {
      groups: [...groups.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0)),
      errors,
    };
  }

  /** Every page of one coordinator's ListGroups (bounded: a token that repeats is refused). */
  private async allGroupsOf(coordinator: string): Promise<ListedGroup__Output[]> {
    const groups: ListedGroup__Output[] = [];
    let pageToken = '';
    for (let pages = 0; pages < MAX_GROUP_LIST_PAGES; pages++) {
      const response = await unaryCall(
        this.client(coordinator),
        'ListGroups',
        { pageToken, maxGroups: 0 },
        { timeoutMs: this.timeoutMs },
      );
      groups.push(...response.groups);
      if (response.nextPageToken === '') return groups;
      if (response.nextPageToken === pageToken)
        throw new ApiError('UNKNOWN_SERVER_ERROR', `coordinator ${coordinator} repeated ListGroups page token`);
      pageToken = response.nextPageToken;
    }
    throw new ApiError(
      'UNKNOWN_SERVER_ERROR',
      `coordinator ${coordinator}: ListGroups did not end within ${MAX_GROUP_LIST_PAGES} pages`,
    );
  }

  /** Per group, in the order asked; an unknown group carries GROUP_ID_NOT_FOUND. */
  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    this.ensureOpen();
    checkGroupIds(groupIds);
    const answers = await this.perGroup(groupIds, async (address, ids) => {
      const response = await unaryCall(
        this.client(address),
        'DescribeGroups',
        { groupIds: ids },
        { timeoutMs: this.timeoutMs },
      );
      return response.groups.map((g) => ({
        groupId: g.groupId,
        error: itemError(g.errorName, g.errorMessage),
        value: g,
      }));
    });
    return groupIds.map((groupId) => {
      const answer = answers.get(groupId);
      const dead = { groupId, state: 'DEAD', groupEpoch: 0, assignmentEpoch: 0, assignor: '', members: [] };
      if (answer === undefined)
        return { ...dead, error: new ApiError('UNKNOWN_SERVER_ERROR', `no answer for group ${groupId}`) };
      if ('error' in answer) return { ...dead, error: answer.error };
      const g = answer.value;
      // The coordinator describes a group it does not know as DEAD; Kafka 4 names it GROUP_ID_NOT_FOUND.
      if (g.state === 'DEAD' && g.members.length === 0)
        return { ...dead, error: new ApiError('GROUP_ID_NOT_FOUND', `group ${groupId} does not exist`) };
      return {
        groupId,
        state: g.state,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignor: g.assignor,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          ...(m.instanceId === '' ? {} : { instanceId: m.instanceId }),
          ...(m.rackId === '' ? {} : { rackId: m.rackId }),
          clientId: m.clientId,
          memberEpoch: m.memberEpoch,
          state: m.state,
          subscribedTopicNames: [...m.subscribedTopicNames],
          ...(m.subscribedTopicRegex === '' ? {} : { subscribedTopicRegex: m.subscribedTopicRegex }),
          assigned: partitionsOf(m.assigned),
          pendingRevocation: partitionsOf(m.pendingRevocation),
          target: partitionsOf(m.target),
        })),
      };
    });
  }

  /** One group; rejects with its error (GROUP_ID_NOT_FOUND, ...). */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    const [described] = await this.describeGroups([groupId]);
    if (described === undefined) throw new ApiError('UNKNOWN_SERVER_ERROR', `no answer for group ${groupId}`);
    if (described.error !== undefined) throw described.error;
    return described;
  }

  /** Share groups, in the order asked; one that is not a share group carries GROUP_ID_NOT_FOUND. */
  async describeShareGroups(groupIds: readonly string[]): Promise<ShareGroupDescription[]> {
    this.ensureOpen();
    checkGroupIds(groupIds);
    const answers = await this.perGroup(groupIds, async (address, ids) => {
      const response = await unaryCall(
        this.client(address),
        'DescribeShareGroups',
        { groupIds: ids },
        { timeoutMs: this.timeoutMs },
      );
      return response.groups.map((g) => ({
        groupId: g.groupId,
        error: itemError(g.errorName, g.errorMessage),
        value: g,
      }));
    });
    return groupIds.map((groupId) => {
      const answer = answers.get(groupId);
      if (answer === undefined)
        return deadShareGroup(groupId, new ApiError('UNKNOWN_SERVER_ERROR', `no answer for group ${groupId}`));
      return 'error' in answer ? deadShareGroup(groupId, answer.error) : shareGroupDescription(answer.value);
    });
  }

  /** One share group; rejects with its error (GROUP_ID_NOT_FOUND, ...). */
  async describeShareGroup(groupId: string): Promise<ShareGroupDescription> {
    const [described] = await this.describeShareGroups([groupId]);
    if (described === undefined) throw new ApiError('UNKNOWN_SERVER_ERROR', `no answer for group ${groupId}`);
    if (described.error !== undefined) throw described.error;
    return described;
  }

  /**
   * The share start offset of each given partition (Kafka's listShareGroupOffsets), else of every
   * partition the group's members are assigned (the group must exist then: GROUP_ID_NOT_FOUND).
   * A partition no member has fetched from yet has startOffset null.
   */
  async listShareGroupOffsets(
    groupId: string,
    partitions?: readonly TopicPartition[],
  ): Promise<SharePartitionOffset[]> {
    this.ensureOpen();
    checkGroupIds([groupId]);
    const wanted = partitions ?? assignedPartitions(await this.describeShareGroup(groupId));
    if (this.persister === null) {
      this.persister = new CoordinatorShareStatePersister({
        coordinators: this.bootstrap,
        requestTimeoutMs: this.timeoutMs,
        retryBackoffMs: this.retryBackoffMs,
        retryBackoffMaxMs: this.retryBackoffMaxMs,
      });
    }
    return readShareStartOffsets(this.persister, groupId, wanted);
  }

  /** Deletes empty groups and their offsets; a group with members is NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND. */
  async deleteGroups(groupIds: readonly string[]): Promise<GroupResult[]> {
    this.ensureOpen();
    checkGroupIds(groupIds);
    const answers = await this.perGroup(groupIds, async (address, ids) => {
      const response = await unaryCall(
        this.client(address),
        'DeleteGroups',
        { groupIds: ids },
        { timeoutMs: this.timeoutMs },
      );
      return response.groups.map((g) => ({
        groupId: g.groupId,
        error: itemError(g.errorName, g.errorMessage),
        value: null,
      }));
    });
    return groupIds.map((groupId) => {
      const answer = answers.get(groupId);
      if (answer === undefined)
        return { groupId, error: new ApiError('UNKNOWN_SERVER_ERROR', `no answer for group ${groupId}`) };
      return 'error' in answer ? { groupId, error: answer.error } : { groupId };
    });
  }

  /** The group's committed offsets: of the given partitions (those with none are left out), else every one. */
  async listGroupOffsets(groupId: string, partitions?: readonly TopicPartition[]): Promise<GroupOffset[]> {
    this.ensureOpen();
    checkGroupIds([groupId]);
    const response = await this.callGroup(groupId, 'OffsetFetch', {
      groupId,
      partitions: byTopic(partitions ?? []),
    });
    return response.offsets
      .map((o) => ({
        topic: o.topic,
        partition: o.partition,
        offset: Number(o.offset),
        leaderEpoch: o.leaderEpoch,
        metadata: o.metadata,
      }))
      .filter((o) => o.offset >= 0)
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /**
   * Commits offsets for the group as an administrator (Kafka's alterConsumerGroupOffsets): only
   * while the group has no members, else the whole call rejects with NON_EMPTY_GROUP. Answers per
   * partition (UNKNOWN_TOPIC_OR_PARTITION, ...).
   */
  async alterGroupOffsets(groupId: string, offsets: readonly NewGroupOffset[]): Promise<PartitionResult[]> {
    this.ensureOpen();
    checkGroupIds([groupId]);
    for (const o of offsets) {
      if (!Number.isSafeInteger(o.offset) || o.offset < 0)
        throw new ApiError(
          'INVALID_REQUEST',
          `offset ${o.offset} for ${o.topic}-${o.partition} must be a non-negative integer`,
        );
    }
    if (offsets.length === 0) return [];
    const topics = new Map<string, { partition: number; offset: string; leaderEpoch: number; metadata: string }[]>();
    for (const o of offsets)
      topics.set(o.topic, [
        ...(topics.get(o.topic) ?? []),
        { partition: o.partition, offset: String(o.offset), leaderEpoch: -1, metadata: o.metadata ?? '' },
      ]);
    const response = await this.callGroup(groupId, 'OffsetCommit', {
      groupId,
      memberId: '',
      memberEpoch: -1,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    });
    return response.topics.flatMap((t) =>
      t.partitions.map((p) => {
        const error = itemError(p.errorName, p.errorMessage);
        return error === undefined
          ? { topic: t.name, partition: p.partition }
          : { topic: t.name, partition: p.partition, error };
      }),
    );
  }

  close(): void {
    this.closed = true;
    this.persister?.close();
    this.clients.close();
  }

  private ensureOpen(): void {
    if (this.closed) throw new ApiError('INVALID_REQUEST', 'the admin client is closed');
  }

  private client(address: string): CoordinatorClient {
    return this.clients.client(address);
  }

  private lookup(groupIds: readonly string[], deadline: number): Promise<Map<string, CoordinatorAnswer>> {
    const startAt = this.nextBootstrap++ % this.bootstrap.length;
    return findCoordinators(groupIds, {
      bootstrap: this.bootstrap,
      client: (address) => this.client(address),
      timeoutMs: Math.max(1, Math.min(this.timeoutMs, deadline - Date.now())),
      startAt,
    });
  }

  /** One call about one group at its coordinator, redirected and retried until the deadline. */
  private async callGroup<M extends UnaryMethodName<CoordinatorClient>>(
    groupId: string,
    method: M,
    request: UnaryRequest<CoordinatorClient, M>,
  ): Promise<UnaryResponse<CoordinatorClient, M>> {
    const deadline = Date.now() + this.timeoutMs;
    let address: string | null = null;
    for (let attempt = 1; ; attempt++) {
      try {
        if (address === null) {
          const answer = (await this.lookup([groupId], deadline)).get(groupId);
          if (answer === undefined || 'error' in answer)
            throw answer?.error ?? new ApiError('COORDINATOR_NOT_AVAILABLE', `no coordinator for group ${groupId}`);
          address = answer.address;
        }
        return await unaryCall(this.client(address), method, request, {
          timeoutMs: Math.max(1, deadline - Date.now()),
        });
      } catch (error) {
        const apiError = asApiError(error);
        if (!retriable(apiError) || Date.now() >= deadline || this.closed) throw apiError;
        address = apiError.errorName === 'NOT_COORDINATOR' ? (apiError.detail.coordinatorAddress ?? null) : null;
        await sleep(
          Math.min(Math.max(0, deadline - Date.now()), backoffMs(attempt, this.retryBackoffMs, this.retryBackoffMaxMs)),
        );
      }
    }
  }

  /**
   * Sends each group to its coordinator, groups batched per coordinator; groups whose answer is a
   * coordinator error are looked up again and retried until the deadline, then keep that error.
   */
  private async perGroup<V>(
    groupIds: readonly string[],
    send: (
      address: string,
      groupIds: string[],
    ) => Promise<{ groupId: string; error: ApiError | undefined; value: V }[]>,
  ): Promise<Map<string, { value: V } | { error: ApiError }>> {
    const deadline = Date.now() + this.timeoutMs;
    const results = new Map<string, { value: V } | { error: ApiError }>();
    let todo = [...new Set(groupIds)];
    for (let attempt = 1; todo.length > 0; attempt++) {
      const retry = new Map<string, ApiError>();
      let coordinators: Map<string, CoordinatorAnswer>;
      try {
        coordinators = await this.lookup(todo, deadline);
      } catch (error) {
        const apiError = asApiError(error);
        if (!retriable(apiError)) throw apiError;
        coordinators = new Map(todo.map((groupId) => [groupId, { error: apiError }]));
      }
      const byAddress = new Map<string, string[]>();
      for (const groupId of todo) {
        const answer = coordinators.get(groupId);
        if (answer === undefined || 'error' in answer) {
          const error =
            answer?.error ?? new ApiError('COORDINATOR_NOT_AVAILABLE', `no coordinator for group ${groupId}`);
          if (retriable(error)) retry.set(groupId, error);
          else results.set(groupId, { error });
          continue;
        }
        byAddress.set(answer.address, [...(byAddress.get(answer.address) ?? []), groupId]);
      }
      await Promise.all(
        [...byAddress].map(async ([address, ids]) => {
          try {
            const answers = await send(address, ids);
            for (const answer of answers) {
              if (answer.error === undefined) results.set(answer.groupId, { value: answer.value });
              else if (retriable(answer.error)) retry.set(answer.groupId, answer.error);
              else results.set(answer.groupId, { error: answer.error });
            }
            for (const groupId of ids)
              if (!results.has(groupId) && !retry.has(groupId))
                retry.set(
                  groupId,
                  new ApiError('COORDINATOR_NOT_AVAILABLE', `${address} answered nothing for group ${groupId}`),
                );
          } catch (error) {
            const apiError = asApiError(error);
            for (const groupId of ids) {
              if (retriable(apiError)) retry.set(groupId, apiError);
              else results.set(groupId, { error: apiError });
            }
          }
        }),
      );
      todo = [...retry.keys()];
      if (todo.length === 0) break;
      if (Date.now() >= deadline || this.closed) {
        for (const [groupId, error] of retry) results.set(groupId, { error });
        break;
      }
      await sleep(
        Math.min(Math.max(0, deadline - Date.now()), backoffMs(attempt, this.retryBackoffMs, this.retryBackoffMaxMs)),
      );
    }
    return results;
  }
}
