/**
 * An object store whose reads (GET, ranged GET) take a turn of a shared `ConcurrencyLimiter`
 * first; writes, deletes and listings pass straight through (the copy task runs one partition at
 * a time and has its own quota). The broker's read path (chunk cache, offset indexes) uses one
 * over the store, so every remote fetch of every partition shares one bound on GETs in flight.
 */
import type { ConcurrencyLimiter } from './concurrency-limiter';
import type { MultipartUploadSummary, ObjectStore, ObjectSummary } from './object-store';
import type { FileRange } from './put-file-body';

export class BoundedReadStore implements ObjectStore {
  constructor(
    private readonly store: ObjectStore,
    private readonly limiter: ConcurrencyLimiter,
  ) {}

  getRange(key: string, startByte: number, endByteExclusive: number): Promise<Buffer> {
    return this.limiter.run(() => this.store.getRange(key, startByte, endByteExclusive));
  }

  get(key: string): Promise<Buffer> {
    return this.limiter.run(() => this.store.get(key));
  }

  put(key: string, body: Buffer): Promise<void> {
    return this.store.put(key, body);
  }

  putFile(key: string, path: string, sizeBytes: number, trailer?: Buffer): Promise<void> {
    return this.store.putFile(key, path, sizeBytes, trailer);
  }

  putFiles(key: string, files: readonly FileRange[], trailer?: Buffer): Promise<void> {
    return this.store.putFiles(key, files, trailer);
  }

  deleteMany(keys: readonly string[]): Promise<void> {
    return this.store.deleteMany(keys);
  }

  list(prefix: string): Promise<ObjectSummary[]> {
    return this.store.list(prefix);
  }

  listMultipartUploads(prefix: string): Promise<MultipartUploadSummary[]> {
    return this.store.listMultipartUploads(prefix);
  }

  abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    return this.store.abortMultipartUpload(key, uploadId);
  }
}
