import { deletedTopicPartitions } from '../src/deleted-topic-cleanup';

const LIVE = 'LLLLLLLLLLLLLLLLLLLLLL';
const DEAD = 'DDDDDDDDDDDDDDDDDDDDDD';

const object = (key: string, lastModifiedMs: number) => ({ key, sizeBytes: 1, lastModifiedMs });

describe('deletedTopicPartitions', () => {
  const objects = [
    object(`p/orders-${LIVE}/0/00000000000000000000-0-u1.log`, 1_000),
    object(`p/old-${DEAD}/1/00000000000000000000-0-u2.log`, 1_000),
    object(`p/old-${DEAD}/1/00000000000000000000-0-u2.index`, 5_000),
    object(`p/old-${DEAD}/0/00000000000000000000-0-u3.log`, 2_000),
    object('p/notes/readme.txt', 0),
    object(`q/old-${DEAD}/2/00000000000000000000-0-u4.log`, 0),
  ];

  it('names partitions of topic ids that are not live, past the grace period of their newest object', () => {
    expect(deletedTopicPartitions('p/', objects, new Set([LIVE]), 10_000, 1_000)).toEqual([
      { topic: 'old', topicId: DEAD, partition: 0, newestObjectMs: 2_000 },
      { topic: 'old', topicId: DEAD, partition: 1, newestObjectMs: 5_000 },
    ]);
  });

  it('waits for the grace period after the newest object, and leaves live topics and foreign keys alone', () => {
    expect(deletedTopicPartitions('p/', objects, new Set([LIVE]), 6_000, 4_000)).toEqual([
      { topic: 'old', topicId: DEAD, partition: 0, newestObjectMs: 2_000 },
    ]);
    expect(deletedTopicPartitions('p/', objects, new Set([LIVE, DEAD]), 10_000, 0)).toEqual([]);
  });
});
