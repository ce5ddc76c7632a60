/**
 * The group epoch record's metadata hash (Kafka 4.1+, KIP-1101): one number standing for the
 * subscribed topics that exist and their partition counts, written instead of the whole
 * `topic -> partition count` map. A join bumps the group epoch without changing the metadata, so
 * writing the map made every join write (and encode) every subscribed topic name again.
 *
 * The hash only tells "the metadata the last epoch saw" from "the metadata now": a heartbeat
 * that finds a different hash bumps the epoch, which makes the next target assignment use the
 * topics as they are. Two FNV-1a lanes (different offsets; the second also mixes in each
 * character's position) give 53 bits, a safe integer that survives JSON; entries are sorted by
 * name first, so the hash does not depend on the order members subscribed in.
 */

const LANE_A_OFFSET = 0x811c9dc5;
const LANE_B_OFFSET = 0x050c5d1f;
const FNV_PRIME = 0x01000193;
/** 2^21: lane A's 32 bits go above lane B's top 21. */
const HIGH_SHIFT = 2_097_152;

/** The hash of `name -> partition count` entries, independent of their order; 0 for none. */
export function topicsMetadataHash(counts: Iterable<readonly [string, number]>): number {
  const entries = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return 0;
  let a = LANE_A_OFFSET;
  let b = LANE_B_OFFSET;
  for (const [name, count] of entries) {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`partition count ${count} of ${name} is not a non-negative integer`);
    for (let i = 0; i < name.length; i++) {
      const code = name.charCodeAt(i);
      a = Math.imul(a ^ code, FNV_PRIME);
      b = Math.imul(b ^ (code + i), FNV_PRIME);
    }
    // The name's end and its count, so ("ab", 1) and ("a", ...) cannot run together.
    a = Math.imul(a ^ 0xffff, FNV_PRIME);
    b = Math.imul(b ^ 0xfffe, FNV_PRIME);
    a = Math.imul(a ^ (count & 0xffff), FNV_PRIME);
    a = Math.imul(a ^ Math.floor(count / 65_536), FNV_PRIME);
    b = Math.imul(b ^ (count >>> 0), FNV_PRIME);
  }
  return (a >>> 0) * HIGH_SHIFT + ((b >>> 0) >>> 11);
}
