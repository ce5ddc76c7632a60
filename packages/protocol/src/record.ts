import { ByteReader, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint';

/**
 * One record inside a RecordBatch v2, in Kafka's layout (DefaultRecord):
 *
 *   length: varint            bytes after this field
 *   attributes: int8          unused, written as 0
 *   timestampDelta: varlong   relative to the batch's base timestamp
 *   offsetDelta: varint       relative to the batch's base offset
 *   keyLength: varint, key    -1 = null
 *   valueLength: varint, value -1 = null
 *   headersCount: varint
 *   headers: keyLength varint + UTF-8 key, valueLength varint (-1 = null) + value
 */

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record to encode. `offsetDelta` defaults to the record's index in the batch. */
export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
  /** Milliseconds since the epoch (CreateTime) as the producer chose it. */
  timestamp: number;
  offsetDelta?: number;
}

/**
 * A decoded record. `key`, `value` and header values share memory with the batch (or with its
 * decompressed records): copy them before mutating or before keeping them past the buffer's life.
 */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Smallest possible record body: attributes, and one byte for each of the five varints. */
export const MIN_RECORD_BODY_BYTES = 6;
/** Smallest possible record on the wire: a one-byte length plus the smallest body. */
export const MIN_RECORD_BYTES = 1 + MIN_RECORD_BODY_BYTES;
/** Smallest possible header: a zero-length key and a null value. */
const MIN_HEADER_BYTES = 2;

function sizeOfNullableBytes(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length;
}

/**
 * Body size (everything after the length varint) of one record. Header key byte lengths are
 * appended to `headerKeyBytes` so the writer need not measure the strings twice.
 */
export function sizeOfRecordBody(
  record: RecordInput,
  timestampDelta: number,
  offsetDelta: number,
  headerKeyBytes: number[],
): number {
  let size = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  size += sizeOfNullableBytes(record.key) + sizeOfNullableBytes(record.value);
  const headers = record.headers ?? [];
  size += sizeOfVarint(headers.length);
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    headerKeyBytes.push(keyBytes);
    size += sizeOfVarint(keyBytes) + keyBytes + sizeOfNullableBytes(header.value);
  }
  return size;
}

function writeNullableBytes(buffer: Buffer, bytes: Buffer | null, at: number): number {
  if (bytes === null) return writeVarint(buffer, -1, at);
  at = writeVarint(buffer, bytes.length, at);
  return at + bytes.copy(buffer, at);
}

/**
 * Writes one record at `at` and returns the offset after it. `headerKeyBytes[keyIndex..]` are
 * the header key lengths `sizeOfRecordBody` measured; returns through `at` only, the caller
 * advances `keyIndex` by the header count.
 */
export function writeRecord(
  buffer: Buffer,
  at: number,
  record: RecordInput,
  bodyBytes: number,
  timestampDelta: number,
  offsetDelta: number,
  headerKeyBytes: readonly number[],
  keyIndex: number,
): number {
  const bodyStart = (at = writeVarint(buffer, bodyBytes, at));
  buffer[at++] = 0; // attributes: none defined for records
  at = writeVarlong(buffer, timestampDelta, at);
  at = writeVarint(buffer, offsetDelta, at);
  at = writeNullableBytes(buffer, record.key, at);
  at = writeNullableBytes(buffer, record.value, at);
  const headers = record.headers ?? [];
  at = writeVarint(buffer, headers.length, at);
  for (const header of headers) {
    const keyBytes = headerKeyBytes[keyIndex++]!;
    at = writeVarint(buffer, keyBytes, at);
    at += buffer.write(header.key, at, keyBytes, 'utf8');
    at = writeNullableBytes(buffer, header.value, at);
  }
  if (at - bodyStart !== bodyBytes) {
    throw new Error(`record encoder invariant: wrote ${at - bodyStart} body bytes, sized ${bodyBytes}`);
  }
  return at;
}

/**
 * One record's fields as read: a scratch object the batch decoder reuses record after record, so
 * reading a record allocates only what the caller keeps (key and value views, header objects).
 * `offsetDelta` is relative to the batch's base offset; `timestamp` is already absolute.
 */
export interface RecordFields {
  offsetDelta: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: readonly RecordHeader[];
}

/** What a record without headers carries (most do): one shared, frozen empty list. */
export const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

export function emptyRecordFields(): RecordFields {
  return { offsetDelta: 0, timestamp: 0, key: null, value: null, headers: NO_HEADERS };
}

/**
 * Reads one record at the reader's offset into `into`: its offset delta, and its absolute
 * timestamp (`baseTimestamp + timestampDelta`, or `logAppendTime` when the batch uses
 * LogAppendTime). The record's own length field bounds every inner read, and the fields must use
 * exactly that many bytes (Kafka's "Invalid record size"). Range checks on the results (offset
 * order, safe timestamps) belong to the caller, which knows the batch.
 */
export function readRecordFields(
  reader: ByteReader,
  baseTimestamp: number,
  logAppendTime: number | undefined,
  into: RecordFields,
): void {
  const recordAt = reader.offset;
  const bodyBytes = reader.readVarint('record length');
  if (bodyBytes < MIN_RECORD_BODY_BYTES) {
    throw reader.corrupt(`record length ${bodyBytes} below the minimum ${MIN_RECORD_BODY_BYTES}`, recordAt);
  }
  if (bodyBytes > reader.remaining) {
    throw reader.corrupt(`record length ${bodyBytes} exceeds the ${reader.remaining} bytes left`, recordAt);
  }
  const bodyStart = reader.offset;
  const bodyEnd = bodyStart + bodyBytes;
  // Narrow the window to this record so nothing inside can read into the next one.
  const outerEnd = reader.end;
  reader.end = bodyEnd;

  reader.readInt8('record attributes');
  const timestampDelta = reader.readVarlong('record timestamp delta');
  const offsetDelta = reader.readVarint('record offset delta');
  const key = reader.readNullableBytes('record key');
  const value = reader.readNullableBytes('record value');
  const countAt = reader.offset;
  const headerCount = reader.readVarint('record header count');
  if (headerCount < 0 || headerCount * MIN_HEADER_BYTES > reader.remaining) {
    throw reader.corrupt(`header count ${headerCount} impossible with ${reader.remaining} bytes left`, countAt);
  }
  let headers = NO_HEADERS;
  if (headerCount > 0) {
    const read: RecordHeader[] = [];
    for (let i = 0; i < headerCount; i++) {
      const headerKey = reader.readString('header key');
      const headerValue = reader.readNullableBytes('header value');
      read.push({ key: headerKey, value: headerValue });
    }
    headers = read;
  }
  if (reader.offset !== bodyEnd) {
    throw reader.corrupt(`record length ${bodyBytes} but its fields use ${reader.offset - bodyStart} bytes`, recordAt);
  }
  reader.end = outerEnd;
  into.offsetDelta = offsetDelta;
  into.timestamp = logAppendTime ?? baseTimestamp + timestampDelta;
  into.key = key;
  into.value = value;
  into.headers = headers;
}
