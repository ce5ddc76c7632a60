import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batch } from './support/local-brokers';
import { image, manager, withTopicConfigs } from './support/replica-manager-fixture';
import { received } from './support/wire';

describe('ReplicaManager rules', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-replicas-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const produce = (m: ReturnType<typeof manager>, acks: number, partition = 0) =>
    m
      .produce(
        received('Produce', {
          acks,
          timeoutMs: 1_000,
          topics: [{ name: 't', partitions: [{ partition, records: batch(0, 2) }] }],
        }),
      )
      .then((r) => r.topics![0]!.partitions![0]!);

  it('a fenced broker serves no writes, and takes them again once unfenced', async () => {
    const m = manager(dir);
    try {
      m.setFenced(true);
      expect((await produce(m, 1)).errorName).toBe('NOT_LEADER_OR_FOLLOWER');
      expect(m.replica('t', 0)!.log.logEndOffset).toBe(0);
      m.setFenced(false);
      expect((await produce(m, 1)).errorName).toBe('');
    } finally {
      m.stop();
    }
  });

  it('refuses bad acks for the whole request and unknown partitions per partition', async () => {
    const m = manager(dir);
    try {
      await expect(produce(m, 2)).rejects.toMatchObject({ errorName: 'INVALID_REQUIRED_ACKS' });
      expect((await produce(m, 1, 7)).errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    } finally {
      m.stop();
    }
  });

  it('times out an acks=all produce the followers never confirm, keeping the records', async () => {
    const m = manager(dir);
    m.start();
    try {
      const result = await m.produce(
        received('Produce', {
          acks: -1,
          timeoutMs: 200,
          topics: [{ name: 't', partitions: [{ partition: 0, records: batch(0, 2) }] }],
        }),
      );
      expect(result.topics![0]!.partitions![0]!.errorName).toBe('REQUEST_TIMED_OUT');
      expect(m.replica('t', 0)!.log.logEndOffset).toBe(2);
    } finally {
      m.stop();
    }
  });

  it('appendProduce has the records in the log when it returns (a ProduceStream relies on it), and refuses bad acks before appending', async () => {
    const m = manager(dir);
    m.start();
    try {
      const answered = m.appendProduce(
        received('Produce', {
          acks: -1,
          timeoutMs: 200,
          topics: [{ name: 't', partitions: [{ partition: 0, records: batch(0, 2) }] }],
        }),
      );
      // Before any await: the append is done, only acks=all is pending.
      expect(m.replica('t', 0)!.log.logEndOffset).toBe(2);
      expect(() =>
        m.appendProduce(
          received('Produce', {
            acks: 2,
            timeoutMs: 200,
            topics: [{ name: 't', partitions: [{ partition: 0, records: batch(0, 2) }] }],
          }),
        ),
      ).toThrow(expect.objectContaining({ errorName: 'INVALID_REQUIRED_ACKS' }));
      expect(m.replica('t', 0)!.log.logEndOffset).toBe(2);
      expect((await answered).topics![0]!.partitions![0]!.errorName).toBe('REQUEST_TIMED_OUT');
    } finally {
      m.stop();
    }
  });

  it('retention applies the topic configs (also changed ones) and never deletes at or above the high watermark', async () => {
    const m = manager(dir, { 'retention.ms': '-1' });
    try {
      const replica = m.replica('t', 0)!;
      expect(replica.log.config.retentionMs).toBe(-1);
      // Four committed-looking batches of two records, one segment each, then an empty active one.
      for (let i = 0; i < 4; i++) {
        expect((await produce(m, 1)).errorName).toBe('');
        replica.log.roll();
      }
      expect(replica.log.segmentBaseOffsets()).toEqual([0, 2, 4, 6, 8]);
      expect(m.runRetention()).toBe(0);

      // The batches' timestamps (2023) are far past a 1 s retention.ms once the topic says so.
      m.applyImage(withTopicConfigs(image({ 'retention.ms': '-1' }), { 'retention.ms': '1000' }));
      expect(replica.log.config.retentionMs).toBe(1_000);
      // Follower 2 is in the ISR and has fetched nothing: the high watermark is 0, nothing goes.
      expect(replica.highWatermark).toBe(0);
      expect(m.runRetention()).toBe(0);
      expect(replica.log.logStartOffset).toBe(0);

      const followerFetch = async (fetchOffset: number) => {
        const response = await m.fetch(
          received('Fetch', {
            replicaId: 2,
            replicaEpoch: 1,
            maxWaitMs: 0,
            minBytes: 0,
            maxBytes: 1 << 20,
            topics: [
              {
                name: 't',
                partitions: [
                  {
                    partition: 0,
                    fetchOffset,
                    currentLeaderEpoch: 0,
                    lastFetchedEpoch: -1,
                    logStartOffset: 0,
                    partitionMaxBytes: 1 << 20,
                  },
                ],
              },
            ],
          }),
        );
        return response.topics![0]!.partitions![0]!;
      };
      expect((await followerFetch(5)).errorName).toBe('');
      expect(replica.highWatermark).toBe(5);
      // Only segments wholly below 5 go: [0,1] and [2,3]; [4,5] holds offset 5 and stays.
      expect(m.runRetention()).toBe(2);
      expect(replica.log.logStartOffset).toBe(4);
      expect(replica.log.segmentBaseOffsets()).toEqual([4, 6, 8]);

      const earliest = await m.listOffsets(
        received('ListOffsets', {
          topics: [{ name: 't', partitions: [{ partition: 0, timestamp: -2, currentLeaderEpoch: -1 }] }],
        }),
      );
      expect(Number(earliest.topics![0]!.partitions![0]!.offset)).toBe(4);
      const below = await m.fetch(
        received('Fetch', {
          replicaId: -1,
          replicaEpoch: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          topics: [
            {
              name: 't',
              partitions: [
                {
                  partition: 0,
                  fetchOffset: 2,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                  logStartOffset: 0,
                  partitionMaxBytes: 1 << 20,
                },
              ],
            },
          ],
        }),
      );
      expect(below.topics![0]!.partitions![0]!.errorName).toBe('OFFSET_OUT_OF_RANGE');
      // A follower fetching below the start learns where the log starts now.
      const tooLow = await followerFetch(2);
      expect(tooLow.errorName).toBe('OFFSET_OUT_OF_RANGE');
      expect(Number(tooLow.logStartOffset)).toBe(4);

      expect((await followerFetch(8)).errorName).toBe('');
      expect(m.runRetention()).toBe(2);
      expect(replica.log.logStartOffset).toBe(8);
      expect(m.retentionDeletedSegments).toBe(4);
    } finally {
      m.stop();
    }
  });

  it("DescribeLogDirs answers the directory, its space and each replica's local size and lag, and refuses bad input", async () => {
    const m = manager(dir);
    try {
      expect((await produce(m, 1)).errorName).toBe('');
      const replica = m.replica('t', 0)!;
      const all = await m.describeLogDirs(received('DescribeLogDirs', {}));
      expect(all.logDirs).toHaveLength(1);
      const logDir = all.logDirs![0]!;
      expect(logDir).toMatchObject({ logDir: dir, errorName: '' });
      expect(Number(logDir.totalBytes)).toBeGreaterThan(0);
      expect(Number(logDir.usableBytes)).toBeGreaterThanOrEqual(0);
      expect(Number(logDir.usableBytes)).toBeLessThanOrEqual(Number(logDir.totalBytes));
      expect(replica.log.sizeBytes).toBeGreaterThan(0);
      expect(logDir.topics).toEqual([
        { name: 't', partitions: [{ partition: 0, sizeBytes: replica.log.sizeBytes, offsetLag: 0, isFuture: false }] },
      ]);
      const other = await m.describeLogDirs(
        received('DescribeLogDirs', { topics: [{ name: 'other', partitions: [] }] }),
      );
      expect(other.logDirs![0]!.topics).toEqual([]);
      await expect(
        m.describeLogDirs(received('DescribeLogDirs', { topics: [{ name: '', partitions: [] }] })),
      ).rejects.toMatchObject({ errorName: 'INVALID_TOPIC_EXCEPTION' });
    } finally {
      m.stop();
    }
  });
});
