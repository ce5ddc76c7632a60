import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PutFileBody, type FileRange } from './put-file-body';
import { UploadChunkPool } from './upload-chunk-pool';
import type { S3StorageConfig } from './tiering-config';
import {
  RemoteStorageError,
  type MultipartUploadSummary,
  type ObjectStore,
  type ObjectStoreCounters,
  type ObjectSummary,
} from './object-store';

/**
 * Bytes read from a file at a time while it is PUT. fs streams read 64 KiB by default: a 16 MiB
 * segment is then 256 reads through libuv and 256 socket writes on the event loop that also
 * serves produce requests; 1 MiB reads make that 16 of each. Bounded: a stream buffers about one
 * such chunk ahead of the socket, and a partition uploads DEFAULT_COPY_CONCURRENCY segments at once.
 */
const PUT_FILE_READ_BYTES = 1024 * 1024;

/**
 * Upload read buffers kept idle for reuse at most (PUT_FILE_READ_BYTES each): a partition's copy
 * group uploads up to 16 segments at once, each with two chunks in flight.
 */
const DEFAULT_IDLE_UPLOAD_BUFFERS = 8;

/** S3's limit of keys per DeleteObjects request. */
const MAX_KEYS_PER_DELETE = 1000;

/** The object store over `@aws-sdk/client-s3` (AWS S3, MinIO, any S3-compatible store). */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly uploadBuffers: UploadChunkPool | null;
  private counts = {
    putRequests: 0,
    getRequests: 0,
    deleteRequests: 0,
    listRequests: 0,
    putBytes: 0,
    getBytes: 0,
    failures: 0,
  };

  constructor(
    config: S3StorageConfig,
    options: {
      readonly requestTimeoutMs?: number;
      readonly maxAttempts?: number;
      readonly onWarning?: (...content: unknown[]) => void;
      /** The SDK's flexible checksums: WHEN_REQUIRED (default, see below) or WHEN_SUPPORTED. */
      readonly checksums?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
      /** `Expect: 100-continue` on PUTs of 2 MiB and more, the SDK's default (false here, see below). */
      readonly expectContinue?: boolean;
      /** Read buffers of file uploads kept for reuse (UploadChunkPool), at most this many idle; 0: none. */
      readonly idleUploadBuffers?: number;
    } = {},
  ) {
    this.bucket = config.bucket;
    const idleUploadBuffers = options.idleUploadBuffers ?? DEFAULT_IDLE_UPLOAD_BUFFERS;
    this.uploadBuffers = idleUploadBuffers > 0 ? new UploadChunkPool(PUT_FILE_READ_BYTES, idleUploadBuffers) : null;
    this.client = new S3Client({
      region: config.region,
      ...(config.endpointUrl === null ? {} : { endpoint: config.endpointUrl }),
      forcePathStyle: config.pathStyleAccess,
      // A copy: the SDK annotates the credentials object it is given (ours is frozen).
      ...(config.credentials === null ? {} : { credentials: { ...config.credentials } }),
      // The tiering task retries on its own schedule (backoff with jitter): the SDK's retries
      // only cover a single request's transient failures.
      maxAttempts: options.maxAttempts ?? 3,
      // SDK v3 by default CRC32s every PutObject body (a segment streamed as aws-chunked with a
      // trailing checksum) and every GetObject answer: CPU on the produce path's cores for bytes
      // already checked end to end (each record batch carries its CRC32C, checked by consumers;
      // each .indexes part its CRC32C in the metadata, checked on read). Only where S3 requires
      // one (DeleteObjects) is it computed.
      requestChecksumCalculation: options.checksums ?? 'WHEN_REQUIRED',
      responseChecksumValidation: options.checksums ?? 'WHEN_REQUIRED',
      // The SDK sends `Expect: 100-continue` with every PUT body of 2 MiB or more, and its HTTP
      // handler sends such a request on a NEW connection (a non-keep-alive agent, a workaround for
      // a Node bug), closed after it: a TCP connection set up and torn down per segment on both
      // ends, and a round trip before the first byte. S3 does not need it (it only saves sending a
      // body the server would refuse; ours are our own bucket's PUTs), so PUTs stay on the pool's
      // kept-alive connections.
      expectContinueHeader: options.expectContinue ?? false,
      requestHandler: { requestTimeout: options.requestTimeoutMs ?? 30_000 },
      // The SDK's own warnings (a streaming PUT it could not retry) would go to the console; the
      // failure reaches the caller as a RemoteStorageError either way.
      logger: {
        debug: () => {},
        info: () => {},
        warn: options.onWarning ?? (() => {}),
        error: options.onWarning ?? (() => {}),
      },
    });
  }

  counters(): ObjectStoreCounters {
    return { ...this.counts };
  }

  /** The upload read buffers' reuse (null when uploads allocate their own). */
  uploadBufferCounters(): ReturnType<UploadChunkPool['counters']> | null {
    return this.uploadBuffers?.counters() ?? null;
  }

  /** Creates the bucket when it is missing (local runs and tests; production buckets exist). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.request('CreateBucket', this.bucket, () =>
        this.client.send(new CreateBucketCommand({ Bucket: this.bucket })),
      );
    }
  }

  /** Resolves when the bucket answers (HeadBucket); a RemoteStorageError otherwise. A health probe. */
  async checkBucket(): Promise<void> {
    await this.request('HeadBucket', this.bucket, () =>
      this.client.send(new HeadBucketCommand({ Bucket: this.bucket })),
    );
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.request('PutObject', key, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.length })),
    );
    this.counts.putRequests++;
    this.counts.putBytes += body.length;
  }

  putFile(key: string, path: string, sizeBytes: number, trailer?: Buffer): Promise<void> {
    return this.putFiles(key, [{ path, sizeBytes }], trailer);
  }

  async putFiles(key: string, files: readonly FileRange[], trailer?: Buffer): Promise<void> {
    // A file that reads short fails the request at once instead of leaving it waiting for bytes.
    const aborter = new AbortController();
    let bodyError: Error | null = null;
    const body = new PutFileBody(
      files,
      trailer,
      PUT_FILE_READ_BYTES,
      (error) => {
        bodyError = error;
        aborter.abort(error);
      },
      this.uploadBuffers,
    );
    try {
      await this.request('PutObject', key, async () => {
        try {
          return await this.client.send(
            new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.contentLength }),
            { abortSignal: aborter.signal },
          );
        } catch (error) {
          throw bodyError ?? error;
        }
      });
    } finally {
      // A request that failed before (or while) reading its body leaves the file open otherwise.
      body.destroy();
    }
    this.counts.putRequests++;
    this.counts.putBytes += body.contentLength;
  }

  async getRange(key: string, startByte: number, endByteExclusive: number): Promise<Buffer> {
    if (!(Number.isSafeInteger(startByte) && startByte >= 0 && endByteExclusive > startByte)) {
      throw new RangeError(`bad byte range ${startByte}..${endByteExclusive} of ${key}`);
    }
    return this.fetch(key, `bytes=${startByte}-${endByteExclusive - 1}`);
  }

  async get(key: string): Promise<Buffer> {
    return this.fetch(key, undefined);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_DELETE) {
      const batch = keys.slice(i, i + MAX_KEYS_PER_DELETE);
      const answer = await this.request('DeleteObjects', batch[0]!, () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      this.counts.deleteRequests++;
      const failed = answer.Errors ?? [];
      if (failed.length > 0) {
        this.counts.failures++;
        throw new RemoteStorageError('DeleteObjects', failed[0]!.Key ?? '?', failed[0]!.Message ?? failed[0]!.Code);
      }
    }
  }

  async list(prefix: string): Promise<ObjectSummary[]> {
    const out: ObjectSummary[] = [];
    let token: string | undefined;
    do {
      const page = await this.request('ListObjectsV2', prefix, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      this.counts.listRequests++;
      for (const item of page.Contents ?? []) {
        out.push({ key: item.Key!, sizeBytes: item.Size ?? 0, lastModifiedMs: item.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out;
  }

  async listMultipartUploads(prefix: string): Promise<MultipartUploadSummary[]> {
    const out: MultipartUploadSummary[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.request('ListMultipartUploads', prefix, () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        ),
      );
      this.counts.listRequests++;
      for (const upload of page.Uploads ?? []) {
        if (upload.Key === undefined || upload.UploadId === undefined) continue;
        out.push({ key: upload.Key, uploadId: upload.UploadId, initiatedMs: upload.Initiated?.getTime() ?? 0 });
      }
      if (page.IsTruncated !== true) return out;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    await this.request('AbortMultipartUpload', key, () =>
      this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId })),
    );
    this.counts.deleteRequests++;
  }

  destroy(): void {
    this.client.destroy();
  }

  private async fetch(key: string, range: string | undefined): Promise<Buffer> {
    const answer = await this.request('GetObject', key, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range })),
    );
    const bytes = Buffer.from(await answer.Body!.transformToByteArray());
    this.counts.getRequests++;
    this.counts.getBytes += bytes.length;
    return bytes;
  }

  private async request<T>(operation: string, key: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      this.counts.failures++;
      throw new RemoteStorageError(operation, key, error);
    }
  }
}
