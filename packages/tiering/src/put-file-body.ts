import { open, type FileHandle } from 'node:fs/promises';
import { ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { UploadChunkPool } from './upload-chunk-pool';

/** Chunks read or being written at once when a body writes itself into its request. */
const PUMP_CHUNKS_IN_FLIGHT = 2;

/**
 * A PutObject body: a file's first `sizeBytes` read in `chunkBytes` reads, then `trailer` (a
 * segment's indexes bundle, so a segment is ONE object and one PUT). A stream, so the SDK signs it
 * UNSIGNED-PAYLOAD and hashes nothing; it buffers about one chunk ahead of the socket.
 *
 * Its own Readable rather than an fs stream wrapped in a generator: destroying it when the
 * request failed (or ended without reading it all) closes the file and emits no error, whether or
 * not reading had started. A file shorter than `sizeBytes` is an error (the object would be
 * short): the body is destroyed with it and `onError` is told, so the caller can abort the request
 * instead of letting it wait for bytes that will not come.
 */
export class PutFileBody extends Readable {
  private file: FileHandle | null = null;
  private readonly opened: Promise<FileHandle | null>;
  private markOpened: (file: FileHandle | null) => void = () => {};
  private position = 0;
  private trailerSent = false;
  /** Writing itself into a request (pipe with a pool): never read as a Readable as well. */
  private pumping = false;

  constructor(
    private readonly path: string,
    private readonly sizeBytes: number,
    private readonly trailer: Buffer | undefined,
    private readonly chunkBytes: number,
    onError: (error: Error) => void,
    /** Read buffers reused across chunks and uploads, used when the body writes itself (pipe). */
    private readonly pool: UploadChunkPool | null = null,
  ) {
    // Checked before the stream exists: a constructed Readable opens its file on the next tick.
    super({ highWaterMark: checkedArguments(path, sizeBytes, chunkBytes) });
    this.opened = new Promise((resolve) => (this.markOpened = resolve));
    if (pool !== null && pool.chunkBytes !== chunkBytes)
      throw new RangeError(`pool of ${pool.chunkBytes}-byte buffers for ${chunkBytes}-byte chunks`);
    this.on('error', onError);
  }

  /**
   * Piped into an HTTP request (what the SDK does with a stream body) and given a pool, the body
   * writes itself: each chunk read into a pooled buffer and written with a callback, the buffer
   * returned to the pool only when that callback says the request flushed it (Node's contract for
   * `request.write`), so a buffer is never read into while any of its bytes are still to be sent.
   * Anything else (another destination, a body already being read) is the plain Readable.
   */
  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    if (
      this.pool === null ||
      !(destination instanceof ClientRequest) ||
      options?.end === false ||
      this.readableFlowing !== null ||
      this.readableDidRead
    )
      return super.pipe(destination, options);
    // Never flowing nor read: the Readable side stays idle (_read refuses if it is asked).
    this.pumping = true;
    void this.pump(destination, this.pool);
    return destination;
  }

  /** Bytes the body holds in all: the file's range and the trailer. */
  get contentLength(): number {
    return this.sizeBytes + (this.trailer?.length ?? 0);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'r').then(
      (file) => {
        this.file = file;
        this.markOpened(file);
        callback();
      },
      (error: Error) => {
        this.markOpened(null);
        callback(error);
      },
    );
  }

  private async pump(request: ClientRequest, pool: UploadChunkPool): Promise<void> {
    const written: Array<Promise<void>> = [];
    try {
      const file = await this.opened;
      if (file === null) return; // the open failed: the body is destroyed with that error
      for (let position = 0; position < this.sizeBytes;) {
        if (written.length >= PUMP_CHUNKS_IN_FLIGHT) await written.shift();
        if (this.destroyed) return;
        const wanted = Math.min(this.chunkBytes, this.sizeBytes - position);
        const buffer = pool.take();
        const { bytesRead } = await file.read(buffer, 0, wanted, position);
        if (bytesRead !== wanted)
          throw new Error(`${this.path}: ${bytesRead} bytes at ${position}, expected ${wanted}`);
        if (this.destroyed) return;
        written.push(
          new Promise<void>((resolve, reject) => {
            request.write(buffer.subarray(0, wanted), (error) => {
              if (error !== null && error !== undefined) {
                reject(error);
                return;
              }
              // Flushed: nothing of it is still to be sent.
              pool.give(buffer);
              resolve();
            });
          }),
        );
        position += wanted;
      }
      if (this.trailer !== undefined && this.trailer.length > 0) request.write(this.trailer);
      request.end();
      await Promise.all(written);
    } catch (error) {
      // Buffers of writes that never completed are not given back: they are dropped.
      this.destroy(error as Error);
    } finally {
      // The request has everything (or failed): the file is not needed any more.
      if (!this.destroyed) this.destroy();
    }
  }

  override _read(): void {
    if (this.pumping) {
      this.destroy(new Error(`${this.path}: read while it writes itself into its request`));
      return;
    }
    if (this.position >= this.sizeBytes) {
      if (!this.trailerSent && this.trailer !== undefined && this.trailer.length > 0) {
        this.trailerSent = true;
        this.push(this.trailer);
      }
      this.push(null);
      return;
    }
    const wanted = Math.min(this.chunkBytes, this.sizeBytes - this.position);
    // A fresh Buffer per chunk: the socket may still hold the previous one.
    const chunk = Buffer.allocUnsafe(wanted);
    this.file!.read(chunk, 0, wanted, this.position).then(
      ({ bytesRead }) => {
        if (bytesRead !== wanted) {
          this.destroy(new Error(`${this.path}: ${bytesRead} bytes at ${this.position}, expected ${wanted}`));
          return;
        }
        this.position += wanted;
        this.push(chunk);
      },
      (error: Error) => this.destroy(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const file = this.file;
    this.file = null;
    if (file === null) {
      callback(error);
      return;
    }
    file.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/** The chunk size, once both sizes are byte counts. */
function checkedArguments(path: string, sizeBytes: number, chunkBytes: number): number {
  if (!(Number.isSafeInteger(sizeBytes) && sizeBytes >= 0)) throw new RangeError(`size ${sizeBytes} of ${path}`);
  if (!(Number.isSafeInteger(chunkBytes) && chunkBytes > 0)) throw new RangeError(`chunk ${chunkBytes} bytes`);
  return chunkBytes;
}
