/**
 * One Raft entry of `__cluster_metadata` = one atomic batch of metadata records, as Kafka's
 * controller appends a batch per event. Layout (big-endian):
 *
 *   magic u8 0x4d ('M') | version u8 1 | recordCount u32 | recordCount × (frameBytes u32, frame)
 *
 * where each frame is @sluice/metadata's codec frame. An entry with no data at all is Raft's own
 * no-op; a batch with zero records is the controller's activation marker.
 */
import { decodeRecord, encodeRecord, MAX_RECORD_BYTES, type MetadataRecord } from '@sluice/metadata';

const MAGIC = 0x4d;
const VERSION = 1;
const HEADER_BYTES = 6;
/** A proposal bigger than this is refused before it reaches Raft (Kafka caps batches too). */
export const MAX_RECORDS_PER_ENTRY = 100_000;

export class MetadataEntryError extends Error {
  override readonly name = 'MetadataEntryError';
}

/** Encodes records (already validated by the caller) into one entry payload. */
export function encodeMetadataEntry(records: readonly MetadataRecord[]): Buffer {
  if (records.length > MAX_RECORDS_PER_ENTRY) {
    throw new MetadataEntryError(`${records.length} records in one entry exceeds ${MAX_RECORDS_PER_ENTRY}`);
  }
  const frames = records.map((record) => encodeRecord(record));
  return encodeFrames(frames);
}

/** Builds an entry from already encoded frames (FetchMetadata re-serves them unchanged). */
export function encodeFrames(frames: readonly Uint8Array[]): Buffer {
  let total = HEADER_BYTES;
  for (const frame of frames) total += 4 + frame.length;
  const out = Buffer.allocUnsafe(total);
  out.writeUInt8(MAGIC, 0);
  out.writeUInt8(VERSION, 1);
  out.writeUInt32BE(frames.length, 2);
  let at = HEADER_BYTES;
  for (const frame of frames) {
    out.writeUInt32BE(frame.length, at);
    out.set(frame, at + 4);
    at += 4 + frame.length;
  }
  return out;
}

/** The record frames of an entry without decoding them; [] for Raft's no-op (empty data). */
export function entryFrames(data: Uint8Array): Uint8Array[] {
  if (data.length === 0) return [];
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (view.length < HEADER_BYTES)
    throw new MetadataEntryError(`entry of ${view.length} bytes is shorter than its header`);
  if (view.readUInt8(0) !== MAGIC) throw new MetadataEntryError(`bad entry magic 0x${view.readUInt8(0).toString(16)}`);
  if (view.readUInt8(1) !== VERSION) throw new MetadataEntryError(`unsupported entry version ${view.readUInt8(1)}`);
  const count = view.readUInt32BE(2);
  if (count > MAX_RECORDS_PER_ENTRY) throw new MetadataEntryError(`entry claims ${count} records`);
  const frames: Uint8Array[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (at + 4 > view.length) throw new MetadataEntryError(`record ${i} length overruns the entry`);
    const length = view.readUInt32BE(at);
    if (length > MAX_RECORD_BYTES + 4 || at + 4 + length > view.length) {
      throw new MetadataEntryError(`record ${i} of ${length} bytes overruns the entry`);
    }
    frames.push(view.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at !== view.length) throw new MetadataEntryError(`${view.length - at} stray bytes after ${count} records`);
  return frames;
}

export function decodeMetadataEntry(data: Uint8Array): MetadataRecord[] {
  return entryFrames(data).map((frame) => decodeRecord(frame).record);
}
