import {
  Attributes,
  BATCH_HEADER_BYTES,
  BATCH_LOG_OVERHEAD_BYTES,
  BatchLayout as L,
  CompressionType,
  CURRENT_MAGIC,
  MAX_BATCH_BYTES_HARD_LIMIT,
  TimestampType,
} from './batch-layout';
import { crc32c } from './crc32c';
import { CorruptRecordError } from './errors';
import { readInt64AsNumber, writeInt64FromNumber } from './int64';

/**
 * A zero-copy window onto one RecordBatch v2 inside a larger Buffer. Reading header fields
 * never decodes records; `verifyCrc` checks integrity; `stamp` rewrites base offset and leader
 * epoch in place (the broker's only mutation on the hot path: both lie outside the CRC).
 *
 * `position` is the batch's absolute position in whatever the buffer came from (a file, a
 * request), used only to make error messages point at the right byte.
 */
export class RecordBatchView {
  private constructor(
    readonly buffer: Buffer,
    readonly start: number,
    readonly sizeBytes: number,
    readonly position: number,
  ) {}

  /**
   * Validates the fixed header at `start` (length bounds, magic) and returns a view.
   * Does not check the CRC: call `verifyCrc()` for that.
   */
  static at(buffer: Buffer, start = 0, position = start): RecordBatchView {
    const available = buffer.length - start;
    if (available < BATCH_LOG_OVERHEAD_BYTES) {
      throw new CorruptRecordError(
        `truncated batch: ${available} bytes left, need ${BATCH_LOG_OVERHEAD_BYTES} for offset and length`,
        position,
      );
    }
    const batchLength = buffer.readInt32BE(start + L.BATCH_LENGTH);
    const sizeBytes = batchLength + BATCH_LOG_OVERHEAD_BYTES;
    if (sizeBytes < BATCH_HEADER_BYTES || sizeBytes > MAX_BATCH_BYTES_HARD_LIMIT) {
      throw new CorruptRecordError(
        `invalid batch length ${batchLength} (batch must be ${BATCH_HEADER_BYTES}..${MAX_BATCH_BYTES_HARD_LIMIT} bytes)`,
        position + L.BATCH_LENGTH,
      );
    }
    if (available < BATCH_HEADER_BYTES) {
      throw new CorruptRecordError(`truncated batch header: ${available} of ${BATCH_HEADER_BYTES} bytes`, position);
    }
    const magic = buffer.readInt8(start + L.MAGIC);
    if (magic !== CURRENT_MAGIC) {
      throw new CorruptRecordError(`unsupported magic ${magic} (expected ${CURRENT_MAGIC})`, position + L.MAGIC);
    }
    if (available < sizeBytes) {
      throw new CorruptRecordError(`truncated batch: ${available} of ${sizeBytes} bytes present`, position);
    }
    const view = new RecordBatchView(buffer, start, sizeBytes, position);
    const recordsCount = view.recordsCount;
    if (recordsCount < 0 || view.lastOffsetDelta < 0) {
      throw new CorruptRecordError(
        `negative record count ${recordsCount} or last offset delta ${view.lastOffsetDelta}`,
        position + L.LAST_OFFSET_DELTA,
      );
    }
    return view;
  }

  get baseOffset(): number {
    return readInt64AsNumber(this.buffer, this.start + L.BASE_OFFSET, this.position + L.BASE_OFFSET);
  }
  get batchLength(): number {
    return this.buffer.readInt32BE(this.start + L.BATCH_LENGTH);
  }
  get partitionLeaderEpoch(): number {
    return this.buffer.readInt32BE(this.start + L.PARTITION_LEADER_EPOCH);
  }
  get magic(): number {
    return this.buffer.readInt8(this.start + L.MAGIC);
  }
  get crc(): number {
    return this.buffer.readUInt32BE(this.start + L.CRC);
  }
  get attributes(): number {
    return this.buffer.readInt16BE(this.start + L.ATTRIBUTES);
  }
  get compression(): CompressionType {
    return (this.attributes & Attributes.COMPRESSION_MASK) as CompressionType;
  }
  get timestampType(): TimestampType {
    return this.attributes & Attributes.TIMESTAMP_TYPE ? TimestampType.LogAppendTime : TimestampType.CreateTime;
  }
  get isTransactional(): boolean {
    return (this.attributes & Attributes.TRANSACTIONAL) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & Attributes.CONTROL) !== 0;
  }
  get lastOffsetDelta(): number {
    return this.buffer.readInt32BE(this.start + L.LAST_OFFSET_DELTA);
  }
  /** Offset of the last record in the batch (base offset + last offset delta). */
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  /** Offset right after this batch: where the next batch starts. */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  get baseTimestamp(): number {
    return readInt64AsNumber(this.buffer, this.start + L.BASE_TIMESTAMP, this.position + L.BASE_TIMESTAMP);
  }
  get maxTimestamp(): number {
    return readInt64AsNumber(this.buffer, this.start + L.MAX_TIMESTAMP, this.position + L.MAX_TIMESTAMP);
  }
  get producerId(): number {
    return readInt64AsNumber(this.buffer, this.start + L.PRODUCER_ID, this.position + L.PRODUCER_ID);
  }
  get producerEpoch(): number {
    return this.buffer.readInt16BE(this.start + L.PRODUCER_EPOCH);
  }
  get baseSequence(): number {
    return this.buffer.readInt32BE(this.start + L.BASE_SEQUENCE);
  }
  get recordsCount(): number {
    return this.buffer.readInt32BE(this.start + L.RECORDS_COUNT);
  }
  /** Position (absolute, like `position`) right after this batch. */
  get endPosition(): number {
    return this.position + this.sizeBytes;
  }

  /** The batch's bytes, sharing memory with the underlying buffer. */
  bytes(): Buffer {
    return this.buffer.subarray(this.start, this.start + this.sizeBytes);
  }

  /** The records section (possibly compressed), sharing memory. */
  recordsBytes(): Buffer {
    return this.buffer.subarray(this.start + L.RECORDS, this.start + this.sizeBytes);
  }

  computeCrc(): number {
    return crc32c(this.buffer.subarray(this.start + L.ATTRIBUTES, this.start + this.sizeBytes));
  }

  isCrcValid(): boolean {
    return this.computeCrc() === this.crc;
  }

  /** Throws `CorruptRecordError` when the stored CRC does not match the bytes. */
  verifyCrc(): void {
    const actual = this.computeCrc();
    if (actual !== this.crc) {
      throw new CorruptRecordError(
        `CRC mismatch: stored 0x${this.crc.toString(16).padStart(8, '0')}, computed 0x${actual.toString(16).padStart(8, '0')}`,
        this.position + L.CRC,
      );
    }
  }

  /**
   * Rewrites base offset and partition leader epoch in place. Neither is covered by the CRC,
   * so the batch stays valid and nothing is re-encoded.
   */
  stamp(baseOffset: number, partitionLeaderEpoch: number): void {
    writeInt64FromNumber(this.buffer, baseOffset, this.start + L.BASE_OFFSET);
    this.buffer.writeInt32BE(partitionLeaderEpoch, this.start + L.PARTITION_LEADER_EPOCH);
  }
}

/**
 * Iterates the batches laid end to end in `buffer`. A trailing partial batch (fewer bytes than
 * its header announces) ends iteration silently when `allowPartialTail` is set, as Kafka's fetch
 * responses may cut the last batch; otherwise it is a `CorruptRecordError`.
 */
export function* iterateBatches(
  buffer: Buffer,
  options: { basePosition?: number; allowPartialTail?: boolean; verifyCrc?: boolean } = {},
): Generator<RecordBatchView> {
  const basePosition = options.basePosition ?? 0;
  let start = 0;
  while (start < buffer.length) {
    const remaining = buffer.length - start;
    if (options.allowPartialTail && isPartialTail(buffer, start, remaining)) return;
    const view = RecordBatchView.at(buffer, start, basePosition + start);
    if (options.verifyCrc) view.verifyCrc();
    yield view;
    start += view.sizeBytes;
  }
}

function isPartialTail(buffer: Buffer, start: number, remaining: number): boolean {
  if (remaining < BATCH_LOG_OVERHEAD_BYTES) return true;
  const sizeBytes = buffer.readInt32BE(start + L.BATCH_LENGTH) + BATCH_LOG_OVERHEAD_BYTES;
  return sizeBytes >= BATCH_HEADER_BYTES && sizeBytes <= MAX_BATCH_BYTES_HARD_LIMIT && remaining < sizeBytes;
}
