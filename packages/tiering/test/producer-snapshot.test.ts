import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  ProducerSnapshotBuilder,
  ProducerSnapshotError,
  producerSnapshotThrough,
  SNAPSHOT_RETAINED_BATCHES,
  type SnapshotBatchHeader,
} from '../src';

/** A batch of `count` records by `producerId` at `baseOffset` with `baseSequence`. */
function batch(
  producerId: number,
  baseOffset: number,
  baseSequence: number,
  count = 1,
  extra: Partial<SnapshotBatchHeader> = {},
): SnapshotBatchHeader {
  return {
    producerId,
    producerEpoch: 0,
    baseSequence,
    baseOffset,
    lastOffset: baseOffset + count - 1,
    maxTimestampMs: 1000 + baseOffset,
    isControl: false,
    ...extra,
  };
}

describe('ProducerSnapshotBuilder', () => {
  it('keeps every producer seen so far, each with its last five batches, cumulatively', () => {
    const builder = new ProducerSnapshotBuilder();
    builder.apply(batch(7, 0, 0, 2)); // producer 7 writes once, early
    for (let i = 0; i < 8; i++) builder.apply(batch(9, 2 + i * 3, i * 3, 3));
    builder.apply(batch(-1, 26, -1, 4)); // a batch without a producer still moves the end
    const snapshot = builder.snapshot();
    expect(snapshot.endOffset).toBe(29);
    expect(snapshot.producers.map((p) => p.producerId)).toEqual([7, 9]);
    expect(snapshot.producers[0]!.batches).toEqual([
      { firstSequence: 0, lastSequence: 1, firstOffset: 0, lastOffset: 1, maxTimestampMs: 1000 },
    ]);
    const nine = snapshot.producers[1]!;
    expect(nine.batches).toHaveLength(SNAPSHOT_RETAINED_BATCHES);
    expect(nine.batches.map((b) => b.firstSequence)).toEqual([9, 12, 15, 18, 21]);
    expect(nine.batches.at(-1)).toEqual({
      firstSequence: 21,
      lastSequence: 23,
      firstOffset: 23,
      lastOffset: 25,
      maxTimestampMs: 1023,
    });
    expect(nine.lastTimestampMs).toBe(1023);
  });

  it('skips batches it already covers, so a segment applied again changes nothing', () => {
    const builder = new ProducerSnapshotBuilder();
    for (let i = 0; i < 3; i++) builder.apply(batch(5, i, i));
    const before = builder.snapshot();
    for (let i = 0; i < 3; i++) builder.apply(batch(5, i, i));
    expect(builder.snapshot()).toEqual(before);
  });

  it('forgets the batches of an older epoch, and a marker moves the epoch only', () => {
    const builder = new ProducerSnapshotBuilder();
    builder.apply(batch(5, 0, 0));
    builder.apply(batch(5, 1, 1));
    builder.apply(batch(5, 2, -1, 1, { producerEpoch: 1, isControl: true }));
    expect(builder.snapshot().producers[0]).toMatchObject({ producerEpoch: 1, batches: [] });
    builder.apply(batch(5, 3, 0, 1, { producerEpoch: 1 }));
    expect(builder.snapshot().producers[0]!.batches.map((b) => b.firstOffset)).toEqual([3]);
  });

  it('wraps the sequence past 2^31-1 as the broker does', () => {
    const builder = new ProducerSnapshotBuilder();
    builder.apply(batch(5, 0, 0x7fffffff - 1, 4));
    expect(builder.snapshot().producers[0]!.batches[0]!.lastSequence).toBe(1);
  });

  it('is bounded: the least recently appended producer goes first', () => {
    const builder = new ProducerSnapshotBuilder(2);
    builder.apply(batch(1, 0, 0));
    builder.apply(batch(2, 1, 0));
    builder.apply(batch(1, 2, 1));
    builder.apply(batch(3, 3, 0));
    expect(builder.snapshot().producers.map((p) => p.producerId)).toEqual([1, 3]);
  });

  it('continues from a decoded snapshot', () => {
    const first = new ProducerSnapshotBuilder();
    first.apply(batch(4, 0, 0, 3));
    const next = ProducerSnapshotBuilder.from(decodeProducerSnapshot(encodeProducerSnapshot(first.snapshot()), 'x'));
    next.apply(batch(4, 3, 3, 2));
    expect(next.endOffset).toBe(4);
    expect(next.snapshot().producers[0]!.batches.map((b) => [b.firstSequence, b.lastSequence])).toEqual([
      [0, 2],
      [3, 4],
    ]);
  });
});

describe('producer snapshot encoding', () => {
  it('round-trips, and refuses what this version did not write with a named error', () => {
    const builder = new ProducerSnapshotBuilder();
    builder.apply(batch(4, 0, 0, 3));
    const snapshot = builder.snapshot();
    expect(decodeProducerSnapshot(encodeProducerSnapshot(snapshot), 'k')).toEqual(snapshot);
    const v1 = Buffer.from(JSON.stringify({ v: 1, endOffset: 2, producers: [] }));
    expect(() => decodeProducerSnapshot(v1, 'old.snapshot')).toThrow(ProducerSnapshotError);
    expect(() => decodeProducerSnapshot(v1, 'old.snapshot')).toThrow(/old.snapshot: producer snapshot has version 1/);
    expect(() => decodeProducerSnapshot(Buffer.from('{'), 'k')).toThrow(/not JSON/);
    const tooFar = { ...snapshot, endOffset: 1 }; // a batch past the end
    expect(() => decodeProducerSnapshot(Buffer.from(JSON.stringify(tooFar)), 'k')).toThrow(/malformed batch/);
    expect(new ProducerSnapshotError('x').code).toBe('KAFKA_STORAGE_ERROR');
  });

  it('cuts a snapshot back to an earlier end for a replica starting inside its segment', () => {
    const builder = new ProducerSnapshotBuilder();
    builder.apply(batch(1, 0, 0, 2));
    builder.apply(batch(2, 2, 0, 2));
    builder.apply(batch(1, 4, 2, 2));
    const cut = producerSnapshotThrough(builder.snapshot(), 3);
    expect(cut.endOffset).toBe(3);
    expect(cut.producers.map((p) => [p.producerId, p.batches.map((b) => b.lastOffset)])).toEqual([
      [2, [3]],
      [1, [1]],
    ]);
    expect(producerSnapshotThrough(builder.snapshot(), 5)).toEqual(builder.snapshot());
  });
});
