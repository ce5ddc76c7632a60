/**
 * A consumer's read of a partition's segment file, answered without a Buffer of its own: the
 * fetch path locates the whole batches (PartitionLog.locate: the offset index and a few headers,
 * no record read), and the Fetch answer's encoder has them read from the file straight into the
 * answer's frame, at their place (fetch-response-encoder.ts RecordsSource; the frame is lent to
 * grpc-js, answer-frames.ts). Before, each answer's records were read into a new Buffer (1 MiB
 * for a backlog read) and copied into the frame: docs/performance.md section 20.
 *
 * Between the fetch path and the encoder (the same request, a few microtasks later) the log may
 * change: appends leave a location as it was; a truncation, retention or compaction ends it
 * (`PartitionLog.isCurrent`), and the encoder's `settle` then locates the same read again, with
 * the same offset, byte limit and high watermark bound. A read that cannot be located any more
 * (the offset went below the log start, the log closed) settles on no records: the consumer asks
 * again from the same offset and hears why then. Nothing is lost either way: the answer never
 * says records were there that it does not carry.
 */
import type { PartitionLog, RecordsLocation } from '@sluice/log';
import type { RecordsSource } from '@sluice/proto';

const EMPTY = Buffer.alloc(0);

export class LogRecordsSource implements RecordsSource {
  private constructor(
    private readonly log: PartitionLog,
    private readonly offset: number,
    private readonly maxBytes: number,
    /** The high watermark when the fetch path read: batches wholly below it. */
    private readonly maxOffset: number,
    private location: RecordsLocation | null,
  ) {}

  /**
   * The records `log.read(offset, maxBytes, { maxOffset })` would return, located: a source to
   * read them later, or an empty Buffer when there are none. Throws what `read` throws.
   */
  static locate(log: PartitionLog, offset: number, maxBytes: number, maxOffset: number): LogRecordsSource | Buffer {
    const location = log.locate(offset, maxBytes, { maxOffset });
    if (location.sizeBytes === 0) return EMPTY;
    return new LogRecordsSource(log, offset, maxBytes, maxOffset, location);
  }

  /** Bytes located (what the fetch path counts against its byte budgets). */
  get length(): number {
    return this.location?.sizeBytes ?? 0;
  }

  settle(): number {
    if (this.location !== null && !this.log.isCurrent(this.location)) {
      try {
        this.location = this.log.locate(this.offset, this.maxBytes, { maxOffset: this.maxOffset });
      } catch {
        this.location = null;
      }
    }
    return this.length;
  }

  writeInto(target: Buffer, at: number): void {
    if (this.location === null || this.location.sizeBytes === 0) return;
    this.log.readLocated(this.location, target, at);
  }
}
