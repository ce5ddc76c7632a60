import { assert } from './errors';

/**
 * Least-recently-used map bounded by total weight (bytes, or 1 per file descriptor). A value
 * heavier than the whole capacity is not kept (the caller still gets to use it once).
 */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private totalWeight = 0;

  constructor(
    readonly capacity: number,
    private readonly onEvict: (key: string, value: V) => void = () => {},
  ) {
    assert(capacity >= 0, 'cache capacity must be >= 0');
  }

  get size(): number {
    return this.entries.size;
  }
  get weight(): number {
    return this.totalWeight;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Inserts; returns false (and evicts nothing) when the value alone exceeds the capacity. */
  set(key: string, value: V, weight: number): boolean {
    this.delete(key);
    if (weight > this.capacity) return false;
    while (this.totalWeight + weight > this.capacity) {
      const oldest = this.entries.keys().next();
      assert(!oldest.done, 'cache weight accounting broken');
      this.delete(oldest.value);
    }
    this.entries.set(key, { value, weight });
    this.totalWeight += weight;
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
    this.onEvict(key, entry.value);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
  }
}
