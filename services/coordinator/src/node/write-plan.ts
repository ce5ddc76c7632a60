/**
 * How one logical coordinator write (the records of one operation, in order) becomes Produce
 * requests: uncompressed RecordBatches each at most `maxBatchBytes` (the topic's
 * `max.message.bytes`, which the broker's log enforces per batch), packed in order into requests
 * of at most `maxRequestBytes` of batch bytes (well under gRPC's message limit).
 *
 * Why several batches and not one: a 10,000-member group's target assignment is 1.7-4.3 MiB of
 * records, over Kafka's default 1 MiB `max.message.bytes`; one batch would be refused and the
 * group could never converge. The broker appends all batches of one ProducePartition in one
 * synchronous `PartitionLog.append` after validating every one of them, so a request is
 * all-or-nothing on the leader. Requests are sent one after another; only a write larger than
 * `maxRequestBytes` needs more than one.
 *
 * Pure: no I/O, sizes are exact (the same arithmetic as the encoder), and every batch is checked
 * against the limit after encoding.
 */
import {
  ApiError,
  BATCH_HEADER_BYTES,
  CompressionType,
  encodeRecordBatch,
  sizeOfRecordBody,
  sizeOfVarint,
} from '@sluice/protocol';

export interface EncodedRecord {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

export interface WriteLimits {
  /** Largest RecordBatch, log overhead included (the topic's max.message.bytes). */
  readonly maxBatchBytes: number;
  /** Largest sum of batch bytes in one Produce request. */
  readonly maxRequestBytes: number;
}

/** Kafka's default max.message.bytes (1 MiB + the 12-byte log overhead). */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024 + 12;
/**
 * A quarter of the 64 MiB gRPC message limit both ends are built with (packages/runtime
 * DEFAULT_CHANNEL_OPTIONS / DEFAULT_SERVER_OPTIONS): ample room for the request's framing, and
 * far below any sane segment.bytes (a single append must fit one segment).
 */
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Splits `records` (in order) into batches of at most `maxBatchBytes`; MESSAGE_TOO_LARGE when one record alone cannot fit. */
export function encodeBatches(records: readonly EncodedRecord[], timestampMs: number, maxBatchBytes: number): Buffer[] {
  if (!Number.isSafeInteger(maxBatchBytes) || maxBatchBytes <= BATCH_HEADER_BYTES)
    throw new RangeError(`maxBatchBytes ${maxBatchBytes} leaves no room for a record`);
  const batches: Buffer[] = [];
  let pending: { key: Buffer; value: Buffer | null; timestamp: number }[] = [];
  let pendingBytes = BATCH_HEADER_BYTES;
  const flush = (): void => {
    const batch = encodeRecordBatch({ compression: CompressionType.None, records: pending });
    if (batch.length !== pendingBytes || batch.length > maxBatchBytes)
      throw new Error(
        `write plan invariant: batch of ${batch.length} bytes, planned ${pendingBytes}, limit ${maxBatchBytes}`,
      );
    batches.push(batch);
    pending = [];
    pendingBytes = BATCH_HEADER_BYTES;
  };
  for (const record of records) {
    const input = { key: record.key, value: record.value, timestamp: timestampMs };
    // All records of a write share one timestamp: the delta is 0, the offset delta is the index in the batch.
    let recordBytes = sizeWithLength(input, pending.length);
    if (pending.length > 0 && pendingBytes + recordBytes > maxBatchBytes) {
      flush();
      recordBytes = sizeWithLength(input, 0);
    }
    if (pendingBytes + recordBytes > maxBatchBytes) {
      throw new ApiError(
        'MESSAGE_TOO_LARGE',
        `one record of ${recordBytes} bytes does not fit a batch of max.message.bytes ${maxBatchBytes}`,
      );
    }
    pending.push(input);
    pendingBytes += recordBytes;
  }
  if (pending.length > 0) flush();
  return batches;
}

/** Packs batches (in order) into Produce payloads of at most `maxRequestBytes` each (a batch larger than that goes alone). */
export function packRequests(batches: readonly Buffer[], maxRequestBytes: number): Buffer[] {
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes <= 0)
    throw new RangeError(`maxRequestBytes ${maxRequestBytes} is not a positive integer`);
  const requests: Buffer[] = [];
  let current: Buffer[] = [];
  let currentBytes = 0;
  for (const batch of batches) {
    if (current.length > 0 && currentBytes + batch.length > maxRequestBytes) {
      requests.push(Buffer.concat(current, currentBytes));
      current = [];
      currentBytes = 0;
    }
    current.push(batch);
    currentBytes += batch.length;
  }
  if (current.length > 0) requests.push(Buffer.concat(current, currentBytes));
  return requests;
}

/** The records of one write as Produce payloads (each the concatenated batches of one request). */
export function planWrite(records: readonly EncodedRecord[], timestampMs: number, limits: WriteLimits): Buffer[] {
  if (limits.maxRequestBytes < limits.maxBatchBytes)
    throw new RangeError(`maxRequestBytes ${limits.maxRequestBytes} is below maxBatchBytes ${limits.maxBatchBytes}`);
  return packRequests(encodeBatches(records, timestampMs, limits.maxBatchBytes), limits.maxRequestBytes);
}

function sizeWithLength(record: { key: Buffer; value: Buffer | null; timestamp: number }, offsetDelta: number): number {
  const body = sizeOfRecordBody(record, 0, offsetDelta, []);
  return sizeOfVarint(body) + body;
}
