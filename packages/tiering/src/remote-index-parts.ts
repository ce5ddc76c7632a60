import type { ObjectStore } from './object-store';
import { remoteObjectKey } from './object-keys';
import type { RemoteSegmentMetadata } from './remote-log-metadata';
import { indexPartsSpan, IndexesLayoutError, sliceIndexPart, type IndexPart } from './segment-indexes';

/**
 * Reads small parts of an upload (offset index, time index, leader-epoch checkpoint, producer
 * snapshot) in whichever layout it was written: from the `.indexes` bundle with ONE ranged GET
 * covering every part asked for (each checked against its CRC32C), or, for an upload of the older
 * layout, one GET per separate object. Returns the parts in the order asked.
 */
export async function readIndexParts(
  store: ObjectStore,
  keyPrefix: string,
  segment: RemoteSegmentMetadata,
  parts: readonly IndexPart[],
): Promise<Buffer[]> {
  const layout = segment.indexes;
  if (layout === undefined)
    return Promise.all(parts.map((part) => store.get(remoteObjectKey(keyPrefix, segment, part))));
  const key = remoteObjectKey(keyPrefix, segment, 'indexes');
  const span = indexPartsSpan(layout, parts);
  if (span === null) return parts.map(() => Buffer.alloc(0));
  const bytes = await store.getRange(key, span.startByte, span.endByteExclusive);
  if (bytes.length !== span.endByteExclusive - span.startByte)
    throw new IndexesLayoutError(
      `${key}: ${bytes.length} bytes at ${span.startByte}, the metadata says ${span.endByteExclusive - span.startByte}`,
    );
  return parts.map((part) => sliceIndexPart(layout, part, bytes, span.startByte, key));
}
