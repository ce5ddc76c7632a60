/**
 * Kafka's Utils.murmur2 with Java's exact int semantics (seed 0x9747b28c, signed 32-bit result),
 * so a key lands on the same partition as with Kafka's clients. `Math.imul` is Java's int `*`;
 * `>>>` is Java's unsigned shift; `| 0` keeps values signed int32 like Java's int.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  // Java's switch on length % 4 falls through 3 -> 2 -> 1.
  const remaining = length & 3;
  if (remaining >= 3) h ^= data[tail + 2]! << 16;
  if (remaining >= 2) h ^= data[tail + 1]! << 8;
  if (remaining >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which differs for negatives). */
export function toPositive(value: number): number {
  return value & 0x7fffffff;
}

/** Kafka's keyed choice: `toPositive(murmur2(key)) % numPartitions`, over all partitions. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1)
    throw new RangeError(`numPartitions ${numPartitions} must be a positive integer`);
  return toPositive(murmur2(key)) % numPartitions;
}
