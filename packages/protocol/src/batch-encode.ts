import {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD_BYTES,
  BatchLayout as L,
  CompressionType,
  CURRENT_MAGIC,
  MAX_BATCH_BYTES_HARD_LIMIT,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  TimestampType,
} from './batch-layout';
import { codecFor } from './codecs';
import { crc32c } from './crc32c';
import { writeInt64FromNumber } from './int64';
import { RecordInput, sizeOfRecordBody, writeRecord } from './record';
import { assertInt32, sizeOfVarint } from './varint';

/** Kafka's "no timestamp" (RecordBatch.NO_TIMESTAMP), used for an empty batch. */
export const NO_TIMESTAMP = -1;

export interface EncodeRecordBatchOptions {
  /** Usually 0 from a producer; the leader stamps the real one. */
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression: CompressionType;
  timestampType?: TimestampType;
  isTransactional?: boolean;
  isControl?: boolean;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Defaults to the first record's timestamp (as the Java producer does). */
  baseTimestamp?: number;
  /**
   * Defaults to the last record's offset delta (0 for an empty batch). Larger values are legal:
   * a compacted batch keeps its original last offset so offsets are never reused.
   */
  lastOffsetDelta?: number;
  records: readonly RecordInput[];
}

function assertRange(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} ${value} is outside ${min}..${max}`);
  }
}

function assertSafe(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} ${value} is not a safe integer`);
}

/**
 * Encodes a RecordBatch v2 byte-for-byte as Kafka lays it out, CRC included. Sizes are computed
 * first so an uncompressed batch is written into a single exact allocation; a compressed one
 * costs one scratch buffer for the plain records plus the codec's output.
 *
 * Invalid arguments (out-of-range fields, offset deltas that do not increase) throw RangeError.
 */
export function encodeRecordBatch(options: EncodeRecordBatchOptions): Buffer {
  const records = options.records;
  const baseOffset = options.baseOffset ?? 0;
  const partitionLeaderEpoch = options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH;
  const timestampType = options.timestampType ?? TimestampType.CreateTime;
  const producerId = options.producerId ?? NO_PRODUCER_ID;
  const producerEpoch = options.producerEpoch ?? NO_PRODUCER_EPOCH;
  const baseSequence = options.baseSequence ?? NO_SEQUENCE;
  const first = records[0];
  const baseTimestamp = options.baseTimestamp ?? (first === undefined ? NO_TIMESTAMP : first.timestamp);

  assertSafe(baseOffset, 'baseOffset');
  assertInt32(partitionLeaderEpoch, 'partitionLeaderEpoch');
  assertSafe(producerId, 'producerId');
  assertRange(producerEpoch, -0x8000, 0x7fff, 'producerEpoch');
  assertInt32(baseSequence, 'baseSequence');
  assertSafe(baseTimestamp, 'baseTimestamp');
  const codec = options.compression === CompressionType.None ? undefined : codecFor(options.compression);
  if (options.compression !== CompressionType.None && codec === undefined) {
    throw new RangeError(`unknown compression type ${options.compression}`);
  }

  // Pass 1: validate and size every record.
  const count = records.length;
  const bodySizes = new Array<number>(count);
  const timestampDeltas = new Array<number>(count);
  const offsetDeltas = new Array<number>(count);
  const headerKeyBytes: number[] = [];
  let maxTimestamp = NO_TIMESTAMP;
  let previousOffsetDelta = -1;
  let recordsBytes = 0;
  for (let i = 0; i < count; i++) {
    const record = records[i]!;
    const offsetDelta = record.offsetDelta ?? i;
    assertInt32(offsetDelta, 'offsetDelta');
    if (offsetDelta <= previousOffsetDelta) {
      throw new RangeError(
        `record ${i}: offsetDelta ${offsetDelta} does not increase (previous ${previousOffsetDelta})`,
      );
    }
    previousOffsetDelta = offsetDelta;
    assertSafe(record.timestamp, `record ${i}: timestamp`);
    const timestampDelta = record.timestamp - baseTimestamp;
    assertSafe(timestampDelta, `record ${i}: timestamp delta`);
    if (i === 0 || record.timestamp > maxTimestamp) maxTimestamp = record.timestamp;
    const bodyBytes = sizeOfRecordBody(record, timestampDelta, offsetDelta, headerKeyBytes);
    bodySizes[i] = bodyBytes;
    timestampDeltas[i] = timestampDelta;
    offsetDeltas[i] = offsetDelta;
    recordsBytes += sizeOfVarint(bodyBytes) + bodyBytes;
    if (recordsBytes > MAX_BATCH_BYTES_HARD_LIMIT) {
      throw new RangeError(`records exceed the ${MAX_BATCH_BYTES_HARD_LIMIT}-byte batch limit`);
    }
  }
  const lastOffsetDelta = options.lastOffsetDelta ?? Math.max(0, previousOffsetDelta);
  assertInt32(lastOffsetDelta, 'lastOffsetDelta');
  if (lastOffsetDelta < previousOffsetDelta || lastOffsetDelta < 0) {
    throw new RangeError(`lastOffsetDelta ${lastOffsetDelta} is below the last record's ${previousOffsetDelta}`);
  }
  assertSafe(baseOffset + lastOffsetDelta, 'last offset');

  // Pass 2: write records, straight into the batch when uncompressed.
  const writeRecords = (target: Buffer, start: number): void => {
    let at = start;
    let keyIndex = 0;
    for (let i = 0; i < count; i++) {
      const record = records[i]!;
      at = writeRecord(
        target,
        at,
        record,
        bodySizes[i]!,
        timestampDeltas[i]!,
        offsetDeltas[i]!,
        headerKeyBytes,
        keyIndex,
      );
      keyIndex += record.headers?.length ?? 0;
    }
    if (at - start !== recordsBytes)
      throw new Error(`batch encoder invariant: wrote ${at - start} of ${recordsBytes} record bytes`);
  };

  let batch: Buffer;
  if (codec === undefined) {
    batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + recordsBytes);
    writeRecords(batch, L.RECORDS);
  } else {
    const plain = Buffer.allocUnsafe(recordsBytes);
    writeRecords(plain, 0);
    const compressed = codec.compress(plain);
    if (BATCH_HEADER_BYTES + compressed.length > MAX_BATCH_BYTES_HARD_LIMIT) {
      throw new RangeError(`compressed batch exceeds the ${MAX_BATCH_BYTES_HARD_LIMIT}-byte limit`);
    }
    batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
    compressed.copy(batch, L.RECORDS);
  }

  let attributes = options.compression & Attributes.COMPRESSION_MASK;
  if (timestampType === TimestampType.LogAppendTime) attributes |= Attributes.TIMESTAMP_TYPE;
  if (options.isTransactional) attributes |= Attributes.TRANSACTIONAL;
  if (options.isControl) attributes |= Attributes.CONTROL;

  writeInt64FromNumber(batch, baseOffset, L.BASE_OFFSET);
  batch.writeInt32BE(batch.length - BATCH_LOG_OVERHEAD_BYTES, L.BATCH_LENGTH);
  batch.writeInt32BE(partitionLeaderEpoch, L.PARTITION_LEADER_EPOCH);
  batch.writeInt8(CURRENT_MAGIC, L.MAGIC);
  batch.writeInt16BE(attributes, L.ATTRIBUTES);
  batch.writeInt32BE(lastOffsetDelta, L.LAST_OFFSET_DELTA);
  writeInt64FromNumber(batch, baseTimestamp, L.BASE_TIMESTAMP);
  writeInt64FromNumber(batch, maxTimestamp, L.MAX_TIMESTAMP);
  writeInt64FromNumber(batch, producerId, L.PRODUCER_ID);
  batch.writeInt16BE(producerEpoch, L.PRODUCER_EPOCH);
  batch.writeInt32BE(baseSequence, L.BASE_SEQUENCE);
  batch.writeInt32BE(count, L.RECORDS_COUNT);
  batch.writeUInt32BE(crc32c(batch.subarray(L.ATTRIBUTES)), L.CRC);
  return batch;
}
