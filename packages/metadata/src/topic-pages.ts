/**
 * Paging of topic descriptions that grow with the cluster (the controller's DescribeTopics, the
 * broker's Metadata), as Kafka's DescribeTopicPartitions (KIP-966) pages them: an answer holds at
 * most a partition budget, a topic larger than what is left of it is split across answers, and a
 * cursor (topic name, first partition index not yet answered) says where the next one resumes.
 *
 * Every topic: name order, so a page can resume after topics created or deleted between pages
 * (a deleted cursor topic resumes at the next name). Named topics: the order asked, each name
 * once; the cursor must name one of them. An unknown name costs one unit of the budget (its
 * error entry), so a page of unknown names is bounded too.
 */
import { ApiError } from '@sluice/protocol';
import type { MetadataImage } from './metadata-image';
import type { TopicImage } from './topics-image';

/** Partitions per answer when the caller does not say (Kafka's max.request.partition.size.limit). */
export const DEFAULT_RESPONSE_PARTITION_LIMIT = 2_000;
/** The most a caller may ask for per answer; more is cut to this (Kafka clamps the same way). */
export const MAX_RESPONSE_PARTITION_LIMIT = 10_000;
/** Topics one request may name. */
export const MAX_PAGED_TOPIC_NAMES = 10_000;

export interface TopicPartitionCursor {
  readonly topicName: string;
  readonly partitionIndex: number;
}

export interface TopicPageRequest {
  /** Empty: every topic. */
  readonly names: readonly string[];
  readonly cursor: TopicPartitionCursor | null;
  /** 0: DEFAULT_RESPONSE_PARTITION_LIMIT. */
  readonly partitionLimit: number;
}

/** One entry of a page: partitions [firstPartition, endPartition) of a topic, or a name not in the image. */
export type TopicPageEntry =
  | {
      readonly kind: 'topic';
      readonly topic: TopicImage;
      readonly firstPartition: number;
      readonly endPartition: number;
    }
  | { readonly kind: 'unknown'; readonly name: string };

export interface TopicPage {
  readonly entries: readonly TopicPageEntry[];
  /** Null on the last page. */
  readonly nextCursor: TopicPartitionCursor | null;
}

/** The budget a request gets: INVALID_REQUEST below 0, the default for 0, the maximum above it. */
export function effectivePartitionLimit(requested: number): number {
  if (!Number.isSafeInteger(requested) || requested < 0)
    throw new ApiError('INVALID_REQUEST', `response partition limit ${requested} must be 0 (default) or positive`);
  if (requested === 0) return DEFAULT_RESPONSE_PARTITION_LIMIT;
  return Math.min(requested, MAX_RESPONSE_PARTITION_LIMIT);
}

function checkCursor(cursor: TopicPartitionCursor | null): void {
  if (cursor === null) return;
  if (cursor.topicName === '') throw new ApiError('INVALID_REQUEST', 'the cursor names no topic');
  if (!Number.isSafeInteger(cursor.partitionIndex) || cursor.partitionIndex < 0)
    throw new ApiError('INVALID_REQUEST', `cursor partition index ${cursor.partitionIndex} is negative`);
}

/** First index in sorted `names` whose name is >= `name` (binary search). */
function lowerBound(names: readonly string[], name: string): number {
  let low = 0;
  let high = names.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((names[mid] as string) < name) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Plans one page: which topics (and which of their partitions) it holds, and the cursor of the
 * next. Throws INVALID_REQUEST for a negative limit or cursor index, an empty cursor name, a
 * cursor naming a topic the request does not, or more than MAX_PAGED_TOPIC_NAMES names.
 */
export function planTopicPage(image: MetadataImage, request: TopicPageRequest): TopicPage {
  const budgetTotal = effectivePartitionLimit(request.partitionLimit);
  checkCursor(request.cursor);
  if (request.names.length > MAX_PAGED_TOPIC_NAMES)
    throw new ApiError(
      'INVALID_REQUEST',
      `${request.names.length} topics named, at most ${MAX_PAGED_TOPIC_NAMES} per request`,
    );
  const all = request.names.length === 0;
  const names = all ? image.topics.sortedNames() : [...new Set(request.names)];
  let at = 0;
  let firstPartition = 0;
  if (request.cursor !== null) {
    const { topicName, partitionIndex } = request.cursor;
    if (all) {
      at = lowerBound(names, topicName);
      // The cursor's topic itself resumes mid-way; a later one (the cursor's was deleted) from 0.
      if (names[at] === topicName) firstPartition = partitionIndex;
    } else {
      at = names.indexOf(topicName);
      if (at < 0)
        throw new ApiError('INVALID_REQUEST', `the cursor names topic ${JSON.stringify(topicName)}, not one asked for`);
      firstPartition = partitionIndex;
    }
  }
  const entries: TopicPageEntry[] = [];
  let budget = budgetTotal;
  for (; at < names.length; at++, firstPartition = 0) {
    const name = names[at] as string;
    if (budget === 0) return { entries, nextCursor: { topicName: name, partitionIndex: firstPartition } };
    const topic = image.topics.topicByName(name);
    if (topic === undefined) {
      // Every name of `sortedNames` is in the image; only a named request meets an unknown one.
      entries.push({ kind: 'unknown', name });
      budget--;
      continue;
    }
    const count = topic.partitionCount;
    // A cursor past the end (the topic was re-created smaller between pages): nothing left of it.
    // A topic without partitions yet (its records not all applied) is still listed, as before paging.
    if (firstPartition > 0 && firstPartition >= count) continue;
    const end = Math.min(count, firstPartition + budget);
    entries.push({ kind: 'topic', topic, firstPartition, endPartition: end });
    budget -= end - firstPartition;
    if (end < count) return { entries, nextCursor: { topicName: name, partitionIndex: end } };
  }
  return { entries, nextCursor: null };
}
