/**
 * Metadata snapshots: an image written as the records that rebuild it (see image-records.ts),
 * streamed in CRC32C-checked chunks so a million-partition image never becomes one buffer.
 *
 * File layout (big-endian):
 *
 *   header (32 bytes)
 *     0  magic              int32   0x534c4d53 ("SLMS")
 *     4  formatVersion      int16   1
 *     6  flags              int16   0 (reserved)
 *     8  lastContainedOffset int64
 *    16  lastContainedEpoch int32
 *    20  recordCount        int64   records in all chunks
 *    28  headerCrc          uint32  CRC32C of bytes 0..27
 *   chunk (12-byte header + payload), repeated
 *     0  payloadBytes       int32   0 marks the end chunk
 *     4  recordCount        int32
 *     8  crc                uint32  CRC32C of bytes 0..7 of this chunk header, then the payload
 *    12  payload            recordCount × (recordBytes int32, record frame as in codec.ts)
 *   end chunk: payloadBytes 0, recordCount 0, crc; then end of file.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname } from 'node:path';
import { crc32c } from '@sluice/protocol';
import { ByteWriter, MAX_RECORD_BYTES } from './bytes';
import { decodeRecord, encodeRecordInto } from './codec';
import { CorruptSnapshotError, MetadataError, UnsupportedSnapshotVersionError } from './errors';
import { imageRecordCount, imageRecords } from './image-records';
import { MetadataDelta } from './metadata-delta';
import { MetadataImage, type MetadataProvenance } from './metadata-image';

export const SNAPSHOT_MAGIC = 0x534c4d53;
export const SNAPSHOT_FORMAT_VERSION = 1;
export const SNAPSHOT_HEADER_BYTES = 32;
export const SNAPSHOT_CHUNK_HEADER_BYTES = 12;
/** Writers close a chunk once adding the next record would pass this. */
export const SNAPSHOT_CHUNK_TARGET_BYTES = 1024 * 1024;
/** Readers refuse larger chunks before allocating for them: a target chunk or one maximal record. */
export const MAX_SNAPSHOT_CHUNK_PAYLOAD_BYTES = Math.max(SNAPSHOT_CHUNK_TARGET_BYTES, MAX_RECORD_BYTES + 4);
const RECORD_LENGTH_BYTES = 4;
/** A frame is at least type + version. */
const MIN_RECORD_BYTES = 4;

/** Receives the snapshot's bytes in order; each array passed is the sink's to keep. */
export interface SnapshotSink {
  write(bytes: Uint8Array): void | Promise<void>;
}

/** Where a snapshot is read from: a file path, one buffer, or a stream of byte arrays. */
export type SnapshotSource = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface SnapshotHeader {
  readonly formatVersion: number;
  readonly provenance: MetadataProvenance;
  readonly recordCount: number;
}

export interface SnapshotSummary {
  readonly recordCount: number;
  readonly chunkCount: number;
  readonly sizeBytes: number;
}

function headerBytes(provenance: MetadataProvenance, recordCount: number): Buffer {
  const header = Buffer.alloc(SNAPSHOT_HEADER_BYTES);
  header.writeInt32BE(SNAPSHOT_MAGIC, 0);
  header.writeInt16BE(SNAPSHOT_FORMAT_VERSION, 4);
  header.writeInt16BE(0, 6);
  header.writeBigInt64BE(BigInt(provenance.lastContainedOffset), 8);
  header.writeInt32BE(provenance.lastContainedEpoch, 16);
  header.writeBigInt64BE(BigInt(recordCount), 20);
  header.writeUInt32BE(crc32c(header.subarray(0, 28)), 28);
  return header;
}

function sealChunk(chunk: Buffer, payloadBytes: number, recordCount: number): Buffer {
  chunk.writeInt32BE(payloadBytes, 0);
  chunk.writeInt32BE(recordCount, 4);
  const crc = crc32c(
    chunk.subarray(SNAPSHOT_CHUNK_HEADER_BYTES, SNAPSHOT_CHUNK_HEADER_BYTES + payloadBytes),
    crc32c(chunk.subarray(0, 8)),
  );
  chunk.writeUInt32BE(crc, 8);
  const used = SNAPSHOT_CHUNK_HEADER_BYTES + payloadBytes;
  // A mostly empty chunk (the tail, or small chunk targets) is copied out so a sink that keeps
  // it does not also keep the whole 1 MiB buffer behind it.
  return used * 2 < chunk.length ? Buffer.from(chunk.subarray(0, used)) : chunk.subarray(0, used);
}

/**
 * The snapshot's bytes as a sequence of arrays: the header, then one array per chunk (at most
 * about SNAPSHOT_CHUNK_TARGET_BYTES each), then the end chunk. Each array is freshly allocated.
 */
export function* snapshotChunks(
  image: MetadataImage,
  chunkTargetBytes = SNAPSHOT_CHUNK_TARGET_BYTES,
): Generator<Uint8Array> {
  if (!Number.isInteger(chunkTargetBytes) || chunkTargetBytes < 64 || chunkTargetBytes > SNAPSHOT_CHUNK_TARGET_BYTES) {
    throw new RangeError(`chunkTargetBytes ${chunkTargetBytes} outside [64, ${SNAPSHOT_CHUNK_TARGET_BYTES}]`);
  }
  const expectedRecords = imageRecordCount(image);
  yield headerBytes(image.provenance, expectedRecords);
  const writer = new ByteWriter();
  const newChunk = (): Buffer => Buffer.allocUnsafe(SNAPSHOT_CHUNK_HEADER_BYTES + MAX_SNAPSHOT_CHUNK_PAYLOAD_BYTES);
  let chunk = newChunk();
  let payloadBytes = 0;
  let chunkRecords = 0;
  let totalRecords = 0;
  for (const record of imageRecords(image)) {
    writer.reset();
    encodeRecordInto(writer, record);
    const entryBytes = RECORD_LENGTH_BYTES + writer.sizeBytes;
    if (chunkRecords > 0 && payloadBytes + entryBytes > chunkTargetBytes) {
      yield sealChunk(chunk, payloadBytes, chunkRecords);
      chunk = newChunk();
      payloadBytes = 0;
      chunkRecords = 0;
    }
    const at = SNAPSHOT_CHUNK_HEADER_BYTES + payloadBytes;
    chunk.writeInt32BE(writer.sizeBytes, at);
    chunk.set(writer.view(), at + RECORD_LENGTH_BYTES);
    payloadBytes += entryBytes;
    chunkRecords++;
    totalRecords++;
  }
  if (chunkRecords > 0) yield sealChunk(chunk, payloadBytes, chunkRecords);
  if (totalRecords !== expectedRecords) {
    throw new Error(`assertion: snapshot wrote ${totalRecords} records, header says ${expectedRecords}`);
  }
  yield sealChunk(Buffer.alloc(SNAPSHOT_CHUNK_HEADER_BYTES), 0, 0);
}

/**
 * Writes `image` as a snapshot to a sink, or to a file path: written to `<path>.tmp`, fsynced,
 * then renamed over `path`, so a crash never leaves a half-written snapshot under that name.
 */
export async function writeSnapshot(
  image: MetadataImage,
  target: string | SnapshotSink,
  chunkTargetBytes = SNAPSHOT_CHUNK_TARGET_BYTES,
): Promise<SnapshotSummary> {
  let chunkCount = 0;
  let sizeBytes = 0;
  const emit = async (write: (bytes: Uint8Array) => void | Promise<void>): Promise<void> => {
    for (const bytes of snapshotChunks(image, chunkTargetBytes)) {
      await write(bytes);
      chunkCount++;
      sizeBytes += bytes.length;
    }
  };
  if (typeof target === 'string') {
    const temporaryPath = `${target}.tmp`;
    const file = await open(temporaryPath, 'w');
    try {
      await emit(async (bytes) => {
        await writeFully(file, bytes);
      });
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporaryPath, target);
    await syncDirectory(dirname(target));
  } else {
    await emit((bytes) => target.write(bytes));
  }
  // Header and end chunk are not record chunks.
  return { recordCount: imageRecordCount(image), chunkCount: chunkCount - 2, sizeBytes };
}

async function writeFully(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await file.write(bytes, written, bytes.length - written);
    written += bytesWritten;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    await directory.close();
  }
}

/** Reads exactly-sized pieces from a stream of arrays, tracking the absolute byte position. */
class ExactReader {
  private readonly pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private consumed = 0;
  private done = false;

  constructor(private readonly iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array>) {}

  get position(): number {
    return this.consumed;
  }

  private async fill(byteCount: number): Promise<boolean> {
    while (this.pendingBytes < byteCount && !this.done) {
      const next = await this.iterator.next();
      if (next.done === true) {
        this.done = true;
      } else if (next.value.length > 0) {
        this.pending.push(next.value);
        this.pendingBytes += next.value.length;
      }
    }
    return this.pendingBytes >= byteCount;
  }

  /** Exactly `byteCount` bytes, or undefined if the source ends first. */
  async read(byteCount: number): Promise<Buffer | undefined> {
    if (!(await this.fill(byteCount))) return undefined;
    const out = Buffer.allocUnsafe(byteCount);
    let filled = 0;
    while (filled < byteCount) {
      const head = this.pending[0] as Uint8Array;
      const take = Math.min(head.length, byteCount - filled);
      out.set(head.subarray(0, take), filled);
      filled += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.pendingBytes -= byteCount;
    this.consumed += byteCount;
    return out;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Bytes available after the current position, read to the end (for error reporting). */
  async remainingBytes(): Promise<number> {
    await this.fill(Number.MAX_SAFE_INTEGER);
    return this.pendingBytes;
  }
}

function iteratorOf(source: Exclude<SnapshotSource, string>): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  if (source instanceof Uint8Array) return [source][Symbol.iterator]();
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  return (source as Iterable<Uint8Array>)[Symbol.iterator]();
}

function parseHeader(header: Buffer): SnapshotHeader {
  const magic = header.readInt32BE(0);
  if (magic !== SNAPSHOT_MAGIC) throw new CorruptSnapshotError(`bad magic 0x${(magic >>> 0).toString(16)}`, 0);
  const expectedCrc = header.readUInt32BE(28);
  const actualCrc = crc32c(header.subarray(0, 28));
  if (expectedCrc !== actualCrc) {
    throw new CorruptSnapshotError(
      `header CRC32C 0x${actualCrc.toString(16)} does not match stored 0x${expectedCrc.toString(16)}`,
      0,
    );
  }
  const formatVersion = header.readInt16BE(4);
  if (formatVersion !== SNAPSHOT_FORMAT_VERSION) throw new UnsupportedSnapshotVersionError(formatVersion);
  const flags = header.readInt16BE(6);
  if (flags !== 0) throw new CorruptSnapshotError(`unknown header flags 0x${flags.toString(16)}`, 6);
  const lastContainedOffset = Number(header.readBigInt64BE(8));
  const lastContainedEpoch = header.readInt32BE(16);
  const recordCount = Number(header.readBigInt64BE(20));
  if (!Number.isSafeInteger(lastContainedOffset) || lastContainedOffset < -1) {
    throw new CorruptSnapshotError(`lastContainedOffset ${lastContainedOffset} is invalid`, 8);
  }
  if (lastContainedEpoch < -1)
    throw new CorruptSnapshotError(`lastContainedEpoch ${lastContainedEpoch} is invalid`, 16);
  if (!Number.isSafeInteger(recordCount) || recordCount < 0) {
    throw new CorruptSnapshotError(`record count ${recordCount} is invalid`, 20);
  }
  return { formatVersion, provenance: { lastContainedOffset, lastContainedEpoch }, recordCount };
}

async function openSource(source: SnapshotSource): Promise<ExactReader> {
  if (typeof source === 'string') {
    // Read in chunk-sized pieces; createReadStream is an async iterable of Buffers.
    const stream = createReadStream(source, { highWaterMark: SNAPSHOT_CHUNK_TARGET_BYTES });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new ExactReader(stream[Symbol.asyncIterator]());
  }
  return new ExactReader(iteratorOf(source));
}

/** Reads only the header (e.g. to pick the newest snapshot) and verifies its CRC. */
export async function readSnapshotHeader(source: SnapshotSource): Promise<SnapshotHeader> {
  const reader = await openSource(source);
  const header = await reader.read(SNAPSHOT_HEADER_BYTES);
  if (header === undefined) throw new CorruptSnapshotError('snapshot shorter than its header', reader.position);
  return parseHeader(header);
}

/**
 * Loads a snapshot into an image, checking the header, every chunk's CRC32C, every record and
 * the record counts; anything wrong raises CorruptSnapshotError naming the byte position.
 */
export async function loadSnapshot(source: SnapshotSource): Promise<MetadataImage> {
  const reader = await openSource(source);
  const rawHeader = await reader.read(SNAPSHOT_HEADER_BYTES);
  if (rawHeader === undefined) throw new CorruptSnapshotError('snapshot shorter than its header', 0);
  const header = parseHeader(rawHeader);
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  let recordsSeen = 0;
  for (;;) {
    const chunkAt = reader.position;
    const chunkHeader = await reader.read(SNAPSHOT_CHUNK_HEADER_BYTES);
    if (chunkHeader === undefined)
      throw new CorruptSnapshotError('truncated: missing chunk header or end chunk', chunkAt);
    const payloadBytes = chunkHeader.readInt32BE(0);
    const chunkRecords = chunkHeader.readInt32BE(4);
    const storedCrc = chunkHeader.readUInt32BE(8);
    if (payloadBytes < 0 || payloadBytes > MAX_SNAPSHOT_CHUNK_PAYLOAD_BYTES) {
      throw new CorruptSnapshotError(
        `chunk payload length ${payloadBytes} outside [0, ${MAX_SNAPSHOT_CHUNK_PAYLOAD_BYTES}]`,
        chunkAt,
      );
    }
    if (chunkRecords < 0 || chunkRecords * (RECORD_LENGTH_BYTES + MIN_RECORD_BYTES) > payloadBytes) {
      throw new CorruptSnapshotError(
        `chunk record count ${chunkRecords} does not fit ${payloadBytes} payload bytes`,
        chunkAt + 4,
      );
    }
    const payloadAt = reader.position;
    const payload = await reader.read(payloadBytes);
    if (payload === undefined) {
      throw new CorruptSnapshotError(`truncated: chunk payload of ${payloadBytes} bytes ends early`, payloadAt);
    }
    const actualCrc = crc32c(payload, crc32c(chunkHeader.subarray(0, 8)));
    if (actualCrc !== storedCrc) {
      throw new CorruptSnapshotError(
        `chunk CRC32C 0x${actualCrc.toString(16)} does not match stored 0x${storedCrc.toString(16)} for chunk`,
        chunkAt,
      );
    }
    if (payloadBytes === 0) {
      if (chunkRecords !== 0) throw new CorruptSnapshotError('end chunk claims records', chunkAt + 4);
      break;
    }
    replayChunk(delta, payload, payloadAt, chunkRecords);
    recordsSeen += chunkRecords;
    if (recordsSeen > header.recordCount) {
      throw new CorruptSnapshotError(`more records than the header's ${header.recordCount}`, chunkAt);
    }
  }
  const endAt = reader.position;
  if (!(await reader.atEnd())) {
    throw new CorruptSnapshotError(`${await reader.remainingBytes()} bytes after the end chunk`, endAt);
  }
  if (recordsSeen !== header.recordCount) {
    throw new CorruptSnapshotError(`found ${recordsSeen} records, header says ${header.recordCount}`, endAt);
  }
  return delta.apply(header.provenance);
}

function replayChunk(delta: MetadataDelta, payload: Buffer, payloadAt: number, chunkRecords: number): void {
  let offset = 0;
  for (let i = 0; i < chunkRecords; i++) {
    const entryAt = payloadAt + offset;
    if (payload.length - offset < RECORD_LENGTH_BYTES)
      throw new CorruptSnapshotError('record length overruns chunk', entryAt);
    const recordBytes = payload.readInt32BE(offset);
    offset += RECORD_LENGTH_BYTES;
    if (recordBytes < MIN_RECORD_BYTES || recordBytes > payload.length - offset) {
      throw new CorruptSnapshotError(`record length ${recordBytes} does not fit the chunk`, entryAt);
    }
    try {
      const { record } = decodeRecord(payload.subarray(offset, offset + recordBytes), payloadAt + offset);
      delta.replay(record);
    } catch (error) {
      if (!(error instanceof MetadataError)) throw error;
      const position = (error as { position?: number }).position ?? entryAt;
      throw Object.assign(new CorruptSnapshotError(`record does not load: ${error.message}`, position), {
        cause: error,
      });
    }
    offset += recordBytes;
  }
  if (offset !== payload.length)
    throw new CorruptSnapshotError(`${payload.length - offset} stray bytes at end of chunk`, payloadAt + offset);
}
