/**
 * Errors the log raises. Each carries Kafka's error name (`code`) so the broker can map it onto
 * its wire error without string matching, and says whether a client may retry.
 */
export abstract class LogError extends Error {
  abstract readonly code: string;
  readonly retriable: boolean = false;
}

/** The requested offset lies outside [logStartOffset, logEndOffset]. */
export class OffsetOutOfRangeError extends LogError {
  override readonly name = 'OffsetOutOfRangeError';
  readonly code = 'OFFSET_OUT_OF_RANGE';
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${offset} is out of range [${logStartOffset}, ${logEndOffset}]`);
  }
}

/**
 * Data on disk is damaged where the log cannot repair it without losing flushed records, or an
 * on-disk structure (checkpoint) is unreadable. Names the file and byte position for operators.
 */
export class CorruptLogError extends LogError {
  override readonly name = 'CorruptLogError';
  readonly code = 'KAFKA_STORAGE_ERROR';
  constructor(
    readonly file: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`corrupt log: ${file} at byte ${position}: ${reason}`);
  }
}

/** A batch in an append is structurally valid but breaks a rule (record count vs offsets, ...). */
export class InvalidRecordBatchError extends LogError {
  override readonly name = 'InvalidRecordBatchError';
  readonly code = 'INVALID_RECORD';
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`invalid record batch at byte ${position} of the append: ${reason}`);
  }
}

/** One batch is larger than `max.message.bytes`. */
export class RecordTooLargeError extends LogError {
  override readonly name = 'RecordTooLargeError';
  readonly code = 'MESSAGE_TOO_LARGE';
  constructor(
    readonly sizeBytes: number,
    readonly maxSizeBytes: number,
    readonly position: number,
  ) {
    super(`record batch of ${sizeBytes} bytes at byte ${position} exceeds max.message.bytes ${maxSizeBytes}`);
  }
}

/** The whole append is larger than one segment can hold. */
export class RecordBatchTooLargeError extends LogError {
  override readonly name = 'RecordBatchTooLargeError';
  readonly code = 'RECORD_LIST_TOO_LARGE';
  constructor(
    readonly sizeBytes: number,
    readonly segmentBytes: number,
  ) {
    super(`append of ${sizeBytes} bytes exceeds segment.bytes ${segmentBytes}`);
  }
}

/** A follower append whose first offset is below the log end offset. */
export class UnexpectedAppendOffsetError extends LogError {
  override readonly name = 'UnexpectedAppendOffsetError';
  readonly code = 'UNKNOWN_SERVER_ERROR';
  constructor(
    readonly firstOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`follower append starts at offset ${firstOffset}, below the log end offset ${logEndOffset}`);
  }
}

/** Batches of a follower append are not contiguous (each must start where the previous ended). */
export class OffsetsOutOfOrderError extends LogError {
  override readonly name = 'OffsetsOutOfOrderError';
  readonly code = 'UNKNOWN_SERVER_ERROR';
  constructor(
    readonly expectedOffset: number,
    readonly actualOffset: number,
    readonly position: number,
  ) {
    super(`batch at byte ${position} starts at offset ${actualOffset}, expected ${expectedOffset}`);
  }
}

/** A leader append carries a leader epoch older than one the log has already seen. */
export class FencedLeaderEpochError extends LogError {
  override readonly name = 'FencedLeaderEpochError';
  readonly code = 'FENCED_LEADER_EPOCH';
  constructor(
    readonly leaderEpoch: number,
    readonly latestEpoch: number,
  ) {
    super(`leader epoch ${leaderEpoch} is older than the latest epoch ${latestEpoch} in the log`);
  }
}

/** The log was closed (or failed after an I/O error) and accepts no more operations. */
export class LogClosedError extends LogError {
  override readonly name = 'LogClosedError';
  readonly code = 'KAFKA_STORAGE_ERROR';
  constructor(readonly dir: string) {
    super(`log ${dir} is closed`);
  }
}

/** An I/O call failed; the log rolled back what it could and refuses further writes. */
export class LogStorageError extends LogError {
  override readonly name = 'LogStorageError';
  readonly code = 'KAFKA_STORAGE_ERROR';
  constructor(
    readonly file: string,
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`${operation} failed on ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** A configuration value is missing its type, out of range, or inconsistent with another. */
export class InvalidConfigError extends LogError {
  override readonly name = 'InvalidConfigError';
  readonly code = 'INVALID_CONFIG';
  constructor(
    readonly key: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid value ${JSON.stringify(value)} for ${key}: ${reason}`);
  }
}

/** Throws when an internal invariant is broken: a bug, never an input problem. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`log invariant violated: ${message}`);
}
