/**
 * A retried CreateTopics that finds its own topic. A client that loses the answer to a create
 * (its attempt timed out, or the leader changed before it replied) cannot know whether the
 * write committed, and retries. Without more, the retry of a committed create answers
 * TOPIC_ALREADY_EXISTS and the caller reports a failure for a topic it did create (Kafka's
 * AdminClient has the same race). So a create may carry a topic id chosen by the client, used
 * as the topic's id: a 128-bit random id on the existing topic proves the topic is this
 * request's own earlier attempt, and the retry answers success with the topic as it stands.
 * Anything else under that name (no id sent, another id, or another layout) is still
 * TOPIC_ALREADY_EXISTS: a create of someone else's topic never turns into a success.
 */
import { ZERO_UUID, isUuid, type TopicImage } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import type { CoreContext } from './context';

/** What a retry compares; the fields of `CreatableTopic` it needs. */
export interface RequestedTopic {
  readonly name: string;
  readonly topicId?: string;
  readonly numPartitions?: number;
  readonly replicationFactor?: number;
  readonly assignments?: readonly (readonly number[])[];
  readonly configs?: Readonly<Record<string, string>>;
}

export interface RetriedCreate {
  readonly name: string;
  readonly topicId: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly assignments: readonly (readonly number[])[];
}

/** Kafka's reserved ids: ZERO_UUID and ONE_UUID (the metadata topic's id, `__cluster_metadata`). */
const ONE_UUID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** Refuses a client-chosen topic id that is not a Kafka Uuid (22 base64url chars), or one Kafka reserves. */
export function checkRequestedTopicId(topicId: string): void {
  if (!isUuid(topicId) || topicId === ZERO_UUID || topicId === ONE_UUID) {
    throw new ApiError(
      'INVALID_REQUEST',
      `topic id ${JSON.stringify(topicId)} is not a Kafka Uuid a topic may have (22 base64url characters; not the reserved all-zero or one)`,
    );
  }
}

const isDefault = (value: number | undefined): boolean => value === undefined || value === -1;

/** Why `existing` is not what `topic` asked for, or undefined when it is. */
function layoutMismatch(ctx: CoreContext, topic: RequestedTopic, existing: TopicImage): string | undefined {
  const replicationFactor = existing.partition(0)?.replicas.length ?? 0;
  if (topic.assignments !== undefined) {
    if (topic.assignments.length !== existing.partitionCount) {
      return `${existing.partitionCount} partitions, asked ${topic.assignments.length}`;
    }
    for (const [partitionId, replicas] of topic.assignments.entries()) {
      const registered = existing.partition(partitionId)?.replicas;
      if (registered === undefined || registered.join(',') !== replicas.join(',')) {
        return `partition ${partitionId} on [${registered?.join(',') ?? ''}], asked [${replicas.join(',')}]`;
      }
    }
  } else {
    const numPartitions = isDefault(topic.numPartitions) ? ctx.settings.defaultNumPartitions : topic.numPartitions;
    const askedFactor = isDefault(topic.replicationFactor)
      ? ctx.settings.defaultReplicationFactor
      : topic.replicationFactor;
    if (numPartitions !== existing.partitionCount) {
      return `${existing.partitionCount} partitions, asked ${numPartitions}`;
    }
    if (askedFactor !== replicationFactor) return `replication factor ${replicationFactor}, asked ${askedFactor}`;
  }
  for (const [name, value] of Object.entries(topic.configs ?? {})) {
    const current = ctx.image.configs.value('topic', topic.name, name);
    if (current !== value) return `${name}=${current ?? '(default)'}, asked ${value}`;
  }
  return undefined;
}

/**
 * The answer to a create of a name that already exists: success when the existing topic is
 * this request's own (same client-chosen id, same layout and configs), else TOPIC_ALREADY_EXISTS.
 */
export function retriedCreate(ctx: CoreContext, topic: RequestedTopic, existing: TopicImage): RetriedCreate {
  if (topic.topicId === undefined || topic.topicId !== existing.topicId) {
    throw new ApiError('TOPIC_ALREADY_EXISTS', `topic ${topic.name} already exists`);
  }
  const mismatch = layoutMismatch(ctx, topic, existing);
  if (mismatch !== undefined) {
    throw new ApiError(
      'TOPIC_ALREADY_EXISTS',
      `topic ${topic.name} already exists with id ${existing.topicId}, but not as this request asks: ${mismatch}`,
    );
  }
  const assignments: number[][] = [];
  for (let partitionId = 0; partitionId < existing.partitionCount; partitionId++) {
    assignments.push([...(existing.partition(partitionId)?.replicas ?? [])]);
  }
  return {
    name: topic.name,
    topicId: existing.topicId,
    numPartitions: existing.partitionCount,
    replicationFactor: assignments[0]?.length ?? 0,
    assignments,
  };
}
