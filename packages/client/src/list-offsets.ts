/**
 * ListOffsets at each partition's leader: the earliest offset (-2), the high watermark (-1), or
 * the first offset with a timestamp at or after a given time. Used by the Consumer (positions,
 * seeks) and the Admin. Leader moves and unreachable leaders are retried with backoff, with a
 * metadata refresh between rounds, until `requestTimeoutMs`.
 */
import { fromGrpcError, unaryCall } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import type { TopicPartition } from './accumulator';
import type { ClusterMetadata } from './cluster-metadata';
import { apiErrorFromName } from './errors';
import { backoffMs } from './producer-config';

export interface OffsetAndTimestamp {
  /** -1: no record at or after the timestamp. */
  readonly offset: number;
  readonly timestamp: number;
}

export interface ListOffsetsOptions {
  readonly requestTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  /** Stops retrying once this says the caller closed. */
  readonly isClosed?: () => boolean;
}

export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;
/** KIP-405's EARLIEST_LOCAL_TIMESTAMP: the leader's local log start offset. */
export const EARLIEST_LOCAL_TIMESTAMP = -4;

/** Key of a topic partition in the maps the lookups return. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

const keyOf = topicPartitionKey;

/**
 * ListOffsets for each partition at its leader (-2 earliest, -1 latest, else a timestamp),
 * retrying leader moves until request.timeout.ms.
 */
export async function listOffsets(
  metadata: ClusterMetadata,
  topicPartitions: readonly TopicPartition[],
  timestamp: number,
  options: ListOffsetsOptions,
): Promise<Map<string, OffsetAndTimestamp>> {
  const deadline = Date.now() + options.requestTimeoutMs;
  const results = new Map<string, OffsetAndTimestamp>();
  let todo = [...new Map(topicPartitions.map((tp) => [keyOf(tp.topic, tp.partition), tp])).values()];
  let lastError: ApiError | undefined;
  for (let attempt = 1; todo.length > 0; attempt++) {
    const topics = todo.map((tp) => tp.topic);
    if (topics.some((topic) => metadata.topic(topic) === undefined)) await metadata.refresh(topics);
    const byBroker = new Map<string, TopicPartition[]>();
    const retry: TopicPartition[] = [];
    for (const tp of todo) {
      const known = metadata.topic(tp.topic);
      if (known === undefined)
        throw (
          metadata.topicError(tp.topic) ??
          new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${tp.topic} does not exist`)
        );
      if (tp.partition >= known.partitions.length)
        throw new ApiError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `topic ${tp.topic} has no partition ${tp.partition} (it has ${known.partitions.length})`,
        );
      const leader = metadata.leaderFor(tp.topic, tp.partition);
      if (leader === undefined) {
        retry.push(tp);
        lastError = new ApiError('LEADER_NOT_AVAILABLE', `${tp.topic}-${tp.partition} has no leader`);
        continue;
      }
      const list = byBroker.get(leader.address) ?? [];
      list.push(tp);
      byBroker.set(leader.address, list);
    }
    await Promise.all(
      [...byBroker].map(async ([address, list]) => {
        const topics = new Map<string, { partition: number; timestamp: number; currentLeaderEpoch: number }[]>();
        for (const tp of list) {
          const entry = topics.get(tp.topic) ?? [];
          entry.push({
            partition: tp.partition,
            timestamp,
            currentLeaderEpoch: metadata.leaderFor(tp.topic, tp.partition)?.leaderEpoch ?? -1,
          });
          topics.set(tp.topic, entry);
        }
        try {
          const answer = await unaryCall(
            metadata.client(address),
            'ListOffsets',
            { topics: [...topics].map(([name, partitions]) => ({ name, partitions })) },
            {
              timeoutMs: Math.max(1, Math.min(options.requestTimeoutMs, deadline - Date.now())),
            },
          );
          for (const topic of answer.topics) {
            for (const p of topic.partitions) {
              const tp = { topic: topic.name, partition: p.partition };
              if (p.errorName === '' || p.errorName === 'NONE') {
                results.set(keyOf(tp.topic, tp.partition), {
                  offset: Number(p.offset),
                  timestamp: Number(p.timestamp),
                });
                continue;
              }
              const error = apiErrorFromName(p.errorName, p.errorMessage);
              if (!error.retriable) throw error;
              lastError = error;
              retry.push(tp);
            }
          }
        } catch (error) {
          const apiError = error instanceof ApiError ? error : fromGrpcError(error);
          if (!apiError.retriable) throw apiError;
          lastError = apiError;
          retry.push(...list);
        }
      }),
    );
    todo = retry.filter((tp) => !results.has(keyOf(tp.topic, tp.partition)));
    if (todo.length === 0) break;
    if (Date.now() >= deadline || (options.isClosed?.() ?? false))
      throw (
        lastError ??
        new ApiError('REQUEST_TIMED_OUT', `ListOffsets did not complete within ${options.requestTimeoutMs} ms`)
      );
    await metadata.refresh().catch(() => undefined);
    await sleep(
      Math.min(
        Math.max(0, deadline - Date.now()),
        backoffMs(attempt, options.retryBackoffMs, options.retryBackoffMaxMs),
      ),
    );
  }
  return results;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
