import { Attributes, BATCH_HEADER_BYTES, BatchLayout as L, CompressionType, TimestampType } from './batch-layout';
import { iterateBatches, RecordBatchView } from './batch-view';
import { codecFor } from './codecs';
import { CorruptRecordError } from './errors';
import {
  DecodedRecord,
  emptyRecordFields,
  MIN_RECORD_BYTES,
  NO_HEADERS,
  readRecordFields,
  type RecordHeader,
} from './record';
import { ByteReader } from './varint';

/**
 * Default cap on a batch's decompressed records. Kafka's default `message.max.bytes` is ~1 MiB
 * compressed; 64 MiB leaves room for very compressible data while stopping zip bombs.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;
const MAX_DECOMPRESSED_BYTES_LIMIT = 0x7fffffff;

export interface DecodeRecordBatchOptions {
  /** Check the CRC-32C before anything else (default true). */
  verifyCrc?: boolean;
  /** Decompressed records larger than this are `CorruptRecordError` (default 64 MiB). */
  maxDecompressedBytes?: number;
  /** Absolute position of `buffer[0]` for error messages when decoding a Buffer (default 0). */
  position?: number;
}

export interface DecodedRecordBatch {
  baseOffset: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Bytes the batch occupies on the wire, log overhead included. */
  sizeBytes: number;
  records: DecodedRecord[];
}

/** A batch's header fields as `decodeRecordBatchInto` checked them (everything but the records). */
export type RecordBatchHeader = Omit<DecodedRecordBatch, 'records'>;

/**
 * Makes the caller's object for one record: `offset` and `timestamp` are absolute (LogAppendTime
 * already applied); `key`, `value` and header values share memory with the batch (or its
 * decompressed records); `headers` is the frozen `NO_HEADERS` when the record has none.
 */
export type RecordBuilder<T> = (
  batch: RecordBatchHeader,
  offset: number,
  timestamp: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[],
) => T;

export interface DecodeRecordsIntoOptions {
  /** Check the CRC-32C before anything else (default true). */
  verifyCrc?: boolean;
  /** Decompressed records larger than this are `CorruptRecordError` (default 64 MiB). */
  maxDecompressedBytes?: number;
  /**
   * Records below this offset are checked but not built (default 0: every record). A fetch from
   * the middle of a batch skips what it already has this way; +Infinity checks a batch only.
   */
  fromOffset?: number;
}

function checkedMaxDecompressedBytes(value: number | undefined): number {
  const bytes = value ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_DECOMPRESSED_BYTES_LIMIT) {
    throw new RangeError(`maxDecompressedBytes ${bytes} is outside 1..${MAX_DECOMPRESSED_BYTES_LIMIT}`);
  }
  return bytes;
}

/** A reader over the batch's records, decompressing first when the batch is compressed. */
function recordsReader(view: RecordBatchView, compression: CompressionType, maxDecompressedBytes: number): ByteReader {
  const sectionStart = view.start + L.RECORDS;
  const sectionEnd = view.start + view.sizeBytes;
  const sectionPosition = view.position + L.RECORDS;
  const count = view.recordsCount;
  if (compression === CompressionType.None) {
    if (count > (sectionEnd - sectionStart) / MIN_RECORD_BYTES) {
      throw new CorruptRecordError(
        `record count ${count} impossible in ${sectionEnd - sectionStart} bytes of records`,
        view.position + L.RECORDS_COUNT,
      );
    }
    return new ByteReader(view.buffer, sectionStart, sectionEnd, sectionPosition);
  }
  const codec = codecFor(compression);
  if (codec === undefined) {
    throw new CorruptRecordError(`unknown compression type ${compression}`, view.position + L.ATTRIBUTES);
  }
  if (count > maxDecompressedBytes / MIN_RECORD_BYTES) {
    throw new CorruptRecordError(
      `record count ${count} cannot fit in maxDecompressedBytes (${maxDecompressedBytes})`,
      view.position + L.RECORDS_COUNT,
    );
  }
  const compressed = view.buffer.subarray(sectionStart, sectionEnd);
  const plain =
    compressed.length === 0
      ? compressed
      : codec.decompress(compressed, { maxOutputBytes: maxDecompressedBytes, position: sectionPosition });
  if (plain.length > maxDecompressedBytes) {
    throw new Error(
      `${codec.name} codec invariant: returned ${plain.length} bytes over the ${maxDecompressedBytes} cap`,
    );
  }
  if (count > plain.length / MIN_RECORD_BYTES) {
    throw new CorruptRecordError(
      `record count ${count} impossible in ${plain.length} decompressed bytes`,
      view.position + L.RECORDS_COUNT,
    );
  }
  return new ByteReader(plain, 0, plain.length, sectionPosition, sectionPosition);
}

/**
 * Decodes one RecordBatch v2: header fields and every record, with absolute offsets and
 * timestamps. A Buffer must hold exactly one batch (use `decodeRecordBatches` for several).
 *
 * Every malformed input is a `CorruptRecordError` carrying the absolute byte position; lengths
 * are checked against the bytes left before anything is sliced or allocated.
 */
export function decodeRecordBatch(
  input: Buffer | RecordBatchView,
  options: DecodeRecordBatchOptions = {},
): DecodedRecordBatch {
  const maxDecompressedBytes = checkedMaxDecompressedBytes(options.maxDecompressedBytes);
  let view: RecordBatchView;
  if (input instanceof RecordBatchView) {
    view = input;
  } else {
    view = RecordBatchView.at(input, 0, options.position ?? 0);
    if (input.length !== view.sizeBytes) {
      throw new CorruptRecordError(`${input.length - view.sizeBytes} bytes after the batch`, view.endPosition);
    }
  }
  return decodeView(view, options.verifyCrc ?? true, maxDecompressedBytes);
}

/** Decodes every batch laid end to end in `buffer` (no partial tail allowed). */
export function decodeRecordBatches(buffer: Buffer, options: DecodeRecordBatchOptions = {}): DecodedRecordBatch[] {
  const maxDecompressedBytes = checkedMaxDecompressedBytes(options.maxDecompressedBytes);
  const batches: DecodedRecordBatch[] = [];
  for (const view of iterateBatches(buffer, { basePosition: options.position ?? 0 })) {
    batches.push(decodeView(view, options.verifyCrc ?? true, maxDecompressedBytes));
  }
  return batches;
}

/**
 * Decodes one batch's records straight into the caller's objects (`build`, appended to `out`),
 * without an intermediate record object: the consumer's path. Checks exactly what
 * `decodeRecordBatch` checks, in the same order, with the same `CorruptRecordError`s; on an error
 * `out` may hold records of this batch already, so a caller that must not keep half a batch passes
 * an array it can drop. Returns the batch's header fields.
 */
export function decodeRecordBatchInto<T>(
  view: RecordBatchView,
  build: RecordBuilder<T>,
  out: T[],
  options: DecodeRecordsIntoOptions = {},
): RecordBatchHeader {
  const fromOffset = options.fromOffset ?? 0;
  if (Number.isNaN(fromOffset)) throw new RangeError('fromOffset is NaN');
  return decodeRecords(
    view,
    options.verifyCrc ?? true,
    checkedMaxDecompressedBytes(options.maxDecompressedBytes),
    fromOffset,
    build,
    out,
  );
}

/** The old shape: a fresh, mutable headers array per record, as callers of `decodeRecordBatch` got. */
const buildDecodedRecord: RecordBuilder<DecodedRecord> = (_batch, offset, timestamp, key, value, headers) => ({
  offset,
  timestamp,
  key,
  value,
  headers: headers === NO_HEADERS ? [] : (headers as RecordHeader[]),
});

function decodeView(view: RecordBatchView, verifyCrc: boolean, maxDecompressedBytes: number): DecodedRecordBatch {
  const records: DecodedRecord[] = [];
  const header = decodeRecords(view, verifyCrc, maxDecompressedBytes, 0, buildDecodedRecord, records);
  return { ...header, records };
}

function decodeRecords<T>(
  view: RecordBatchView,
  verifyCrc: boolean,
  maxDecompressedBytes: number,
  fromOffset: number,
  build: RecordBuilder<T>,
  out: T[],
): RecordBatchHeader {
  if (view.sizeBytes < BATCH_HEADER_BYTES) throw new Error('RecordBatchView invariant: batch below header size');
  if (verifyCrc) view.verifyCrc();
  const attributes = view.attributes;
  const compression = (attributes & Attributes.COMPRESSION_MASK) as CompressionType;
  const timestampType = view.timestampType;
  const baseOffset = view.baseOffset;
  const lastOffsetDelta = view.lastOffsetDelta;
  const baseTimestamp = view.baseTimestamp;
  const maxTimestamp = view.maxTimestamp;
  const producerId = view.producerId;
  if (!Number.isSafeInteger(baseOffset + lastOffsetDelta)) {
    throw new CorruptRecordError(`last offset ${baseOffset} + ${lastOffsetDelta} not a safe integer`, view.position);
  }

  const reader = recordsReader(view, compression, maxDecompressedBytes);
  const count = view.recordsCount;
  const header: RecordBatchHeader = {
    baseOffset,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    magic: view.magic,
    crc: view.crc,
    attributes,
    compression,
    timestampType,
    isTransactional: view.isTransactional,
    isControl: view.isControl,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    sizeBytes: view.sizeBytes,
  };
  // Kafka: with LogAppendTime every record carries the batch's max timestamp.
  const logAppendTime = timestampType === TimestampType.LogAppendTime ? maxTimestamp : undefined;
  const fields = emptyRecordFields();
  let previousOffsetDelta = -1;
  for (let i = 0; i < count; i++) {
    if (reader.remaining === 0) {
      throw reader.corrupt(`batch header says ${count} records, only ${i} present`);
    }
    const recordAt = reader.offset;
    readRecordFields(reader, baseTimestamp, logAppendTime, fields);
    const offsetDelta = fields.offsetDelta;
    if (offsetDelta <= previousOffsetDelta || offsetDelta > lastOffsetDelta) {
      throw reader.corrupt(
        `record ${i}: offset delta ${offsetDelta} not above ${previousOffsetDelta} and within last offset delta ${lastOffsetDelta}`,
        recordAt,
      );
    }
    previousOffsetDelta = offsetDelta;
    if (!Number.isSafeInteger(fields.timestamp)) {
      throw reader.corrupt(`record ${i}: timestamp ${fields.timestamp} not a safe integer`, recordAt);
    }
    const offset = baseOffset + offsetDelta;
    if (offset >= fromOffset)
      out.push(build(header, offset, fields.timestamp, fields.key, fields.value, fields.headers));
  }
  if (reader.remaining !== 0) {
    throw reader.corrupt(`${reader.remaining} bytes left over after the ${count} records the header announces`);
  }
  return header;
}
