/**
 * Byte layout of a RecordBatch v2, exactly as Kafka writes it (big-endian throughout).
 * Offsets are relative to the first byte of the batch.
 */
export const BatchLayout = {
  BASE_OFFSET: 0, // int64
  BATCH_LENGTH: 8, // int32: bytes after this field
  PARTITION_LEADER_EPOCH: 12, // int32
  MAGIC: 16, // int8, always 2
  CRC: 17, // uint32, CRC-32C over ATTRIBUTES..end
  ATTRIBUTES: 21, // int16
  LAST_OFFSET_DELTA: 23, // int32
  BASE_TIMESTAMP: 27, // int64
  MAX_TIMESTAMP: 35, // int64
  PRODUCER_ID: 43, // int64
  PRODUCER_EPOCH: 51, // int16
  BASE_SEQUENCE: 53, // int32
  RECORDS_COUNT: 57, // int32
  RECORDS: 61,
} as const;

/** Size of the fixed header; also the smallest possible batch (zero records). */
export const BATCH_HEADER_BYTES = 61;
/** Bytes before `batchLength` counts: base offset (8) + batch length (4). */
export const BATCH_LOG_OVERHEAD_BYTES = 12;
export const CURRENT_MAGIC = 2;

/**
 * Upper bound on one batch's size that readers accept before allocating anything. Kafka's
 * `message.max.bytes` tops out far below this; a larger length field is corruption.
 */
export const MAX_BATCH_BYTES_HARD_LIMIT = 256 * 1024 * 1024;

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

export const Attributes = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const;

/** Kafka's "no producer" values for non-idempotent batches. */
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;
