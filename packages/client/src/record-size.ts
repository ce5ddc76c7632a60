import { BATCH_HEADER_BYTES, MAX_VARINT_BYTES, MAX_VARLONG_BYTES, type RecordInput } from '@sluice/protocol';

/**
 * An upper bound on a record's encoded size inside a batch (Kafka's
 * DefaultRecord.estimateSizeInBytesUpperBound): every varint at its widest, so a batch filled by
 * this estimate never encodes larger than estimated (compression only makes it smaller).
 */
export function recordSizeUpperBound(record: RecordInput): number {
  let bytes = MAX_VARINT_BYTES + 1 + MAX_VARLONG_BYTES + MAX_VARINT_BYTES; // length, attributes, timestamp and offset deltas
  bytes += MAX_VARINT_BYTES + (record.key?.length ?? 0);
  bytes += MAX_VARINT_BYTES + (record.value?.length ?? 0);
  bytes += MAX_VARINT_BYTES;
  for (const header of record.headers ?? []) {
    bytes += MAX_VARINT_BYTES + Buffer.byteLength(header.key, 'utf8') + MAX_VARINT_BYTES + (header.value?.length ?? 0);
  }
  return bytes;
}

/** A batch holding just this record, header included. */
export function singleRecordBatchUpperBound(record: RecordInput): number {
  return BATCH_HEADER_BYTES + recordSizeUpperBound(record);
}
