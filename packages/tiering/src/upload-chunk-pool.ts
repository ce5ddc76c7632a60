/**
 * Read buffers of uploads, kept for the next chunk instead of allocated per chunk: a copied
 * segment otherwise allocates its whole size in fresh Buffers (each a new mapping the kernel
 * zero-fills on the first read into it, and external memory the garbage collector has to count and
 * free). A buffer comes back only once the HTTP request has flushed it (its write callback, see
 * PutFileBody): no byte of it is still to be sent when it is read into again. Bounded: at most
 * `maxIdle` buffers wait here; more in use at once are allocated and dropped as before.
 */
export class UploadChunkPool {
  private readonly idle: Buffer[] = [];
  private created = 0;
  private reused = 0;

  constructor(
    readonly chunkBytes: number,
    private readonly maxIdle: number,
  ) {
    if (!(Number.isSafeInteger(chunkBytes) && chunkBytes > 0)) throw new RangeError(`chunkBytes ${chunkBytes}`);
    if (!(Number.isSafeInteger(maxIdle) && maxIdle >= 0)) throw new RangeError(`maxIdle ${maxIdle}`);
  }

  take(): Buffer {
    const buffer = this.idle.pop();
    if (buffer !== undefined) {
      this.reused++;
      return buffer;
    }
    this.created++;
    return Buffer.allocUnsafeSlow(this.chunkBytes);
  }

  /** Only a buffer no one reads any more (its write flushed); one of another size is refused. */
  give(buffer: Buffer): void {
    if (buffer.length !== this.chunkBytes)
      throw new RangeError(`a ${buffer.length}-byte buffer in a ${this.chunkBytes}-byte pool`);
    if (this.idle.length < this.maxIdle) this.idle.push(buffer);
  }

  counters(): { readonly created: number; readonly reused: number; readonly idle: number } {
    return { created: this.created, reused: this.reused, idle: this.idle.length };
  }
}
