import { invariant } from './errors';

/**
 * Bounded window of append messages sent to one follower and not yet acknowledged, recorded by
 * the last index each carried. Full (by count or bytes) means "stop pipelining to this follower".
 */
export class Inflights {
  // Grown on demand: a progress entry is rebuilt on every role change, most never pipeline.
  private readonly lastIndexes: number[] = [];
  private readonly sizesBytes: number[] = [];
  private start = 0;
  private count = 0;
  private bytes = 0;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {}

  get length(): number {
    return this.count;
  }

  full(): boolean {
    return this.count === this.maxMessages || this.bytes >= this.maxBytes;
  }

  add(lastIndex: number, sizeBytes: number): void {
    invariant(this.count < this.maxMessages, 'inflights overflow');
    if (this.count > 0) {
      const newest = this.lastIndexes[(this.start + this.count - 1) % this.maxMessages] as number;
      invariant(lastIndex > newest, () => `inflight index ${lastIndex} not above ${newest}`);
    }
    const slot = (this.start + this.count) % this.maxMessages;
    this.lastIndexes[slot] = lastIndex;
    this.sizesBytes[slot] = sizeBytes;
    this.count++;
    this.bytes += sizeBytes;
  }

  /** The follower acknowledged everything up to `index`: free those messages. */
  freeLE(index: number): void {
    while (this.count > 0 && (this.lastIndexes[this.start] as number) <= index) this.freeFirst();
  }

  freeFirst(): void {
    if (this.count === 0) return;
    this.bytes -= this.sizesBytes[this.start] as number;
    this.start = (this.start + 1) % this.maxMessages;
    this.count--;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
