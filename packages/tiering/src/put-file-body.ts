import { open, type FileHandle } from 'node:fs/promises';
import { ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { UploadChunkPool } from './upload-chunk-pool';

/** Chunks read or being written at once when a body writes itself into its request. */
const PUMP_CHUNKS_IN_FLIGHT = 2;

/** A file's first `sizeBytes`: one piece of a PUT body. */
export interface FileRange {
  readonly path: string;
  readonly sizeBytes: number;
}

/**
 * A PutObject body: files' ranges one after another (a segment's `.log`, or several consecutive
 * small segments' copied as one remote segment), each read in `chunkBytes` reads (a chunk never
 * spans two files), then `trailer` (the indexes bundle, so a remote segment is ONE object and one
 * PUT). A stream, so the SDK signs it UNSIGNED-PAYLOAD and hashes nothing; it buffers about one
 * chunk ahead of the socket, and holds one file open at a time.
 *
 * Its own Readable rather than an fs stream wrapped in a generator: destroying it when the
 * request failed (or ended without reading it all) closes the file and emits no error, whether or
 * not reading had started. A file shorter than its `sizeBytes` is an error (the object would be
 * short): the body is destroyed with it and `onError` is told, so the caller can abort the request
 * instead of letting it wait for bytes that will not come.
 */
export class PutFileBody extends Readable {
  /** The open file: files[fileIndex]'s (the first is opened by _construct, each next one when reached). */
  private file: FileHandle | null = null;
  private readonly opened: Promise<FileHandle | null>;
  private markOpened: (file: FileHandle | null) => void = () => {};
  private fileIndex = 0;
  /** Within files[fileIndex]. */
  private position = 0;
  private readonly sizeBytes: number;
  private trailerSent = false;
  /** Writing itself into a request (pipe with a pool): never read as a Readable as well. */
  private pumping = false;

  constructor(
    private readonly files: readonly FileRange[],
    private readonly trailer: Buffer | undefined,
    private readonly chunkBytes: number,
    onError: (error: Error) => void,
    /** Read buffers reused across chunks and uploads, used when the body writes itself (pipe). */
    private readonly pool: UploadChunkPool | null = null,
  ) {
    // Checked before the stream exists: a constructed Readable opens its file on the next tick.
    super({ highWaterMark: checkedArguments(files, chunkBytes) });
    this.sizeBytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
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
    open(this.files[0]!.path, 'r').then(
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
      const first = await this.opened;
      if (first === null) return; // the open failed: the body is destroyed with that error
      for (;;) {
        const file = await this.currentFile();
        if (file === null) break;
        const { path, sizeBytes } = this.files[this.fileIndex]!;
        if (written.length >= PUMP_CHUNKS_IN_FLIGHT) await written.shift();
        if (this.destroyed) return;
        const wanted = Math.min(this.chunkBytes, sizeBytes - this.position);
        const buffer = pool.take();
        const { bytesRead } = await file.read(buffer, 0, wanted, this.position);
        if (bytesRead !== wanted)
          throw new Error(`${path}: ${bytesRead} bytes at ${this.position}, expected ${wanted}`);
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
        this.position += wanted;
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

  /**
   * The file to read next (moving past files read to their end: closed, the next one opened), or
   * null once every file is read. Throws when the body was destroyed meanwhile.
   */
  private async currentFile(): Promise<FileHandle | null> {
    while (this.position >= this.files[this.fileIndex]!.sizeBytes) {
      if (this.fileIndex + 1 >= this.files.length) return null;
      const done = this.file;
      this.file = null;
      await done?.close();
      this.fileIndex++;
      this.position = 0;
      const next = await open(this.files[this.fileIndex]!.path, 'r');
      if (this.destroyed) {
        await next.close();
        throw new Error(`${this.files[this.fileIndex]!.path}: body destroyed while opening`);
      }
      this.file = next;
    }
    return this.file;
  }

  override _read(): void {
    if (this.pumping) {
      this.destroy(new Error(`${this.files[0]!.path}: read while it writes itself into its request`));
      return;
    }
    this.currentFile()
      .then((file) => {
        if (file === null) {
          if (!this.trailerSent && this.trailer !== undefined && this.trailer.length > 0) {
            this.trailerSent = true;
            this.push(this.trailer);
          }
          this.push(null);
          return;
        }
        const { path, sizeBytes } = this.files[this.fileIndex]!;
        const at = this.position;
        const wanted = Math.min(this.chunkBytes, sizeBytes - at);
        // A fresh Buffer per chunk: the socket may still hold the previous one.
        const chunk = Buffer.allocUnsafe(wanted);
        return file.read(chunk, 0, wanted, at).then(({ bytesRead }) => {
          if (bytesRead !== wanted) {
            this.destroy(new Error(`${path}: ${bytesRead} bytes at ${at}, expected ${wanted}`));
            return;
          }
          this.position = at + wanted;
          this.push(chunk);
        });
      })
      .catch((error: Error) => this.destroy(error));
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

/** The chunk size, once every size is a byte count and there is a file. */
function checkedArguments(files: readonly FileRange[], chunkBytes: number): number {
  if (files.length === 0) throw new RangeError('a file body needs at least one file');
  for (const { path, sizeBytes } of files)
    if (!(Number.isSafeInteger(sizeBytes) && sizeBytes >= 0)) throw new RangeError(`size ${sizeBytes} of ${path}`);
  if (!(Number.isSafeInteger(chunkBytes) && chunkBytes > 0)) throw new RangeError(`chunk ${chunkBytes} bytes`);
  return chunkBytes;
}
