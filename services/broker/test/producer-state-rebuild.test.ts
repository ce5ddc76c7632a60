import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogConfig, PartitionLog } from '@sluice/log';
import { CompressionType, encodeRecordBatch, iterateBatches } from '@sluice/protocol';
import { encodeProducerSnapshot, ProducerSnapshotBuilder } from '@sluice/tiering';
import { producerBatchesInLog, producerStateFromOf } from '../src/core/producer-state-rebuild';
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

  it('starts from the producer snapshot a replica restored from remote storage, then the log above it', () => {
    // The leader's log: producer 200 writes only early (its batches end up remote only), 300 throughout.
    const leader = PartitionLog.open({
      dir: join(dir, 'leader'),
      config: { ...defaultLogConfig, segmentBytes: 2_000 },
    });
    const live = new ProducerStateManager();
    const sequences = new Map<number, number>();
    for (let i = 0; i < 40; i++) {
      const producerId = i < 4 ? 200 : 300;
      const baseSequence = sequences.get(producerId) ?? 0;
      const batch: ProducerBatch = {
        producerId,
        producerEpoch: 2,
        baseSequence,
        lastOffsetDelta: 1,
        maxTimestampMs: T + i,
      };
      const decision = live.prepareAppend([batch]);
      const bytes = encodeRecordBatch({
        compression: CompressionType.None,
        producerId,
        producerEpoch: 2,
        baseSequence,
        records: [0, 1].map((r) => ({ key: null, value: Buffer.alloc(40, r), timestamp: T + i })),
      });
      const info = leader.append(bytes, { leaderEpoch: 3 });
      if (decision.kind === 'append') live.commitAppend(decision.plan, info.firstOffset);
      sequences.set(producerId, baseSequence + 2);
    }
    // The replica starts at a segment boundary past producer 200's batches, with the cumulative
    // snapshot as of the offset below (what the remote segment ending there carries).
    const start = leader.segmentBaseOffsets().find((base) => base > 20)!;
    const builder = new ProducerSnapshotBuilder();
    for (const view of iterateBatches(leader.read(0, 1 << 20, { maxOffset: start }).records)) {
      if (view.baseOffset >= start) break;
      builder.apply({
        producerId: view.producerId,
        producerEpoch: view.producerEpoch,
        baseSequence: view.baseSequence,
        baseOffset: view.baseOffset,
        lastOffset: view.nextOffset - 1,
        maxTimestampMs: view.maxTimestamp,
        isControl: view.isControl,
      });
    }
    const replica = PartitionLog.open({
      dir: join(dir, 'replica'),
      config: { ...defaultLogConfig, segmentBytes: 2_000 },
    });
    replica.truncateFullyAndStartAt(start);
    for (let offset = start; offset < leader.logEndOffset;) {
      const read = leader.read(offset, 1 << 20);
      replica.appendAsFollower(read.records);
      offset = read.lastOffset! + 1;
    }
    const withoutSnapshot = new ProducerStateManager();
    withoutSnapshot.loadFromBatches(producerBatchesInLog(replica), T + 40);
    expect(withoutSnapshot.entry(200)).toBeUndefined(); // what a replica knew before tiered storage rebuilt it
    // Its producer state knows only what lies above its start: a tiered leader restores the rest.
    expect(producerStateFromOf(leader)).toBe(0);
    expect(producerStateFromOf(replica)).toBe(start);

    replica.writeProducerSnapshot(start - 1, encodeProducerSnapshot(builder.snapshot()).toString('utf8'));
    expect(producerStateFromOf(replica)).toBe(0); // the kept snapshot is cumulative from offset 0
    const rebuilt = new ProducerStateManager();
    rebuilt.loadFromBatches(producerBatchesInLog(replica, 300), T + 40);
    for (const producerId of [200, 300]) expect(rebuilt.entry(producerId)).toEqual(live.entry(producerId));
    // The retry of producer 200's last batch, only in remote storage, is still a duplicate.
    const last = live.entry(200)!.batches.at(-1)!;
    expect(
      rebuilt.prepareAppend([
        { producerId: 200, producerEpoch: 2, baseSequence: last.firstSequence, lastOffsetDelta: 1, maxTimestampMs: T },
      ]),
    ).toMatchObject({ kind: 'duplicate', firstOffset: last.firstOffset, lastOffset: last.lastOffset });

    // Once the replica's log start passes the snapshot (retention), it no longer joins the log: a
    // rebuild knows producers from the new start only again.
    const later = replica.segmentBaseOffsets().find((base) => base > start)!;
    replica.advanceLogStartOffset(later);
    expect(replica.producerSnapshot()).toBeNull();
    expect(producerStateFromOf(replica)).toBe(later);
    leader.close();
    replica.close();
  });
});
