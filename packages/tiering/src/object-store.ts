/**
 * What tiering needs from an object store, and nothing more: whole PUTs of immutable objects,
 * ranged GETs, deletes, listing. `S3ObjectStore` is the implementation; the interface keeps the
 * tiering logic independent of the SDK.
 */
import type { FileRange } from './put-file-body';

export interface ObjectStore {
  put(key: string, body: Buffer): Promise<void>;
  /**
   * Streams a file's first `sizeBytes` (a segment may be 1 GiB: never held in memory whole), then
   * `trailer` when given, as one object (a segment's bytes and its indexes bundle: one PUT).
   */
  putFile(key: string, path: string, sizeBytes: number, trailer?: Buffer): Promise<void>;
  /**
   * Streams files' ranges one after another, then `trailer`, as one object (consecutive small
   * segments copied as one remote segment: one PUT).
   */
  putFiles(key: string, files: readonly FileRange[], trailer?: Buffer): Promise<void>;
  /** Bytes `[startByte, endByteExclusive)` of the object; fewer only at its end. */
  getRange(key: string, startByte: number, endByteExclusive: number): Promise<Buffer>;
  /** The whole object. */
  get(key: string): Promise<Buffer>;
  /** Deleting a missing key succeeds (S3's semantics), so a retried delete is harmless. */
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Every key under `prefix` with its size and last modification. */
  list(prefix: string): Promise<ObjectSummary[]>;
  /** Multipart uploads started and neither completed nor aborted, under `prefix`. */
  listMultipartUploads(prefix: string): Promise<MultipartUploadSummary[]>;
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
}

export interface MultipartUploadSummary {
  readonly key: string;
  readonly uploadId: string;
  readonly initiatedMs: number;
}

export interface ObjectSummary {
  readonly key: string;
  readonly sizeBytes: number;
  readonly lastModifiedMs: number;
}

/** A request the store answered with an error, or could not be sent (retriable). */
export class RemoteStorageError extends Error {
  override readonly name = 'RemoteStorageError';
  /** Kafka's RemoteStorageException surfaces to fetchers as this. */
  readonly code = 'KAFKA_STORAGE_ERROR';
  constructor(
    readonly operation: string,
    readonly key: string,
    cause: unknown,
  ) {
    super(`${operation} ${key}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Per-operation request counts: PUT / GET / DELETE / LIST requests are what the bill is made of. */
export interface ObjectStoreCounters {
  readonly putRequests: number;
  readonly getRequests: number;
  readonly deleteRequests: number;
  readonly listRequests: number;
  readonly putBytes: number;
  readonly getBytes: number;
  readonly failures: number;
}
