import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

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
  private position = 0;
  private trailerSent = false;

  constructor(
    private readonly path: string,
    private readonly sizeBytes: number,
    private readonly trailer: Buffer | undefined,
    private readonly chunkBytes: number,
    onError: (error: Error) => void,
  ) {
    // Checked before the stream exists: a constructed Readable opens its file on the next tick.
    super({ highWaterMark: checkedArguments(path, sizeBytes, chunkBytes) });
    this.on('error', onError);
  }

  /** Bytes the body holds in all: the file's range and the trailer. */
  get contentLength(): number {
    return this.sizeBytes + (this.trailer?.length ?? 0);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'r').then(
      (file) => {
        this.file = file;
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  override _read(): void {
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
