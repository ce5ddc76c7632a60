import {
  CompressionType,
  decodeRecordBatches,
  encodeRecordBatch,
  RecordBatchView,
  type ApiError,
} from '@sluice/protocol';
import type { ProducerRecord__Output } from '@sluice/proto';
import { decodeFetchedRecords, encodeProducerRecords } from '../src/rpc/plain-records';

const record = (fields: Partial<ProducerRecord__Output>): ProducerRecord__Output => ({
  headers: [],
  timestampMs: '0',
  ...fields,
});

/** What the leader does to a producer's batch: stamp its base offset (and epoch). */
function stamped(batch: Buffer, baseOffset: number): Buffer {
  RecordBatchView.at(batch, 0).stamp(baseOffset, 3);
  return batch;
}

function errorName(run: () => unknown): string {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return (error as ApiError).errorName;
  }
}

describe('records as protobuf messages', () => {
  it('encodes one uncompressed batch with keys, values, nulls, headers and timestamps', () => {
    const batch = encodeProducerRecords(
      [
        record({ key: Buffer.from('k1'), value: Buffer.from('v1'), timestampMs: '1700000000000' }),
        record({
          value: Buffer.from('no key'),
          headers: [{ key: 'trace', value: Buffer.from('t') }, { key: 'empty' }],
        }),
        record({ key: Buffer.from('tombstone') }),
      ],
      1_800_000_000_000,
    );
    const [decoded] = decodeRecordBatches(batch);
    expect(decoded?.compression).toBe(CompressionType.None);
    expect(decoded?.producerId).toBe(-1);
    expect(decoded?.records.map((r) => [r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp])).toEqual([
      ['k1', 'v1', 1_700_000_000_000],
      [null, 'no key', 1_800_000_000_000],
      ['tombstone', null, 1_800_000_000_000],
    ]);
    expect(decoded?.records[1]?.headers).toEqual([
      { key: 'trace', value: Buffer.from('t') },
      { key: 'empty', value: null },
    ]);
  });

  it('refuses what Kafka refuses, with a named error', () => {
    expect(errorName(() => encodeProducerRecords([], 0))).toBe('INVALID_REQUEST');
    expect(errorName(() => encodeProducerRecords([record({ timestampMs: '-5' })], 0))).toBe('INVALID_TIMESTAMP');
    expect(errorName(() => encodeProducerRecords([record({ timestampMs: '9007199254740993' })], 0))).toBe(
      'INVALID_REQUEST',
    );
  });

  it('decodes fetched batches from the fetch offset on, skipping control batches and a cut tail', () => {
    const first = stamped(
      encodeProducerRecords(
        [0, 1, 2].map((i) => record({ value: Buffer.from(`a${i}`), timestampMs: String(1000 + i) })),
        0,
      ),
      10,
    );
    const control = stamped(
      encodeRecordBatch({
        compression: CompressionType.None,
        isControl: true,
        records: [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: 2000 }],
      }),
      13,
    );
    const gzip = stamped(
      encodeRecordBatch({
        compression: CompressionType.Gzip,
        records: [{ key: Buffer.from('k'), value: Buffer.from('zipped'), timestamp: 3000 }],
      }),
      14,
    );
    const cut = stamped(encodeProducerRecords([record({ value: Buffer.from('later') })], 0), 15).subarray(0, 30);
    const fetched = decodeFetchedRecords(Buffer.concat([first, control, gzip, cut]), 11);
    expect(fetched.records.map((r) => [r.offset, r.value?.toString(), r.timestampMs])).toEqual([
      ['11', 'a1', '1001'],
      ['12', 'a2', '1002'],
      ['14', 'zipped', '3000'],
    ]);
    expect(fetched.records[2]?.key?.toString()).toBe('k');
    expect(fetched.nextOffset).toBe(15);
    // Nothing at or after the offset yet: the next fetch starts where this one asked.
    expect(decodeFetchedRecords(Buffer.alloc(0), 42)).toEqual({ records: [], nextOffset: 42 });
    // Only a control batch: its offsets are passed over.
    expect(decodeFetchedRecords(control, 13)).toEqual({ records: [], nextOffset: 14 });
  });
});
