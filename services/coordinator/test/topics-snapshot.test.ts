import type { MetadataResponse__Output } from '@sluice/proto';
import { TopicsSnapshot } from '../src/node/topics-snapshot';

const metadata = (topics: Record<string, number>, failed: string[] = []): MetadataResponse__Output =>
  ({
    brokers: [],
    topics: [
      ...Object.entries(topics).map(([name, count]) => ({
        name,
        errorName: '',
        partitions: Array.from({ length: count }, (_, partition) => ({ partition })),
      })),
      ...failed.map((name) => ({ name, errorName: 'UNKNOWN_TOPIC_OR_PARTITION', partitions: [] })),
    ],
  }) as unknown as MetadataResponse__Output;

describe('TopicsSnapshot', () => {
  it('counts partitions of topics without errors and moves its version only on a change', () => {
    const topics = new TopicsSnapshot();
    expect(topics.update(metadata({ a: 3, b: 1 }, ['gone']))).toBe(true);
    const first = topics.metadataVersion();
    expect([topics.partitionCount('a'), topics.partitionCount('b'), topics.partitionCount('gone')]).toEqual([
      3,
      1,
      undefined,
    ]);
    expect(topics.topicNames().sort()).toEqual(['a', 'b']);
    // The same answer again (the ownership loop refreshes often): no new version.
    expect(topics.update(metadata({ b: 1, a: 3 }))).toBe(false);
    expect(topics.metadataVersion()).toBe(first);
    // More partitions, a new topic, a deleted topic: each a new version.
    expect(topics.update(metadata({ a: 4, b: 1 }))).toBe(true);
    expect(topics.update(metadata({ a: 4, b: 1, c: 2 }))).toBe(true);
    expect(topics.update(metadata({ a: 4, c: 2 }))).toBe(true);
    expect(topics.metadataVersion()).toBe(first + 3);
    expect(topics.partitionCount('b')).toBeUndefined();
  });
});
