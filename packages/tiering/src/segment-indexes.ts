import { crc32c } from '@sluice/protocol';

/**
 * The small files of a remote segment, bundled into ONE `.indexes` object per upload (as Aiven's
 * tiered-storage plugin does): a copy then costs two PUTs (`.log` and `.indexes`) instead of five,
 * which is both the object-store bill and most of the requests a copy makes. Where each part lies
 * in the bundle is recorded in the remote-log metadata (`RemoteSegmentMetadata.indexes`), so a
 * reader takes just the parts it needs with one ranged GET. Pure: no I/O here.
 */
export const INDEX_PARTS = ['index', 'timeindex', 'leader-epoch-checkpoint', 'producer-snapshot'] as const;
export type IndexPart = (typeof INDEX_PARTS)[number];

/** Where one part lies in the bundle, and its CRC32C (the store's own checksums are not asked for). */
export interface IndexPartRange {
  readonly position: number;
  readonly sizeBytes: number;
  readonly crc32c: number;
}

export type IndexesLayout = Readonly<Record<IndexPart, IndexPartRange>>;

/** A bundle is held in memory whole while it is PUT: indexes are sparse, snapshots bounded. */
export const MAX_INDEXES_BUNDLE_BYTES = 256 * 1024 * 1024;

export class IndexesLayoutError extends Error {
  override readonly name = 'IndexesLayoutError';
  /** Kafka's name for bytes that do not match what describes them. */
  readonly code = 'CORRUPT_MESSAGE';
}

/**
 * Concatenates the parts in INDEX_PARTS order (the leader-epoch checkpoint and the producer
 * snapshot last and adjacent: a replica starting from remote storage reads both in one GET).
 */
export function bundleIndexes(parts: Readonly<Record<IndexPart, Buffer>>): { bytes: Buffer; layout: IndexesLayout } {
  const ranges = {} as Record<IndexPart, IndexPartRange>;
  let position = 0;
  for (const part of INDEX_PARTS) {
    const bytes = parts[part];
    ranges[part] = { position, sizeBytes: bytes.length, crc32c: crc32c(bytes) };
    position += bytes.length;
  }
  if (position > MAX_INDEXES_BUNDLE_BYTES)
    throw new IndexesLayoutError(`indexes bundle of ${position} bytes is over ${MAX_INDEXES_BUNDLE_BYTES}`);
  const bytes = Buffer.concat(INDEX_PARTS.map((part) => parts[part]));
  checkIndexesLayout(ranges, bytes.length);
  return { bytes, layout: ranges };
}

/** Total bytes of the bundle the layout describes. */
export function indexesBundleBytes(layout: IndexesLayout): number {
  return INDEX_PARTS.reduce((end, part) => Math.max(end, layout[part].position + layout[part].sizeBytes), 0);
}

/**
 * The parts are in INDEX_PARTS order, back to back from 0, and within `bundleBytes` when given:
 * a layout read back from the metadata that is anything else is refused by name.
 */
export function checkIndexesLayout(layout: IndexesLayout, bundleBytes?: number): void {
  let expected = 0;
  for (const part of INDEX_PARTS) {
    const range = layout[part];
    if (range === undefined) throw new IndexesLayoutError(`indexes layout has no ${part}`);
    const { position, sizeBytes, crc32c: crc } = range;
    if (!(Number.isSafeInteger(sizeBytes) && sizeBytes >= 0))
      throw new IndexesLayoutError(`${part}: size ${sizeBytes} is not a byte count`);
    if (position !== expected) throw new IndexesLayoutError(`${part}: at ${position}, expected ${expected}`);
    if (!(Number.isSafeInteger(crc) && crc >= 0 && crc <= 0xffffffff))
      throw new IndexesLayoutError(`${part}: crc32c ${crc} is not an unsigned 32-bit value`);
    expected += sizeBytes;
  }
  if (expected > MAX_INDEXES_BUNDLE_BYTES)
    throw new IndexesLayoutError(`indexes bundle of ${expected} bytes is over ${MAX_INDEXES_BUNDLE_BYTES}`);
  if (bundleBytes !== undefined && bundleBytes !== expected)
    throw new IndexesLayoutError(`indexes bundle is ${bundleBytes} bytes, its layout says ${expected}`);
}

/** The byte range one ranged GET needs to hold every part named (empty parts need none). */
export function indexPartsSpan(
  layout: IndexesLayout,
  parts: readonly IndexPart[],
): { readonly startByte: number; readonly endByteExclusive: number } | null {
  let startByte = Number.MAX_SAFE_INTEGER;
  let endByteExclusive = 0;
  for (const part of parts) {
    const { position, sizeBytes } = layout[part];
    if (sizeBytes === 0) continue;
    startByte = Math.min(startByte, position);
    endByteExclusive = Math.max(endByteExclusive, position + sizeBytes);
  }
  return endByteExclusive === 0 ? null : { startByte, endByteExclusive };
}

/**
 * The part's bytes out of a span read at `spanStart`, checked against its CRC32C. `where` names
 * the object in the error.
 */
export function sliceIndexPart(
  layout: IndexesLayout,
  part: IndexPart,
  span: Buffer,
  spanStart: number,
  where: string,
): Buffer {
  const { position, sizeBytes, crc32c: expected } = layout[part];
  if (sizeBytes === 0) return Buffer.alloc(0);
  const from = position - spanStart;
  if (from < 0 || from + sizeBytes > span.length)
    throw new IndexesLayoutError(`${where}: ${part} at ${position}+${sizeBytes} is not in the bytes read`);
  const bytes = span.subarray(from, from + sizeBytes);
  const actual = crc32c(bytes);
  if (actual !== expected)
    throw new IndexesLayoutError(`${where}: ${part} crc32c ${actual} does not match the metadata's ${expected}`);
  return bytes;
}
