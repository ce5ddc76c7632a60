/**
 * A persistent (immutable, structurally shared) map for image collections that can hold
 * hundreds of thousands of entries. Entries live in SHARD_COUNT frozen shards chosen by key
 * hash; an edit copies only the shards it touches plus the shard array, so one changed topic
 * in a 100,000-topic image copies ~100 entries, not 100,000. (Kafka's images use persistent
 * hash maps for the same reason.)
 */

const SHARD_BITS = 10;
const SHARD_COUNT = 1 << SHARD_BITS;

function shardOf(key: string | number): number {
  if (typeof key === 'number') return Math.imul(key | 0, 0x9e3779b1) >>> (32 - SHARD_BITS);
  // FNV-1a over UTF-16 code units.
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) & (SHARD_COUNT - 1);
}

type Shard<K, V> = ReadonlyMap<K, V> | undefined;

export class PersistentMap<K extends string | number, V> {
  private static readonly EMPTY_SHARDS: readonly undefined[] = Object.freeze(
    new Array<undefined>(SHARD_COUNT).fill(undefined),
  );

  private constructor(
    private readonly shards: readonly Shard<K, V>[],
    readonly size: number,
  ) {}

  static empty<K extends string | number, V>(): PersistentMap<K, V> {
    return new PersistentMap<K, V>(PersistentMap.EMPTY_SHARDS, 0);
  }

  get(key: K): V | undefined {
    return this.shards[shardOf(key)]?.get(key);
  }

  has(key: K): boolean {
    return this.shards[shardOf(key)]?.has(key) ?? false;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const shard of this.shards) if (shard !== undefined) yield* shard.entries();
  }

  *values(): IterableIterator<V> {
    for (const shard of this.shards) if (shard !== undefined) yield* shard.values();
  }

  *keys(): IterableIterator<K> {
    for (const shard of this.shards) if (shard !== undefined) yield* shard.keys();
  }

  /** Starts an edit; the original map is never modified. */
  edit(): PersistentMapEditor<K, V> {
    return new PersistentMapEditor<K, V>(this.shards, this.size, (shards, size) => new PersistentMap(shards, size));
  }
}

export class PersistentMapEditor<K extends string | number, V> {
  private shards: Shard<K, V>[] | undefined;
  /** Shards already copied by this edit and therefore safe to mutate. */
  private readonly owned = new Map<number, Map<K, V>>();
  private built = false;

  constructor(
    private readonly baseShards: readonly Shard<K, V>[],
    private size: number,
    private readonly make: (shards: readonly Shard<K, V>[], size: number) => PersistentMap<K, V>,
  ) {}

  private writable(index: number): Map<K, V> {
    if (this.built) throw new Error('PersistentMapEditor used after build()');
    let shard = this.owned.get(index);
    if (shard === undefined) {
      shard = new Map(this.baseShards[index] ?? []);
      this.owned.set(index, shard);
      this.shards ??= this.baseShards.slice();
      this.shards[index] = shard;
    }
    return shard;
  }

  get(key: K): V | undefined {
    return (this.shards ?? this.baseShards)[shardOf(key)]?.get(key);
  }

  set(key: K, value: V): void {
    const shard = this.writable(shardOf(key));
    if (!shard.has(key)) this.size++;
    shard.set(key, value);
  }

  delete(key: K): boolean {
    const index = shardOf(key);
    if (!((this.shards ?? this.baseShards)[index]?.has(key) ?? false)) return false;
    this.writable(index).delete(key);
    this.size--;
    return true;
  }

  build(): PersistentMap<K, V> {
    this.built = true;
    if (this.shards === undefined) return this.make(this.baseShards, this.size);
    for (const [index, shard] of this.owned) this.shards[index] = shard.size === 0 ? undefined : shard;
    return this.make(this.shards, this.size);
  }
}
