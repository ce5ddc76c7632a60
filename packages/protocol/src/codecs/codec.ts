import { CompressionType } from '../batch-layout';
import { ApiError } from '../api-errors';
import { CorruptRecordError } from '../errors';

/** What a decompressor may produce, and where its input sits for error messages. */
export interface DecompressLimits {
  /** Hard cap on decompressed bytes; exceeding it is corruption (a zip bomb), not a bigger buffer. */
  maxOutputBytes: number;
  /** Absolute byte position of the first compressed byte. */
  position: number;
}

/**
 * One compression codec for the records section of a RecordBatch. Both directions are
 * synchronous: batches are bounded (`MAX_BATCH_BYTES_HARD_LIMIT`) and the work is native.
 *
 * `decompress` never allocates more than `maxOutputBytes` for the result (plus bounded scratch)
 * and reports every malformed input as `CorruptRecordError`.
 */
export interface CompressionCodec {
  readonly type: CompressionType;
  readonly name: string;
  /**
   * Why this runtime cannot run the codec (e.g. zstd needs a Node.js whose zlib has it), or
   * undefined when it can. Producers check it when they are configured, so a missing codec is a
   * named client-side error at start, never a failed send after the fact.
   */
  unavailableReason(): string | undefined;
  compress(records: Buffer): Buffer;
  decompress(compressed: Buffer, limits: DecompressLimits): Buffer;
}

/** Turns a codec library's exception into a `CorruptRecordError` at the compressed section. */
export function codecFailure(codec: string, error: unknown, position: number): CorruptRecordError {
  if (error instanceof CorruptRecordError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CorruptRecordError(`${codec} decompression failed: ${message}`, position);
}

export function tooLarge(codec: string, maxOutputBytes: number, position: number): CorruptRecordError {
  return new CorruptRecordError(
    `${codec} records decompress to more than maxDecompressedBytes (${maxOutputBytes})`,
    position,
  );
}

/** The runtime lacks a codec: Kafka's UNSUPPORTED_COMPRESSION_TYPE, raised where it is known. */
export function unavailable(codec: string, reason: string): ApiError {
  return new ApiError('UNSUPPORTED_COMPRESSION_TYPE', `compression.type ${codec} is not available here: ${reason}`);
}
