/**
 * Following paged topic answers (the controller's DescribeTopics, a broker's Metadata): ask
 * with each answer's `next_cursor` until an answer has none, and join a topic that an answer
 * split (its last entry and the next answer's first share a name) back into one entry.
 */
import { ApiError } from '@sluice/protocol';
import type { TopicPartitionCursor } from '@sluice/proto';

/** Pages one listing may take before the client gives up (a server whose cursor never ends). */
export const MAX_PAGES_PER_LISTING = 100_000;

export interface PagedAnswer<T> {
  readonly topics: readonly T[];
  readonly nextCursor: TopicPartitionCursor | null;
}

export interface SplittableTopic<P> {
  readonly name: string;
  readonly partitions: readonly P[];
}

function sameCursor(a: TopicPartitionCursor, b: TopicPartitionCursor): boolean {
  return a.topicName === b.topicName && a.partitionIndex === b.partitionIndex;
}

/**
 * Calls `fetchPage` from the first page (cursor null) to the last, handing each answer to
 * `onPage` as it arrives. A cursor that does not move is the server's bug, refused with
 * UNKNOWN_SERVER_ERROR rather than followed forever.
 */
export async function followPages<A extends PagedAnswer<unknown>>(
  fetchPage: (cursor: TopicPartitionCursor | null) => Promise<A>,
  onPage: (answer: A) => void,
): Promise<void> {
  let cursor: TopicPartitionCursor | null = null;
  for (let pages = 0; pages < MAX_PAGES_PER_LISTING; pages++) {
    const answer = await fetchPage(cursor);
    onPage(answer);
    const next = answer.nextCursor;
    if (next === null || next === undefined) return;
    if (cursor !== null && sameCursor(cursor, next))
      throw new ApiError(
        'UNKNOWN_SERVER_ERROR',
        `the server answered cursor ${next.topicName}/${next.partitionIndex} with the same cursor`,
      );
    cursor = { topicName: next.topicName, partitionIndex: next.partitionIndex };
  }
  throw new ApiError('UNKNOWN_SERVER_ERROR', `listing did not end within ${MAX_PAGES_PER_LISTING} pages`);
}

/**
 * Appends one page's topics to `into`, joining a topic continued from the previous page (same
 * name as the last entry so far) onto that entry.
 */
export function appendTopicPage<P, T extends SplittableTopic<P>>(into: T[], page: readonly T[]): void {
  for (const [k, topic] of page.entries()) {
    const last = into[into.length - 1];
    if (k === 0 && last !== undefined && last.name === topic.name) {
      into[into.length - 1] = { ...last, partitions: [...last.partitions, ...topic.partitions] };
    } else {
      into.push(topic);
    }
  }
}

/** Every page's topics joined (see appendTopicPage). */
export async function collectTopicPages<P, T extends SplittableTopic<P>, A extends PagedAnswer<T>>(
  fetchPage: (cursor: TopicPartitionCursor | null) => Promise<A>,
): Promise<{ readonly topics: T[]; readonly pages: A[] }> {
  const topics: T[] = [];
  const pages: A[] = [];
  await followPages(fetchPage, (answer) => {
    appendTopicPage(topics, answer.topics);
    pages.push(answer);
  });
  return { topics, pages };
}
