import { ConsumerLag, type CommittedOffset } from '../src/node/consumer-lag';

describe('ConsumerLag', () => {
  it('computes lag from committed offsets and the last high watermarks read, per group, topic and partition', async () => {
    const committed: CommittedOffset[] = [
      { groupId: 'billing', topic: 'orders', partition: 0, offset: 10 },
      { groupId: 'billing', topic: 'orders', partition: 1, offset: 50 },
      { groupId: 'audit', topic: 'orders', partition: 0, offset: 0 },
      { groupId: 'audit', topic: 'gone', partition: 0, offset: 3 },
    ];
    const asked: string[] = [];
    const lag = new ConsumerLag({
      committed: () => committed,
      highWatermarks: async (topic, partitions) => {
        asked.push(`${topic}:${[...partitions].sort().join(',')}`);
        if (topic === 'gone') throw new Error('UNKNOWN_TOPIC_OR_PARTITION');
        return new Map([
          [0, 25],
          [1, 40],
        ]);
      },
      maxPartitions: 100,
    });
    // Nothing read yet: no series.
    expect([...lag.samples()]).toEqual([]);
    await lag.refresh();
    expect(asked).toEqual(['orders:0,1', 'gone:0']);
    expect([...lag.samples()]).toEqual([
      { groupId: 'billing', topic: 'orders', partition: 0, lag: 15 },
      // A committed offset past the high watermark read earlier is no lag, never negative.
      { groupId: 'billing', topic: 'orders', partition: 1, lag: 0 },
      { groupId: 'audit', topic: 'orders', partition: 0, lag: 25 },
    ]);
    expect(lag.untrackedPartitions).toBe(0);
  });

  it('tracks at most maxPartitions partitions and says how many it left out', async () => {
    const committed: CommittedOffset[] = Array.from({ length: 5 }, (_, partition) => ({
      groupId: 'g',
      topic: 't',
      partition,
      offset: 0,
    }));
    const lag = new ConsumerLag({
      committed: () => committed,
      highWatermarks: async (_topic, partitions) => new Map(partitions.map((p) => [p, 100])),
      maxPartitions: 3,
    });
    await lag.refresh();
    expect([...lag.samples()].map((s) => s.partition)).toEqual([0, 1, 2]);
    expect(lag.untrackedPartitions).toBe(2);
    expect(
      () => new ConsumerLag({ ...{ committed: () => [], highWatermarks: async () => new Map() }, maxPartitions: 0 }),
    ).toThrow(RangeError);
  });
});
