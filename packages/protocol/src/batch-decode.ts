import { Attributes, BATCH_HEADER_BYTES, BatchLayout as L, CompressionType, TimestampType } from './batch-layout';
import { iterateBatches, RecordBatchView } from './batch-view';
import { codecFor } from './codecs';
import { CorruptRecordError } from './errors';
import { DecodedRecord, MIN_RECORD_BYTES, readRecord } from './record';
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

function decodeView(view: RecordBatchView, verifyCrc: boolean, maxDecompressedBytes: number): DecodedRecordBatch {
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
  // Kafka: with LogAppendTime every record carries the batch's max timestamp.
  const logAppendTime = timestampType === TimestampType.LogAppendTime ? maxTimestamp : undefined;
  const records: DecodedRecord[] = [];
  let previousOffsetDelta = -1;
  for (let i = 0; i < count; i++) {
    if (reader.remaining === 0) {
      throw reader.corrupt(`batch header says ${count} records, only ${i} present`);
    }
    const recordAt = reader.offset;
    const record = readRecord(reader, baseOffset, baseTimestamp, logAppendTime);
    const offsetDelta = record.offset - baseOffset;
    if (offsetDelta <= previousOffsetDelta || offsetDelta > lastOffsetDelta) {
      throw reader.corrupt(
        `record ${i}: offset delta ${offsetDelta} not above ${previousOffsetDelta} and within last offset delta ${lastOffsetDelta}`,
        recordAt,
      );
    }
    previousOffsetDelta = offsetDelta;
    if (!Number.isSafeInteger(record.timestamp)) {
      throw reader.corrupt(`record ${i}: timestamp ${record.timestamp} not a safe integer`, recordAt);
    }
    records.push(record);
  }
  if (reader.remaining !== 0) {
    throw reader.corrupt(`${reader.remaining} bytes left over after the ${count} records the header announces`);
  }

  return {
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
    records,
  };
}
