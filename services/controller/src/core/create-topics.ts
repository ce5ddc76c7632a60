/** CreateTopics (Kafka's ReplicationControlManager.createTopics), with per-topic results. */
import { InvalidTopicNameError, validateTopicName, type MetadataRecord } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { checkManualAssignments, newPartitionRecord } from './assignments';
import { topicConfigRecords } from './configuration-control';
import { usableBrokers, type CoreContext } from './context';
import { MAX_RECORDS_PER_USER_OP, MAX_REQUEST_ENTRIES } from './limits';
import { placeReplicas } from './replica-placer';
import type { ControllerResult } from './result';
import { randomUuid } from './rng';

export interface CreatableTopic {
  readonly name: string;
  /** Omitted or -1: num.partitions. Must be omitted (or -1) when `assignments` is given. */
  readonly numPartitions?: number;
  /** Omitted or -1: default.replication.factor. Must be omitted (or -1) when `assignments` is given. */
  readonly replicationFactor?: number;
  /** Replica lists by partition id (0..n-1), preferred leader first. */
  readonly assignments?: readonly (readonly number[])[];
  readonly configs?: Readonly<Record<string, string>>;
}

export interface CreateTopicsOptions {
  readonly validateOnly?: boolean;
}

export interface CreateTopicResult {
  readonly name: string;
  /** Set on success (undefined when validateOnly: no id is allocated). */
  readonly topicId?: string;
  readonly numPartitions?: number;
  readonly replicationFactor?: number;
  /** Replica lists chosen, by partition id. */
  readonly assignments?: readonly (readonly number[])[];
  readonly error?: ApiError;
}

export interface CreateTopicsResponse {
  readonly topics: readonly CreateTopicResult[];
  readonly validateOnly: boolean;
}

/** Kafka refuses names equal after mapping '.' to '_': metric names would collide. */
function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

const isDefault = (value: number | undefined): boolean => value === undefined || value === -1;

interface Planned {
  readonly records: MetadataRecord[];
  readonly result: CreateTopicResult;
}

function planTopic(ctx: CoreContext, topic: CreatableTopic, validateOnly: boolean, takenIds: Set<string>): Planned {
  const { name } = topic;
  let replicaLists: number[][];
  if (topic.assignments !== undefined) {
    if (!isDefault(topic.numPartitions) || !isDefault(topic.replicationFactor)) {
      throw new ApiError(
        'INVALID_REQUEST',
        'numPartitions and replicationFactor must be unset when assignments are given',
      );
    }
    if (topic.assignments.length >= MAX_RECORDS_PER_USER_OP) {
      throw new ApiError(
        'POLICY_VIOLATION',
        `unable to perform excessively large batch operation: ${topic.assignments.length} partitions`,
      );
    }
    checkManualAssignments(ctx.image, topic.assignments);
    replicaLists = topic.assignments.map((replicas) => [...replicas]);
  } else {
    const numPartitions = isDefault(topic.numPartitions)
      ? ctx.settings.defaultNumPartitions
      : (topic.numPartitions as number);
    const replicationFactor = isDefault(topic.replicationFactor)
      ? ctx.settings.defaultReplicationFactor
      : (topic.replicationFactor as number);
    if (!(Number.isSafeInteger(numPartitions) && numPartitions >= 1)) {
      throw new ApiError('INVALID_PARTITIONS', `number of partitions ${numPartitions} must be at least 1`);
    }
    if (!(Number.isSafeInteger(replicationFactor) && replicationFactor >= 1)) {
      throw new ApiError('INVALID_REPLICATION_FACTOR', `replication factor ${replicationFactor} must be at least 1`);
    }
    if (numPartitions >= MAX_RECORDS_PER_USER_OP) {
      throw new ApiError(
        'POLICY_VIOLATION',
        `unable to perform excessively large batch operation: ${numPartitions} partitions`,
      );
    }
    replicaLists = placeReplicas({ brokers: usableBrokers(ctx), numPartitions, replicationFactor, rng: ctx.rng });
  }
  const configRecords = topicConfigRecords(name, topic.configs ?? {});
  const topicId = validateOnly
    ? undefined
    : randomUuid(ctx.rng, (id) => takenIds.has(id) || ctx.image.topics.topicById(id) !== undefined);
  const partitionRecords = replicaLists.map((replicas, partitionId) =>
    newPartitionRecord(ctx, topicId ?? 'validate-only', partitionId, replicas),
  );
  if (topicId !== undefined) takenIds.add(topicId);
  const records: MetadataRecord[] =
    topicId === undefined ? [] : [{ type: 'Topic', name, topicId }, ...configRecords, ...partitionRecords];
  return {
    records,
    result: {
      name,
      ...(topicId === undefined ? {} : { topicId }),
      numPartitions: replicaLists.length,
      replicationFactor: replicaLists[0]?.length ?? 0,
      assignments: replicaLists,
    },
  };
}

export function createTopics(
  ctx: CoreContext,
  topics: readonly CreatableTopic[],
  options: CreateTopicsOptions = {},
): ControllerResult<CreateTopicsResponse> {
  const validateOnly = options.validateOnly ?? false;
  if (topics.length > MAX_REQUEST_ENTRIES) {
    throw new ApiError(
      'INVALID_REQUEST',
      `${topics.length} topics in one request exceed the limit of ${MAX_REQUEST_ENTRIES}`,
    );
  }
  const { image } = ctx;
  const counts = new Map<string, number>();
  for (const topic of topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
  const collisions = new Map<string, string>();
  for (const topic of image.topics.topics()) collisions.set(collisionKey(topic.name), topic.name);

  const records: MetadataRecord[] = [];
  const results: CreateTopicResult[] = [];
  const takenIds = new Set<string>();
  for (const topic of topics) {
    const { name } = topic;
    try {
      try {
        validateTopicName(name);
      } catch (error) {
        if (error instanceof InvalidTopicNameError) throw new ApiError('INVALID_TOPIC_EXCEPTION', error.message);
        throw error;
      }
      if ((counts.get(name) ?? 0) > 1)
        throw new ApiError('INVALID_REQUEST', `topic ${name} appears more than once in the request`);
      if (image.topics.topicByName(name) !== undefined)
        throw new ApiError('TOPIC_ALREADY_EXISTS', `topic ${name} already exists`);
      const clash = collisions.get(collisionKey(name));
      if (clash !== undefined) {
        throw new ApiError(
          'INVALID_TOPIC_EXCEPTION',
          `topic ${name} collides with ${clash}: names may not differ only in '.' versus '_'`,
        );
      }
      const planned = planTopic(ctx, topic, validateOnly, takenIds);
      if (records.length + planned.records.length > MAX_RECORDS_PER_USER_OP) {
        throw new ApiError(
          'POLICY_VIOLATION',
          `unable to perform excessively large batch operation: more than ${MAX_RECORDS_PER_USER_OP} records`,
        );
      }
      records.push(...planned.records);
      collisions.set(collisionKey(name), name);
      results.push(planned.result);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      results.push({ name, error });
    }
  }
  const created = results.filter((r) => r.error === undefined);
  const failed = results.filter((r) => r.error !== undefined);
  const parts: string[] = [];
  if (created.length > 0) {
    parts.push(
      `${validateOnly ? 'would create' : 'created'} ${created.map((r) => `${r.name} (${r.numPartitions}x${r.replicationFactor})`).join(', ')}`,
    );
  }
  if (failed.length > 0) parts.push(`refused ${failed.map((r) => `${r.name}: ${r.error?.errorName}`).join(', ')}`);
  return {
    records,
    response: { topics: results, validateOnly },
    summary: `createTopics: ${parts.length === 0 ? 'nothing requested' : parts.join('; ')}`,
  };
}
