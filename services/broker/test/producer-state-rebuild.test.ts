import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogConfig, PartitionLog } from '@sluice/log';
import { CompressionType, encodeRecordBatch } from '@sluice/protocol';
import { producerBatchesInLog } from '../src/core/producer-state-rebuild';
import { ProducerStateManager, type ProducerBatch } from '../src/core/producer-state';

const T = 1_700_000_000_000;

describe('producer state rebuilt from a partition log', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-producer-rebuild-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a new leader the same producer state as the old one, across segments and small reads', () => {
    const log = PartitionLog.open({ dir, config: { ...defaultLogConfig, segmentBytes: 2_000 } });
    const live = new ProducerStateManager();
    const sequences = new Map<number, number>();
    for (let i = 0; i < 60; i++) {
      const producerId = i % 7 === 0 ? -1 : 100 + (i % 3);
      const records = 1 + (i % 4);
      const baseSequence = producerId < 0 ? -1 : (sequences.get(producerId) ?? 0);
      const batch: ProducerBatch = {
        producerId,
        producerEpoch: producerId < 0 ? -1 : 1,
        baseSequence,
        lastOffsetDelta: records - 1,
        maxTimestampMs: T + i,
      };
      const decision = live.prepareAppend([batch]);
      expect(decision.kind).toBe('append');
      const bytes = encodeRecordBatch({
        compression: i % 2 === 0 ? CompressionType.None : CompressionType.Gzip,
        producerId,
        producerEpoch: batch.producerEpoch,
        baseSequence,
        records: Array.from({ length: records }, (_, r) => ({
          key: null,
          value: Buffer.alloc(40, r),
          timestamp: T + i,
        })),
      });
      const info = log.append(bytes, { leaderEpoch: 3 });
      if (decision.kind === 'append') live.commitAppend(decision.plan, info.firstOffset);
      if (producerId >= 0) sequences.set(producerId, baseSequence + records);
    }
    expect(log.segmentCount).toBeGreaterThan(3);
    const rebuilt = new ProducerStateManager();
    rebuilt.loadFromBatches(producerBatchesInLog(log, 300), T + 60);
    expect(rebuilt.size).toBe(3);
    for (const producerId of [100, 101, 102]) expect(rebuilt.entry(producerId)).toEqual(live.entry(producerId));
    // A retry of the last batch is recognised by the new leader with its original offsets.
    const last = live.entry(101)!.batches.at(-1)!;
    expect(
      rebuilt.prepareAppend([
        {
          producerId: 101,
          producerEpoch: 1,
          baseSequence: last.firstSequence,
          lastOffsetDelta: last.lastOffset - last.firstOffset,
          maxTimestampMs: T,
        },
      ]),
    ).toMatchObject({ kind: 'duplicate', firstOffset: last.firstOffset, lastOffset: last.lastOffset });
    log.close();
  });
});
