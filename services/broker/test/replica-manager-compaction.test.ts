import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompressionType, decodeRecordBatches, encodeRecordBatch } from '@sluice/protocol';
import { manager } from './support/replica-manager-fixture';
import { received } from './support/wire';

/** One batch of keyed records (a null value is a tombstone). */
function keyed(records: Array<[string, string | null]>): Buffer {
  return encodeRecordBatch({
    compression: CompressionType.None,
    records: records.map(([key, value], i) => ({
      key: Buffer.from(key),
      value: value === null ? null : Buffer.from(value),
      timestamp: 1_700_000_000_000 + i,
    })),
  });
}

describe('ReplicaManager log cleaner', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-cleaner-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('compacts a cleanup.policy=compact topic below the high watermark, keeping the latest value per key', async () => {
    const m = manager(dir, { 'cleanup.policy': 'compact', 'retention.ms': '1', 'min.cleanable.dirty.ratio': '0.1' });
    try {
      const replica = m.replica('t', 0)!;
      expect(replica.log.config.cleanupPolicy).toBe('compact');
      const produce = async (records: Array<[string, string | null]>) => {
        const result = await m.produce(
          received('Produce', {
            acks: 1,
            timeoutMs: 1_000,
            topics: [{ name: 't', partitions: [{ partition: 0, records: keyed(records) }] }],
          }),
        );
        expect(result.topics![0]!.partitions![0]!.errorName).toBe('');
        replica.log.roll();
      };
      await produce([
        ['a', '1'],
        ['b', '1'],
      ]); // 0, 1
      await produce([
        ['a', '2'],
        ['c', '1'],
      ]); // 2, 3
      await produce([
        ['b', null],
        ['a', '3'],
      ]); // 4, 5
      await produce([['a', '4']]); // 6: above the high watermark below
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
      // Nothing is committed yet: nothing is cleaned.
      expect(m.runCompaction()).toBe(0);
      expect((await followerFetch(6)).errorName).toBe('');
      expect(replica.highWatermark).toBe(6);

      // Compact-only: the 1 ms retention.ms deletes nothing.
      expect(m.runRetention()).toBe(0);
      expect(m.runCompaction()).toBe(3); // a=1, a=2, b=1
      const read = replica.log.read(0, 1 << 20).records;
      const records = decodeRecordBatches(read).flatMap((b) =>
        b.records.map((r) => [r.offset, r.key!.toString(), r.value?.toString() ?? null]),
      );
      // Below the high watermark: c=1, the tombstone for b (kept for delete.retention.ms), a=3.
      expect(records.slice(0, 3)).toEqual([
        [3, 'c', '1'],
        [4, 'b', null],
        [5, 'a', '3'],
      ]);
      // The segment above the high watermark is untouched.
      const above = decodeRecordBatches(replica.log.read(6, 1 << 20).records).flatMap((b) =>
        b.records.map((r) => [r.offset, r.value!.toString()]),
      );
      expect(above).toEqual([[6, '4']]);
      expect(replica.log.logStartOffset).toBe(0);
      expect(m.compactionRemovedRecords).toBe(3);
      // Clean now: the next pass finds nothing dirty enough.
      expect(m.runCompaction()).toBe(0);
    } finally {
      m.stop();
    }
  });

  it('refuses records without a key on a compacted topic (INVALID_RECORD), as Kafka', async () => {
    const m = manager(dir, { 'cleanup.policy': 'compact,delete' });
    try {
      const records = encodeRecordBatch({
        compression: CompressionType.Lz4,
        records: [
          { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1 },
          { key: null, value: Buffer.from('2'), timestamp: 1 },
        ],
      });
      const result = await m.produce(
        received('Produce', {
          acks: 1,
          timeoutMs: 1_000,
          topics: [{ name: 't', partitions: [{ partition: 0, records }] }],
        }),
      );
      expect(result.topics![0]!.partitions![0]!.errorName).toBe('INVALID_RECORD');
      expect(m.replica('t', 0)!.log.logEndOffset).toBe(0);
    } finally {
      m.stop();
    }
  });

  it('leaves delete-policy topics to retention', async () => {
    const m = manager(dir);
    try {
      const replica = m.replica('t', 0)!;
      const keyless = encodeRecordBatch({
        compression: CompressionType.None,
        records: [{ key: null, value: Buffer.from('x'), timestamp: 1 }],
      });
      await m.produce(
        received('Produce', {
          acks: 1,
          timeoutMs: 1_000,
          topics: [
            {
              name: 't',
              partitions: [
                {
                  partition: 0,
                  records: keyed([
                    ['a', '1'],
                    ['a', '2'],
                  ]),
                },
              ],
            },
          ],
        }),
      );
      // Keyless records are fine outside compacted topics.
      const plain = await m.produce(
        received('Produce', {
          acks: 1,
          timeoutMs: 1_000,
          topics: [{ name: 't', partitions: [{ partition: 0, records: keyless }] }],
        }),
      );
      expect(plain.topics![0]!.partitions![0]!.errorName).toBe('');
      replica.log.roll();
      expect(m.runCompaction()).toBe(0);
      expect(replica.log.logEndOffset).toBe(3);
      expect(decodeRecordBatches(replica.log.read(0, 1 << 20).records)[0]!.records).toHaveLength(2);
    } finally {
      m.stop();
    }
  });
});
