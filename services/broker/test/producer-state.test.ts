import { CompressionType, encodeRecordBatch, RecordBatchView } from '@sluice/protocol';
import { incrementSequence, isNextSequence, MAX_SEQUENCE } from '../src/core/producer-sequence';
import {
  ProducerStateManager,
  producerBatchOf,
  type LoggedProducerBatch,
  type ProducerAppendDecision,
  type ProducerBatch,
} from '../src/core/producer-state';

const T = 1_700_000_000_000;
const batch = (
  producerId: number,
  producerEpoch: number,
  baseSequence: number,
  records = 1,
  maxTimestampMs = T,
): ProducerBatch => ({
  producerId,
  producerEpoch,
  baseSequence,
  lastOffsetDelta: records - 1,
  maxTimestampMs,
});

/** Appends like the broker would: prepare, "write" at `log.end`, commit. */
function append(state: ProducerStateManager, log: { end: number }, batches: ProducerBatch[]): ProducerAppendDecision {
  const decision = state.prepareAppend(batches);
  if (decision.kind === 'append') {
    state.commitAppend(decision.plan, log.end);
    for (const b of batches) log.end += b.lastOffsetDelta + 1;
  }
  return decision;
}
const errorOf = (d: ProducerAppendDecision): string => (d.kind === 'error' ? d.error.errorName : d.kind);

describe('sequence arithmetic', () => {
  it('wraps at int32 max like Kafka', () => {
    expect(incrementSequence(5, 3)).toBe(8);
    expect(incrementSequence(MAX_SEQUENCE, 1)).toBe(0);
    expect(incrementSequence(MAX_SEQUENCE - 1, 3)).toBe(1);
    expect(isNextSequence(MAX_SEQUENCE, 0)).toBe(true);
    expect(isNextSequence(4, 5)).toBe(true);
    expect(isNextSequence(4, 6)).toBe(false);
    expect(isNextSequence(-1, 0)).toBe(true);
  });
});

describe('producer state on client appends', () => {
  it('accepts a new producer from sequence 0 and continues sequences across batches', () => {
    const state = new ProducerStateManager();
    const log = { end: 0 };
    expect(append(state, log, [batch(7, 0, 0, 3)]).kind).toBe('append');
    expect(append(state, log, [batch(7, 0, 3, 2), batch(7, 0, 5, 1)]).kind).toBe('append');
    expect(state.entry(7)?.batches.map((b) => [b.firstSequence, b.lastSequence, b.firstOffset, b.lastOffset])).toEqual([
      [0, 2, 0, 2],
      [3, 4, 3, 4],
      [5, 5, 5, 5],
    ]);
  });

  it('refuses an unknown producer not starting at 0 with UNKNOWN_PRODUCER_ID', () => {
    expect(errorOf(new ProducerStateManager().prepareAppend([batch(7, 0, 4)]))).toBe('UNKNOWN_PRODUCER_ID');
  });

  it('refuses gaps and repeats that are not one of the last batches with OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const state = new ProducerStateManager();
    const log = { end: 0 };
    append(state, log, [batch(7, 0, 0, 2)]);
    expect(errorOf(state.prepareAppend([batch(7, 0, 3)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(errorOf(state.prepareAppend([batch(7, 0, 1)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    // A gap inside one request is caught too, and nothing of the request is applied.
    expect(state.prepareAppend([batch(7, 0, 2), batch(7, 0, 4)])).toMatchObject({ kind: 'error', batchIndex: 1 });
    expect(state.entry(7)?.batches).toHaveLength(1);
  });

  it('answers a retry of any of the last 5 batches with its original offsets', () => {
    const state = new ProducerStateManager();
    const log = { end: 100 };
    for (let seq = 0; seq < 6; seq++) append(state, log, [batch(7, 0, seq * 2, 2)]);
    expect(state.prepareAppend([batch(7, 0, 2, 2)])).toEqual({
      kind: 'duplicate',
      batchIndex: 0,
      firstOffset: 102,
      lastOffset: 103,
    });
    expect(state.prepareAppend([batch(7, 0, 10, 2)])).toEqual({
      kind: 'duplicate',
      batchIndex: 0,
      firstOffset: 110,
      lastOffset: 111,
    });
    // The first batch fell out of the window: an old retry is out of order, not a duplicate.
    expect(errorOf(state.prepareAppend([batch(7, 0, 0, 2)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    // Same first sequence but a different extent is not the same batch.
    expect(errorOf(state.prepareAppend([batch(7, 0, 2, 3)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  it('fences older epochs with INVALID_PRODUCER_EPOCH and requires sequence 0 after a bump', () => {
    const state = new ProducerStateManager();
    const log = { end: 0 };
    append(state, log, [batch(7, 3, 0, 2)]);
    expect(errorOf(state.prepareAppend([batch(7, 2, 2)]))).toBe('INVALID_PRODUCER_EPOCH');
    expect(errorOf(state.prepareAppend([batch(7, 4, 2)]))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(append(state, log, [batch(7, 4, 0)]).kind).toBe('append');
    expect(state.entry(7)).toMatchObject({ producerEpoch: 4, batches: [{ firstSequence: 0, firstOffset: 2 }] });
    // A retry from the old epoch is fenced, not deduplicated.
    expect(errorOf(state.prepareAppend([batch(7, 3, 0, 2)]))).toBe('INVALID_PRODUCER_EPOCH');
  });

  it('continues across the sequence wrap', () => {
    const state = new ProducerStateManager();
    state.applyReplicated({ ...batch(7, 0, MAX_SEQUENCE - 1, 2), baseOffset: 0 });
    expect(state.prepareAppend([batch(7, 0, 1)]).kind).toBe('error');
    const log = { end: 2 };
    expect(append(state, log, [batch(7, 0, 0, 3)]).kind).toBe('append');
    state.applyReplicated({ ...batch(8, 0, MAX_SEQUENCE - 1, 4), baseOffset: 5 });
    expect(state.entry(8)?.batches[0]?.lastSequence).toBe(1);
    expect(state.prepareAppend([batch(8, 0, MAX_SEQUENCE - 1, 4)])).toMatchObject({
      kind: 'duplicate',
      firstOffset: 5,
      lastOffset: 8,
    });
    expect(state.prepareAppend([batch(8, 0, 2)]).kind).toBe('append');
  });

  it('refuses invalid fields with INVALID_RECORD and lets non-idempotent batches through', () => {
    const state = new ProducerStateManager();
    expect(errorOf(state.prepareAppend([batch(7, 0, -1)]))).toBe('INVALID_RECORD');
    expect(errorOf(state.prepareAppend([batch(7, -1, 0)]))).toBe('INVALID_RECORD');
    expect(state.prepareAppend([batch(-1, -1, -1)]).kind).toBe('append');
    state.commitAppend({ stateVersion: 0, batches: [batch(-1, -1, -1)] }, 0);
    expect(state.size).toBe(0);
  });

  it('asserts the state did not change between prepare and commit', () => {
    const state = new ProducerStateManager();
    const decision = state.prepareAppend([batch(7, 0, 0)]);
    state.applyReplicated({ ...batch(8, 0, 0), baseOffset: 0 });
    if (decision.kind !== 'append') throw new Error('expected append');
    expect(() => state.commitAppend(decision.plan, 1)).toThrow(/changed/);
  });
});

describe('rebuild, expiry and bounds', () => {
  it('rebuilds the same state from the log batches, control batches moving only the epoch', () => {
    const live = new ProducerStateManager();
    const log = { end: 0 };
    const logged: LoggedProducerBatch[] = [];
    const send = (b: ProducerBatch): void => {
      const at = log.end;
      if (append(live, log, [b]).kind === 'append') logged.push({ ...b, baseOffset: at });
    };
    for (let i = 0; i < 8; i++) send(batch(1, 0, i * 3, 3));
    send(batch(2, 5, 0, 1));
    send(batch(2, 6, 0, 2));
    const rebuilt = new ProducerStateManager();
    rebuilt.loadFromBatches(logged, T);
    expect(rebuilt.entry(1)).toEqual(live.entry(1));
    expect(rebuilt.entry(2)).toEqual(live.entry(2));
    rebuilt.applyReplicated({ ...batch(2, 7, -1, 1), baseOffset: log.end, isControl: true });
    expect(rebuilt.entry(2)).toMatchObject({ producerEpoch: 7, batches: [] });
    expect(rebuilt.prepareAppend([batch(2, 7, 0)]).kind).toBe('append');
  });

  it('reads the idempotence fields from a real batch header', () => {
    const bytes = encodeRecordBatch({
      compression: CompressionType.None,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 17,
      baseOffset: 900,
      records: [0, 1, 2].map((i) => ({ key: null, value: Buffer.from([i]), timestamp: T + i })),
    });
    expect(producerBatchOf(RecordBatchView.at(bytes))).toEqual({
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 17,
      lastOffsetDelta: 2,
      maxTimestampMs: T + 2,
      baseOffset: 900,
      isControl: false,
    });
  });

  it('expires producers idle for producer.id.expiration.ms, by batch timestamps', () => {
    const state = new ProducerStateManager({ producerIdExpirationMs: 1_000 });
    state.applyReplicated({ ...batch(1, 0, 0, 1, T), baseOffset: 0 });
    state.applyReplicated({ ...batch(2, 0, 0, 1, T + 500), baseOffset: 1 });
    expect(state.expire(T + 999)).toBe(0);
    expect(state.expire(T + 1_000)).toBe(1);
    expect(state.entry(1)).toBeUndefined();
    state.loadFromBatches([{ ...batch(3, 0, 0, 1, T), baseOffset: 0 }], T + 5_000);
    expect(state.size).toBe(0);
  });

  it('keeps at most maxProducerIds, evicting the least recently appended', () => {
    const state = new ProducerStateManager({ maxProducerIds: 3 });
    for (let id = 1; id <= 3; id++) state.applyReplicated({ ...batch(id, 0, 0), baseOffset: id });
    state.applyReplicated({ ...batch(1, 0, 1), baseOffset: 10 });
    state.applyReplicated({ ...batch(4, 0, 0), baseOffset: 11 });
    expect(state.size).toBe(3);
    expect(state.entry(2)).toBeUndefined();
    expect(state.entry(1)).toBeDefined();
    expect(state.evictions).toBe(1);
    // The evicted producer's next batch is refused rather than risking a silent duplicate.
    expect(errorOf(state.prepareAppend([batch(2, 0, 1)]))).toBe('UNKNOWN_PRODUCER_ID');
  });
});
