/**
 * One direction of one proxied connection: reads what `source` sends and writes it to `sink` as
 * the link's fault says (held while blocked, delayed by the latency, paced by the bandwidth),
 * never reordering bytes. The queue is bounded: past `maxQueuedBytes` the pump stops reading
 * `source`, so a slow or blocked link pushes back on the sender through TCP, as a real one does,
 * instead of buffering without end.
 */
import type { Socket } from 'node:net';
import type { LinkFault } from './link-faults';

interface Queued {
  readonly chunk: Buffer;
  readonly dueAtMs: number;
}

export interface FaultPumpOptions {
  readonly source: Socket;
  readonly sink: Socket;
  /** The fault on the link from source to sink, read at each step (faults change while bytes flow). */
  readonly link: () => LinkFault;
  readonly maxQueuedBytes: number;
  readonly nowMs?: () => number;
}

export class FaultPump {
  private readonly queue: Queued[] = [];
  private head = 0;
  private queuedBytes = 0;
  /** When the paced link finishes sending what is queued (bandwidth), in ms. */
  private wireFreeAtMs = 0;
  private lastDueAtMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private waitingForDrain = false;
  private closed = false;
  /** Bytes written to the sink: what got through. */
  forwardedBytes = 0;

  constructor(private readonly options: FaultPumpOptions) {
    if (!(Number.isSafeInteger(options.maxQueuedBytes) && options.maxQueuedBytes >= 1))
      throw new RangeError(`maxQueuedBytes ${options.maxQueuedBytes}: expected a positive integer`);
    options.source.on('data', (chunk: Buffer) => this.accept(chunk));
    options.sink.on('drain', () => {
      this.waitingForDrain = false;
      this.flush();
    });
  }

  private now(): number {
    return (this.options.nowMs ?? Date.now)();
  }

  private accept(chunk: Buffer): void {
    if (this.closed) return;
    const fault = this.options.link();
    const now = this.now();
    const wireMs = fault.bytesPerSecond === null ? 0 : (chunk.length * 1000) / fault.bytesPerSecond;
    this.wireFreeAtMs = Math.max(now, this.wireFreeAtMs) + wireMs;
    // A later chunk never overtakes an earlier one, even when the latency was lowered in between.
    const dueAtMs = Math.max(this.wireFreeAtMs + fault.latencyMs, this.lastDueAtMs);
    this.lastDueAtMs = dueAtMs;
    this.queue.push({ chunk, dueAtMs });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes >= this.options.maxQueuedBytes) this.options.source.pause();
    this.flush();
  }

  /** Re-reads the link's fault: called when it changed (a heal releases what was held). */
  faultChanged(): void {
    this.flush();
  }

  private flush(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const { source, sink } = this.options;
    if (this.options.link().blocked) {
      source.pause();
      return;
    }
    const now = this.now();
    while (this.head < this.queue.length && !this.waitingForDrain) {
      const next = this.queue[this.head] as Queued;
      if (next.dueAtMs > now) break;
      this.head++;
      this.queuedBytes -= next.chunk.length;
      this.forwardedBytes += next.chunk.length;
      if (!sink.write(next.chunk)) this.waitingForDrain = true;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length && !this.waitingForDrain) {
      const waitMs = (this.queue[this.head] as Queued).dueAtMs - now;
      this.timer = setTimeout(() => this.flush(), Math.max(1, Math.ceil(waitMs)));
    }
    if (!this.waitingForDrain && this.queuedBytes < this.options.maxQueuedBytes / 2) source.resume();
    else source.pause();
  }

  /** Drops what is queued and stops; the connection is going away. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
  }
}
