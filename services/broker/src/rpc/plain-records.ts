/**
 * Records as protobuf messages (ProduceRecords / FetchRecords), for gRPC clients that do not
 * speak RecordBatch v2: the broker encodes what they produce into one batch per partition and
 * decodes what they fetch. Pure conversions; the RPC handlers run them around the ordinary
 * Produce and Fetch paths, so validation, acks and errors are exactly those of the fast path.
 */
import type * as pb from '@sluice/proto';
import {
  ApiError,
  CompressionType,
  decodeRecordBatch,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  encodeRecordBatch,
  iterateBatches,
  type RecordInput,
} from '@sluice/protocol';

/** Kafka's bound on records in one batch from one producer request is the message size; ours too. */
export const MAX_RECORDS_PER_PARTITION = 100_000;

function int64Field(value: string | number, what: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new ApiError('INVALID_REQUEST', `${what} ${value} is not a safe integer`);
  return parsed;
}

/**
 * One uncompressed RecordBatch of `records` (base offset 0: the leader stamps the real one).
 * Timestamps of 0 become `nowMs`; a negative one is INVALID_TIMESTAMP; no records is
 * INVALID_REQUEST. Throws ApiError, which the caller turns into that partition's error.
 */
export function encodeProducerRecords(records: readonly pb.ProducerRecord__Output[], nowMs: number): Buffer {
  if (records.length === 0)
    throw new ApiError('INVALID_REQUEST', 'a partition of ProduceRecords needs at least one record');
  if (records.length > MAX_RECORDS_PER_PARTITION)
    throw new ApiError(
      'RECORD_LIST_TOO_LARGE',
      `${records.length} records for one partition, at most ${MAX_RECORDS_PER_PARTITION}`,
    );
  const inputs: RecordInput[] = records.map((record, index) => {
    const timestamp = int64Field(record.timestampMs, `record ${index} timestamp_ms`);
    if (timestamp < 0) throw new ApiError('INVALID_TIMESTAMP', `record ${index} timestamp_ms ${timestamp} is negative`);
    return {
      key: record.key ?? null,
      value: record.value ?? null,
      headers: record.headers.map((header) => ({ key: header.key, value: header.value ?? null })),
      timestamp: timestamp === 0 ? nowMs : timestamp,
    };
  });
  return encodeRecordBatch({ compression: CompressionType.None, records: inputs });
}

export interface DecodedFetch {
  readonly records: pb.ConsumerRecord[];
  /** Where the next fetch of the partition starts. */
  readonly nextOffset: number;
}

/**
 * The records at or after `fetchOffset` in the batches a Fetch returned (a fetch may start inside
 * a batch, and may end with a cut batch, which is left for the next fetch). Control batches
 * (transaction markers) are skipped but move `nextOffset` past them.
 */
export function decodeFetchedRecords(batches: Buffer, fetchOffset: number): DecodedFetch {
  const records: pb.ConsumerRecord[] = [];
  let nextOffset = fetchOffset;
  for (const view of iterateBatches(batches, { allowPartialTail: true })) {
    const batch = decodeRecordBatch(view, { maxDecompressedBytes: DEFAULT_MAX_DECOMPRESSED_BYTES });
    const lastOffset = batch.baseOffset + batch.lastOffsetDelta;
    if (lastOffset < fetchOffset) continue;
    if (!batch.isControl) {
      for (const record of batch.records) {
        if (record.offset < fetchOffset) continue;
        records.push({
          offset: String(record.offset),
          timestampMs: String(record.timestamp),
          ...(record.key === null ? {} : { key: record.key }),
          ...(record.value === null ? {} : { value: record.value }),
          headers: record.headers.map((header) => ({
            key: header.key,
            ...(header.value === null ? {} : { value: header.value }),
          })),
        });
      }
    }
    nextOffset = Math.max(nextOffset, lastOffset + 1);
  }
  return { records, nextOffset };
}
