/**
 * Kafka's DescribeLogDirs as a pure function: which replicas of the broker's log directory a
 * request asks about, and what is said of each (size, offset lag, is-future) and of the
 * directory (offline, space). The shell reads the replicas, the directory's failure and statfs
 * and hands them in; this decides the answer, so the rules are tested without disks.
 */
import { ApiError } from '@sluice/protocol';
import { assert } from './assert';

/** One local replica as the shell reads it now. */
export interface LogDirReplica {
  readonly topic: string;
  readonly partition: number;
  /** Every local segment's bytes. */
  readonly sizeBytes: number;
  readonly logEndOffset: number;
  /** The leader's high watermark, or the one a follower last heard. */
  readonly highWatermark: number;
}

export interface LogDirState {
  readonly path: string;
  /** Why the directory went offline (an I/O error); null: online. */
  readonly offlineReason: string | null;
  /** statfs of the directory's file system; null: unknown (statfs failed). */
  readonly space: { readonly totalBytes: number; readonly usableBytes: number } | null;
  readonly replicas: readonly LogDirReplica[];
}

/** What a request names: empty = every replica; a topic with no partitions = all its partitions. */
export interface LogDirsQuestion {
  readonly topics: readonly { readonly name: string; readonly partitions: readonly number[] }[];
}

export interface LogDirPartitionAnswer {
  readonly partition: number;
  readonly sizeBytes: number;
  readonly offsetLag: number;
  readonly isFuture: boolean;
}

export interface LogDirAnswer {
  readonly logDir: string;
  readonly errorName: string;
  readonly errorMessage: string;
  readonly topics: readonly { readonly name: string; readonly partitions: readonly LogDirPartitionAnswer[] }[];
  readonly totalBytes: number;
  readonly usableBytes: number;
}

/** Topics one request may name (each costs a lookup; the answer is bounded by the broker's replicas). */
export const MAX_LOG_DIRS_TOPICS = 10_000;
/** Partitions one request may name in all. */
export const MAX_LOG_DIRS_PARTITIONS = 100_000;

/** Refuses a malformed question (INVALID_REQUEST, INVALID_TOPIC_EXCEPTION) before anything is read. */
export function validateLogDirsQuestion(question: LogDirsQuestion): void {
  if (question.topics.length > MAX_LOG_DIRS_TOPICS)
    throw new ApiError('INVALID_REQUEST', `${question.topics.length} topics named, at most ${MAX_LOG_DIRS_TOPICS}`);
  let partitions = 0;
  for (const topic of question.topics) {
    if (topic.name === '') throw new ApiError('INVALID_TOPIC_EXCEPTION', 'a topic name must not be empty');
    partitions += topic.partitions.length;
    const bad = topic.partitions.find((p) => !Number.isInteger(p) || p < 0);
    if (bad !== undefined)
      throw new ApiError('INVALID_REQUEST', `partition ${bad} of topic ${topic.name} must be a non-negative integer`);
  }
  if (partitions > MAX_LOG_DIRS_PARTITIONS)
    throw new ApiError('INVALID_REQUEST', `${partitions} partitions named, at most ${MAX_LOG_DIRS_PARTITIONS}`);
}

/**
 * Kafka's offset lag: for a current (not future) replica, how far its log end is below the high
 * watermark it knows, never negative (a leader's log end is at or above its high watermark).
 */
export function offsetLag(replica: Pick<LogDirReplica, 'logEndOffset' | 'highWatermark'>): number {
  return Math.max(replica.highWatermark - replica.logEndOffset, 0);
}

/**
 * The answer for one log directory. Replicas the question does not name are left out, and so are
 * named topics or partitions this broker holds no replica of (Kafka answers only what it has).
 * Topics come in name order, partitions in index order, so answers compare and page stably.
 */
export function describeLogDir(dir: LogDirState, question: LogDirsQuestion): LogDirAnswer {
  validateLogDirsQuestion(question);
  const space = {
    totalBytes: dir.space?.totalBytes ?? -1,
    usableBytes: dir.space?.usableBytes ?? -1,
  };
  if (dir.offlineReason !== null)
    // Kafka lists an offline directory with KAFKA_STORAGE_ERROR and none of its partitions.
    return {
      logDir: dir.path,
      errorName: 'KAFKA_STORAGE_ERROR',
      errorMessage: `log directory ${dir.path} is offline: ${dir.offlineReason}`,
      topics: [],
      ...space,
    };
  const asked = askedPartitions(question);
  const byTopic = new Map<string, LogDirPartitionAnswer[]>();
  for (const replica of dir.replicas) {
    assert(
      Number.isSafeInteger(replica.sizeBytes) && replica.sizeBytes >= 0,
      `${replica.topic}-${replica.partition}: size ${replica.sizeBytes} must be a non-negative integer`,
    );
    if (asked !== null) {
      const partitions = asked.get(replica.topic);
      if (partitions === undefined || (partitions !== 'all' && !partitions.has(replica.partition))) continue;
    }
    const list = byTopic.get(replica.topic) ?? [];
    list.push({
      partition: replica.partition,
      sizeBytes: replica.sizeBytes,
      offsetLag: offsetLag(replica),
      isFuture: false,
    });
    byTopic.set(replica.topic, list);
  }
  const topics = [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a.partition - b.partition) }));
  return { logDir: dir.path, errorName: '', errorMessage: '', topics, ...space };
}

/** null: every replica; else per topic 'all' or the partitions named. */
function askedPartitions(question: LogDirsQuestion): Map<string, 'all' | Set<number>> | null {
  if (question.topics.length === 0) return null;
  const asked = new Map<string, 'all' | Set<number>>();
  for (const topic of question.topics) {
    const before = asked.get(topic.name);
    if (before === 'all') continue;
    if (topic.partitions.length === 0) {
      asked.set(topic.name, 'all');
      continue;
    }
    const set = before ?? new Set<number>();
    for (const partition of topic.partitions) set.add(partition);
    asked.set(topic.name, set);
  }
  return asked;
}
