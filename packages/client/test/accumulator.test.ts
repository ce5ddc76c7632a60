import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import { CompressionType, decodeRecordBatch, type RecordInput } from '@sluice/protocol';
import { RecordAccumulator, type AppendResult, type DrainedBatch } from '../src/accumulator';
import { singleRecordBatchUpperBound } from '../src/record-size';

const T = 1_700_000_000_000;
const tp = (partition: number, topic = 't') => ({ topic, partition });
const record = (valueBytes: number, tag = 0): RecordInput => ({
  key: null,
  value: Buffer.alloc(valueBytes, tag & 0xff),
  timestamp: T,
});

function appended(result: AppendResult) {
  if (result.kind !== 'appended') throw new Error(`expected appended, got ${result.kind}`);
  return result;
}

describe('record accumulator', () => {
  it('holds a batch for linger.ms, then makes it ready', () => {
    const acc = new RecordAccumulator({ lingerMs: 5 });
    appended(acc.append(tp(0), record(10), T));
    expect(acc.ready(T + 4)).toEqual({ readyPartitions: [], nextReadyCheckDelayMs: 1 });
    expect(acc.ready(T + 5).readyPartitions).toEqual([tp(0)]);
    expect(new RecordAccumulator({ lingerMs: 0 }).ready(T)).toEqual({
      readyPartitions: [],
      nextReadyCheckDelayMs: null,
    });
  });

  it('fills batches up to batch.size and makes a full batch ready at once', () => {
    const acc = new RecordAccumulator({ batchSizeBytes: 4_096, lingerMs: 1_000 });
    const results = Array.from({ length: 6 }, (_, i) => appended(acc.append(tp(0), record(1_000, i), T)));
    // 61-byte header + 1,036 bytes upper bound per record: three records fit in 4,096.
    expect(results.map((r) => [r.batchId, r.recordIndex, r.newBatch])).toEqual([
      [1, 0, true],
      [1, 1, false],
      [1, 2, false],
      [2, 0, true],
      [2, 1, false],
      [2, 2, false],
    ]);
    expect(acc.ready(T).readyPartitions).toEqual([tp(0)]);
    const [batch] = acc.drain([tp(0)]);
    expect(batch!.recordCount).toBe(3);
    expect(batch!.bytes.length).toBeLessThanOrEqual(4_096);
  });

  it('gives the sticky partitioner a chance before opening a new batch (KIP-480)', () => {
    const acc = new RecordAccumulator({ batchSizeBytes: 2_000 });
    expect(acc.append(tp(0), record(10), T, { abortOnNewBatch: true })).toEqual({ kind: 'abort-for-new-batch' });
    appended(acc.append(tp(0), record(1_000), T));
    expect(appended(acc.append(tp(0), record(10), T, { abortOnNewBatch: true })).newBatch).toBe(false);
    expect(acc.append(tp(0), record(1_000), T, { abortOnNewBatch: true })).toEqual({ kind: 'abort-for-new-batch' });
  });

  it('pushes back with buffer-full when buffer.memory is reserved, and sends everything meanwhile', () => {
    const acc = new RecordAccumulator({ batchSizeBytes: 1_000, bufferMemoryBytes: 2_500, lingerMs: 1_000 });
    appended(acc.append(tp(0), record(10), T));
    appended(acc.append(tp(1), record(10), T));
    expect(acc.availableMemoryBytes).toBe(500);
    expect(acc.append(tp(2), record(10), T)).toEqual({
      kind: 'buffer-full',
      requiredBytes: 1_000,
      availableBytes: 500,
    });
    expect(acc.queuedBatches).toBe(2);
    expect(acc.ready(T).readyPartitions).toEqual([tp(0), tp(1)]);
    const drained = acc.drain([tp(0)]);
    expect(acc.availableMemoryBytes).toBe(500);
    acc.release(drained[0]!.batchId);
    expect(acc.availableMemoryBytes).toBe(1_500);
    appended(acc.append(tp(2), record(10), T));
    expect(() => acc.release(drained[0]!.batchId)).toThrow(/not in flight/);
  });

  it('refuses a record larger than max.request.size or buffer.memory with MESSAGE_TOO_LARGE', () => {
    const acc = new RecordAccumulator({ maxRequestSizeBytes: 500 });
    const result = acc.append(tp(0), record(600), T);
    expect(result.kind === 'error' && result.error.errorName).toBe('MESSAGE_TOO_LARGE');
    expect(acc.queuedBatches).toBe(0);
    // A record above batch.size but within the limits gets a batch of its own size.
    const big = new RecordAccumulator({ batchSizeBytes: 100 });
    appended(big.append(tp(0), record(300), T));
    expect(big.availableMemoryBytes).toBe(33_554_432 - singleRecordBatchUpperBound(record(300)));
  });

  it('encodes drained batches once, with the idempotent identity and per-partition sequences', () => {
    const acc = new RecordAccumulator({ lingerMs: 0, compression: CompressionType.Gzip });
    acc.setProducerIdentity({ producerId: 77, producerEpoch: 2 });
    for (let i = 0; i < 3; i++)
      appended(acc.append(tp(0), { key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: T + i }, T));
    const [first] = acc.drain([tp(0)]);
    const decoded = decodeRecordBatch(first!.bytes);
    expect(decoded).toMatchObject({
      producerId: 77,
      producerEpoch: 2,
      baseSequence: 0,
      compression: CompressionType.Gzip,
      lastOffsetDelta: 2,
    });
    expect(decoded.records.map((r) => r.value?.toString())).toEqual(['v0', 'v1', 'v2']);
    appended(acc.append(tp(0), record(5), T));
    appended(acc.append(tp(1), record(5), T));
    const next = acc.drain([tp(0), tp(1)]);
    expect(next.map((b) => [b.partition, b.baseSequence])).toEqual([
      [0, 3],
      [1, 0],
    ]);
    expect(() => acc.setProducerIdentity({ producerId: 77, producerEpoch: 3 })).toThrow(/in flight/);
  });

  it('carries drained batches over an epoch bump, restamped with new sequences in the order asked', () => {
    const acc = new RecordAccumulator({ lingerMs: 0, maxInFlightBatchesPerPartition: 3 });
    acc.setProducerIdentity({ producerId: 77, producerEpoch: 2 });
    const text = (value: string): RecordInput => ({ key: null, value: Buffer.from(value), timestamp: T });
    appended(acc.append(tp(0), text('a'), T));
    appended(acc.append(tp(0), text('b'), T));
    const [first] = acc.drain([tp(0)]);
    appended(acc.append(tp(0), text('c'), T));
    const [second] = acc.drain([tp(0)]);
    expect([first!.baseSequence, second!.baseSequence]).toEqual([0, 2]);
    // Only the carried batches may be in flight across the change.
    expect(() => acc.setProducerIdentity({ producerId: 77, producerEpoch: 3 }, new Set([second!.batchId]))).toThrow(
      /in flight/,
    );
    acc.setProducerIdentity({ producerId: 77, producerEpoch: 3 }, new Set([first!.batchId, second!.batchId]));
    const restamped = [acc.resequence(first!), acc.resequence(second!)];
    expect(restamped.map((b) => b.baseSequence)).toEqual([0, 2]);
    const decoded = restamped.map((b) => decodeRecordBatch(b.bytes, { verifyCrc: true }));
    expect(
      decoded.map((d) => [
        d.producerId,
        d.producerEpoch,
        d.baseSequence,
        d.records.map((r) => r.value?.toString()).join(''),
      ]),
    ).toEqual([
      [77, 3, 0, 'ab'],
      [77, 3, 2, 'c'],
    ]);
    // The original bytes are untouched; the next drained batch follows the carried ones.
    expect(decodeRecordBatch(first!.bytes)).toMatchObject({ producerEpoch: 2, baseSequence: 0 });
    appended(acc.append(tp(0), text('d'), T));
    expect(acc.drain([tp(0)]).map((b) => b.baseSequence)).toEqual([3]);
  });

  it('pipelines only full batches behind an unanswered one; a part-filled batch waits for the answer (or a flush)', () => {
    const acc = new RecordAccumulator({ lingerMs: 0, maxInFlightBatchesPerPartition: 5, batchSizeBytes: 200 });
    appended(acc.append(tp(0), record(10), T));
    const [first] = acc.drain(acc.ready(T).readyPartitions);
    appended(acc.append(tp(0), record(10), T));
    // linger.ms has passed, but the batch is not full and the first one is unanswered.
    expect(acc.ready(T + 100).readyPartitions).toEqual([]);
    // A full batch (a second one started) goes at once.
    expect(appended(acc.append(tp(0), record(100), T)).newBatch).toBe(true);
    expect(acc.ready(T).readyPartitions).toEqual([tp(0)]);
    acc.drain([tp(0)]);
    // The last, part-filled one: a flush sends it; so does the answer to everything before it.
    expect(acc.ready(T + 100).readyPartitions).toEqual([]);
    acc.beginFlush();
    expect(acc.ready(T).readyPartitions).toEqual([tp(0)]);
    acc.endFlush();
    acc.release(first!.batchId);
    expect(acc.ready(T + 100).readyPartitions).toEqual([]);
    acc.release(2);
    expect(acc.ready(T + 100).readyPartitions).toEqual([tp(0)]);
  });

  it('keeps at most max.in.flight batches per partition unreleased', () => {
    const acc = new RecordAccumulator({ lingerMs: 0, maxInFlightBatchesPerPartition: 2, batchSizeBytes: 100 });
    for (let i = 0; i < 3; i++) appended(acc.append(tp(0), record(50), T));
    const a = acc.drain([tp(0)]);
    acc.drain([tp(0)]);
    expect(acc.ready(T).readyPartitions).toEqual([]);
    expect(acc.drain([tp(0)])).toEqual([]);
    acc.release(a[0]!.batchId);
    expect(acc.drain([tp(0)])).toHaveLength(1);
  });

  it('stops a drain at max.request.size but always takes the first batch', () => {
    const acc = new RecordAccumulator({ lingerMs: 0, batchSizeBytes: 1_000 });
    for (let p = 0; p < 3; p++) appended(acc.append(tp(p), record(400), T));
    expect(acc.drain([tp(0), tp(1), tp(2)], 1_000).map((b) => b.partition)).toEqual([0, 1]);
    expect(acc.drain([tp(2)], 10).map((b) => b.partition)).toEqual([2]);
  });

  it('makes everything ready during a flush', () => {
    const acc = new RecordAccumulator({ lingerMs: 60_000 });
    appended(acc.append(tp(0), record(1), T));
    acc.beginFlush();
    expect(acc.ready(T).readyPartitions).toEqual([tp(0)]);
    acc.endFlush();
    expect(acc.ready(T).readyPartitions).toEqual([]);
  });

  it('delivers every record exactly once, in order per partition, within the memory bound', () => {
    type Op =
      | { kind: 'append'; partition: number; bytes: number }
      | { kind: 'drain'; maxBytes: number }
      | { kind: 'release'; pick: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('append' as const),
          partition: fc.integer({ min: 0, max: 3 }),
          bytes: fc.integer({ min: 0, max: 700 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('drain' as const), maxBytes: fc.integer({ min: 1, max: 5_000 }) }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const config = {
          batchSizeBytes: 1_024,
          bufferMemoryBytes: 6_000,
          lingerMs: 0,
          maxInFlightBatchesPerPartition: 3,
        };
        const acc = new RecordAccumulator(config);
        const sent = new Map<number, number[]>();
        const received = new Map<number, number[]>();
        const inFlight: DrainedBatch[] = [];
        let tag = 0;
        const take = (batches: DrainedBatch[]): void => {
          for (const b of batches) {
            const decoded = decodeRecordBatch(b.bytes);
            expect(b.bytes.length).toBeLessThanOrEqual(
              Math.max(
                config.batchSizeBytes,
                singleRecordBatchUpperBound({ key: null, value: decoded.records[0]!.value, timestamp: T }),
              ),
            );
            const list = received.get(b.partition) ?? [];
            list.push(...decoded.records.map((r) => r.value!.readUInt32BE(0)));
            received.set(b.partition, list);
            inFlight.push(b);
          }
        };
        for (const o of ops) {
          if (o.kind === 'append') {
            const value = Buffer.alloc(Math.max(4, o.bytes));
            value.writeUInt32BE(tag);
            const result = acc.append(tp(o.partition), { key: null, value, timestamp: T }, T);
            if (result.kind === 'appended') {
              const list = sent.get(o.partition) ?? [];
              list.push(tag);
              sent.set(o.partition, list);
            } else {
              expect(result.kind).toBe('buffer-full');
            }
            tag++;
          } else if (o.kind === 'drain') {
            take(acc.drain(acc.ready(T).readyPartitions, o.maxBytes));
          } else if (inFlight.length > 0) {
            acc.release(inFlight.splice(o.pick % inFlight.length, 1)[0]!.batchId);
          }
          expect(acc.availableMemoryBytes).toBeGreaterThanOrEqual(0);
        }
        while (inFlight.length > 0 || acc.queuedBatches > 0) {
          for (const b of inFlight.splice(0)) acc.release(b.batchId);
          take(acc.drain(acc.ready(T).readyPartitions));
        }
        for (const b of inFlight.splice(0)) acc.release(b.batchId);
        expect(acc.availableMemoryBytes).toBe(config.bufferMemoryBytes);
        for (const [partition, tags] of sent) expect(received.get(partition)).toEqual(tags);
        expect([...received.keys()].every((p) => sent.has(p))).toBe(true);
      }),
      propertyOptions({ numRuns: 200 }),
    );
  });
});

describe('RecordAccumulator.expireQueued', () => {
  it('drops never-drained batches older than the cutoff, frees their memory and leaves sequences gapless', () => {
    const acc = new RecordAccumulator({ batchSizeBytes: 1_024, lingerMs: 1_000, bufferMemoryBytes: 10_240 });
    acc.setProducerIdentity({ producerId: 1, producerEpoch: 0 });
    const record = { key: null, value: Buffer.from('x'), timestamp: 0 };
    acc.append({ topic: 't', partition: 0 }, record, 100);
    acc.append({ topic: 't', partition: 1 }, record, 500);
    const free = acc.availableMemoryBytes;
    expect(acc.expireQueued(200)).toEqual([expect.objectContaining({ topic: 't', partition: 0 })]);
    expect(acc.availableMemoryBytes).toBe(free + 1_024);
    expect(acc.queuedBatches).toBe(1);
    acc.append({ topic: 't', partition: 0 }, record, 600);
    const drained = acc.drain([{ topic: 't', partition: 0 }]);
    expect(drained[0]!.baseSequence).toBe(0);
  });
});

describe('RecordAccumulator sequences', () => {
  it('go on where they stopped after a partition went idle (its queue was dropped)', () => {
    const acc = new RecordAccumulator({ lingerMs: 0 });
    acc.setProducerIdentity({ producerId: 1, producerEpoch: 0 });
    const tp = { topic: 't', partition: 0 };
    const record = { key: null, value: Buffer.from('x'), timestamp: 0 };
    acc.append(tp, record, 0);
    acc.append(tp, record, 0);
    const first = acc.drain([tp]);
    expect(first[0]!.baseSequence).toBe(0);
    acc.release(first[0]!.batchId);
    expect(acc.queuedBatches).toBe(0);
    acc.append(tp, record, 1);
    expect(acc.drain([tp])[0]!.baseSequence).toBe(2);
  });
});
