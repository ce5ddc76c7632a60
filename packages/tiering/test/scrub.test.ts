import { parseObjectKey, planScrub, remoteObjectKey, remoteObjectKeys, type RemoteSegmentMetadata } from '../src';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const segment: RemoteSegmentMetadata = {
  id: { topicId: TOPIC_ID, topic: 'click-stream', partition: 7, uploadId: 'b1e3c9d0-1f' },
  startOffset: 4200,
  endOffset: 4299,
  maxTimestampMs: 1,
  leaderEpoch: 12,
  segmentSizeBytes: 100,
  segmentLeaderEpochs: [[12, 4200]],
  brokerId: 1,
};

describe('scrub', () => {
  it('parses the keys remoteObjectKey writes, and nothing else', () => {
    for (const file of ['log', 'index', 'timeindex', 'leader-epoch-checkpoint', 'producer-snapshot'] as const) {
      expect(parseObjectKey('p/', remoteObjectKey('p/', segment, file))).toEqual({
        topic: 'click-stream',
        topicId: TOPIC_ID,
        partition: 7,
        baseOffset: 4200,
        leaderEpoch: 12,
        uploadId: 'b1e3c9d0-1f',
        file,
      });
    }
    expect(
      parseObjectKey('p/', 'other/click-stream-AAAAAAAAAAAAAAAAAAAAAQ/7/00000000000000004200-12-u.log'),
    ).toBeNull();
    expect(parseObjectKey('p/', 'p/notes.txt')).toBeNull();
    expect(parseObjectKey('p/', 'p/click-stream-short/7/00000000000000004200-12-u.log')).toBeNull();
    expect(parseObjectKey('p/', `p/click-stream-${TOPIC_ID}/7/4200-12-u.log`)).toBeNull();
  });

  it('deletes only unnamed objects of our layout older than the grace period', () => {
    const named = new Set(remoteObjectKeys('p/', segment));
    const orphanKey = remoteObjectKey('p/', { ...segment, id: { ...segment.id, uploadId: 'lost' } }, 'log');
    const youngKey = remoteObjectKey('p/', { ...segment, id: { ...segment.id, uploadId: 'starting' } }, 'log');
    const objects = [
      ...[...named].map((key) => ({ key, sizeBytes: 1, lastModifiedMs: 0 })),
      { key: orphanKey, sizeBytes: 5, lastModifiedMs: 1_000 },
      { key: youngKey, sizeBytes: 5, lastModifiedMs: 9_500 },
      { key: 'p/README', sizeBytes: 5, lastModifiedMs: 0 },
    ];
    const plan = planScrub('p/', objects, named, 10_000, 1_000);
    expect(plan.orphans.map((o) => o.key)).toEqual([orphanKey]);
    expect(plan.tooYoung.map((o) => o.key)).toEqual([youngKey]);
    expect(plan.named).toBe(5);
    expect(plan.foreign).toBe(1);
  });
});
