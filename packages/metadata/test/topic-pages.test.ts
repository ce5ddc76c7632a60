import fc from 'fast-check';
import { ApiError } from '@sluice/protocol';
import {
  DEFAULT_RESPONSE_PARTITION_LIMIT,
  MAX_RESPONSE_PARTITION_LIMIT,
  MetadataDelta,
  MetadataImage,
  planTopicPage,
  uuidFromBytes,
  type MetadataRecord,
  type TopicPartitionCursor,
} from '@sluice/metadata';

function topicId(index: number): string {
  const bytes = new Uint8Array(16);
  bytes[15] = index + 1;
  bytes[0] = 0x33;
  return uuidFromBytes(bytes);
}

/** Topics named by `names`, with `counts[i]` partitions each, on broker 1. */
function imageOf(names: readonly string[], counts: readonly number[]): MetadataImage {
  const records: MetadataRecord[] = [
    {
      type: 'BrokerRegistration',
      brokerId: 1,
      brokerEpoch: 1,
      incarnationId: 'q1Sh-9_ISia_MbCI9kpKcg',
      listeners: [{ name: 'PLAINTEXT', host: 'b1', port: 9092 }],
      rack: null,
      fenced: false,
    },
  ];
  names.forEach((name, t) => {
    records.push({ type: 'Topic', name, topicId: topicId(t) });
    for (let p = 0; p < (counts[t] as number); p++)
      records.push({
        type: 'Partition',
        topicId: topicId(t),
        partitionId: p,
        replicas: [1],
        isr: [1],
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
      });
  });
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  records.forEach((record, i) => delta.replay(record, { offset: i + 1, epoch: 1 }));
  return delta.apply();
}

/** Follows every page; returns (name, partition) pairs in answer order and the page sizes. */
function walk(
  image: MetadataImage,
  names: readonly string[],
  limit: number,
): { items: string[]; pageSizes: number[]; pages: number } {
  const items: string[] = [];
  const pageSizes: number[] = [];
  let cursor: TopicPartitionCursor | null = null;
  for (let pages = 1; pages < 10_000; pages++) {
    const page = planTopicPage(image, { names, cursor, partitionLimit: limit });
    let size = 0;
    for (const entry of page.entries) {
      if (entry.kind === 'unknown') {
        items.push(`${entry.name}:?`);
        size++;
        continue;
      }
      for (let p = entry.firstPartition; p < entry.endPartition; p++) items.push(`${entry.topic.name}:${p}`);
      size += entry.endPartition - entry.firstPartition;
    }
    pageSizes.push(size);
    if (page.nextCursor === null) return { items, pageSizes, pages };
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

describe('planTopicPage (paged DescribeTopics / Metadata)', () => {
  it('walks every partition of every topic once, in name order, whatever the page size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 0, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 1, max: 20 }),
        (names, counts, limit) => {
          const image = imageOf(names, counts);
          const expected = [...names]
            .sort()
            .flatMap((name) => Array.from({ length: counts[names.indexOf(name)] as number }, (_, p) => `${name}:${p}`));
          const { items, pageSizes } = walk(image, [], limit);
          expect(items).toEqual(expected);
          // Every page is full but the last.
          for (const size of pageSizes.slice(0, -1)) expect(size).toBe(limit);
          expect(pageSizes.at(-1)).toBeLessThanOrEqual(limit);
        },
      ),
      { seed: 18, numRuns: 200 },
    );
  });

  it('answers named topics in the order asked, each once, unknown ones as one item each', () => {
    const image = imageOf(['a', 'b', 'c'], [3, 1, 2]);
    const { items } = walk(image, ['c', 'zz', 'a', 'c', 'b'], 2);
    expect(items).toEqual(['c:0', 'c:1', 'zz:?', 'a:0', 'a:1', 'a:2', 'b:0']);
  });

  it('a page ends on a topic boundary or splits the topic; the cursor resumes inside it', () => {
    const image = imageOf(['big', 'small'], [5, 1]);
    const first = planTopicPage(image, { names: [], cursor: null, partitionLimit: 3 });
    expect(first.entries).toEqual([expect.objectContaining({ kind: 'topic', firstPartition: 0, endPartition: 3 })]);
    expect(first.nextCursor).toEqual({ topicName: 'big', partitionIndex: 3 });
    const second = planTopicPage(image, { names: [], cursor: first.nextCursor, partitionLimit: 3 });
    expect(
      second.entries.map((e) => (e.kind === 'topic' ? [e.topic.name, e.firstPartition, e.endPartition] : e)),
    ).toEqual([
      ['big', 3, 5],
      ['small', 0, 1],
    ]);
    expect(second.nextCursor).toBeNull();
  });

  it('resumes after a topic deleted between pages at the next name', () => {
    const before = imageOf(['a', 'b', 'c'], [2, 2, 2]);
    const first = planTopicPage(before, { names: [], cursor: null, partitionLimit: 3 });
    expect(first.nextCursor).toEqual({ topicName: 'b', partitionIndex: 1 });
    const after = imageOf(['a', 'c'], [2, 2]);
    const second = planTopicPage(after, { names: [], cursor: first.nextCursor, partitionLimit: 3 });
    expect(second.entries.map((e) => (e.kind === 'topic' ? `${e.topic.name}:${e.firstPartition}` : ''))).toEqual([
      'c:0',
    ]);
  });

  it('uses the default for 0 and caps large limits; refuses bad limits and cursors', () => {
    const image = imageOf(['t'], [1]);
    const refused = (request: Parameters<typeof planTopicPage>[1]): string => {
      try {
        planTopicPage(image, request);
      } catch (error) {
        if (error instanceof ApiError) return error.errorName;
        throw error;
      }
      return 'accepted';
    };
    expect(refused({ names: [], cursor: null, partitionLimit: -1 })).toBe('INVALID_REQUEST');
    expect(refused({ names: [], cursor: { topicName: '', partitionIndex: 0 }, partitionLimit: 0 })).toBe(
      'INVALID_REQUEST',
    );
    expect(refused({ names: [], cursor: { topicName: 't', partitionIndex: -3 }, partitionLimit: 0 })).toBe(
      'INVALID_REQUEST',
    );
    expect(refused({ names: ['t'], cursor: { topicName: 'u', partitionIndex: 0 }, partitionLimit: 0 })).toBe(
      'INVALID_REQUEST',
    );
    expect(refused({ names: Array.from({ length: 10_001 }, (_, i) => `n${i}`), cursor: null, partitionLimit: 0 })).toBe(
      'INVALID_REQUEST',
    );
    const wide = imageOf(['w'], [1]);
    expect(walk(wide, [], 0).pageSizes).toEqual([1]);
    expect(DEFAULT_RESPONSE_PARTITION_LIMIT).toBeLessThan(MAX_RESPONSE_PARTITION_LIMIT);
  });

  it('images that differ only in partitions share one sorted topic order', () => {
    const image = imageOf(['b', 'a'], [2, 2]);
    const names = image.topics.sortedNames();
    expect(names).toEqual(['a', 'b']);
    const topic = image.topics.topicByName('a')!;
    const delta = new MetadataDelta(image);
    delta.replay(
      { type: 'PartitionChange', topicId: topic.topicId, partitionId: 0, leader: -1 },
      { offset: 1_000, epoch: 1 },
    );
    const moved = delta.apply();
    expect(moved.topics.partition(topic.topicId, 0)?.leader).toBe(-1);
    expect(moved.topics.sortedNames()).toBe(names);
    const grown = new MetadataDelta(moved);
    grown.replay({ type: 'Topic', name: 'c', topicId: topicId(7) }, { offset: 1_001, epoch: 1 });
    grown.replay(
      {
        type: 'Partition',
        topicId: topicId(7),
        partitionId: 0,
        replicas: [1],
        isr: [1],
        leader: 1,
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
      { offset: 1_002, epoch: 1 },
    );
    expect(grown.apply().topics.sortedNames()).toEqual(['a', 'b', 'c']);
  });
});
