import type { ObjectStore } from './object-store';
import { remoteIndexesLocation, remoteObjectKey } from './object-keys';
import type { RemoteSegmentMetadata } from './remote-log-metadata';
import { indexPartsSpan, IndexesLayoutError, sliceIndexPart, type IndexPart } from './segment-indexes';

/**
 * Reads small parts of an upload (offset index, time index, leader-epoch checkpoint, producer
 * snapshot) in whichever layout it was written: from the indexes bundle with ONE ranged GET
 * covering every part asked for (each checked against its CRC32C), the bundle being the tail of
 * the `.log` object or a `.indexes` object of its own; or, for an upload of the oldest layout,
 * one GET per separate object. Returns the parts in the order asked.
 */
export async function readIndexParts(
  store: ObjectStore,
  keyPrefix: string,
  segment: RemoteSegmentMetadata,
  parts: readonly IndexPart[],
): Promise<Buffer[]> {
  const layout = segment.indexes;
  const location = remoteIndexesLocation(keyPrefix, segment);
  if (layout === undefined || location === null)
    return Promise.all(parts.map((part) => store.get(remoteObjectKey(keyPrefix, segment, part))));
  const { key, startByte: bundleStart } = location;
  const span = indexPartsSpan(layout, parts);
  if (span === null) return parts.map(() => Buffer.alloc(0));
  const bytes = await store.getRange(key, bundleStart + span.startByte, bundleStart + span.endByteExclusive);
  if (bytes.length !== span.endByteExclusive - span.startByte)
    throw new IndexesLayoutError(
      `${key}: ${bytes.length} bytes at ${bundleStart + span.startByte}, the metadata says ${
        span.endByteExclusive - span.startByte
      }`,
    );
  return parts.map((part) => sliceIndexPart(layout, part, bytes, span.startByte, key));
}
