import * as snappy from 'snappy';
import { CompressionType } from '../batch-layout';
import { CorruptRecordError } from '../errors';
import { codecFailure, CompressionCodec, DecompressLimits, tooLarge } from './codec';

/**
 * Snappy as the Java client writes it: snappy-java's SnappyOutputStream ("xerial") framing,
 *
 *   magic [0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00], version int32 = 1, compatible int32 = 1,
 *   then chunks of { compressedLength int32, raw snappy block }, each block <= 32 KiB input.
 *
 * Readers also accept one bare raw-snappy block (what librdkafka-less clients such as kafkajs
 * write), as the Java client does.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
const XERIAL_HEADER_BYTES = 16;
const XERIAL_CHUNK_LENGTH_BYTES = 4;
/** snappy-java's default block size, used by Kafka's producer. */
export const XERIAL_BLOCK_BYTES = 32 * 1024;

function compress(records: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let total = XERIAL_HEADER_BYTES;
  for (let at = 0; at < records.length; at += XERIAL_BLOCK_BYTES) {
    const chunk = snappy.compressSync(records.subarray(at, Math.min(records.length, at + XERIAL_BLOCK_BYTES)));
    chunks.push(chunk);
    total += XERIAL_CHUNK_LENGTH_BYTES + chunk.length;
  }
  const out = Buffer.allocUnsafe(total);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, 12);
  let at = XERIAL_HEADER_BYTES;
  for (const chunk of chunks) {
    out.writeInt32BE(chunk.length, at);
    at += XERIAL_CHUNK_LENGTH_BYTES + chunk.copy(out, at + XERIAL_CHUNK_LENGTH_BYTES);
  }
  if (at !== total) throw new Error(`snappy framing invariant: wrote ${at} of ${total} bytes`);
  return out;
}

/**
 * A raw snappy block starts with its uncompressed length as an unsigned LEB128 varint
 * (at most 5 bytes, below 2^32). Reading it first lets us refuse a bomb before decoding.
 */
function rawUncompressedLength(block: Buffer, position: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw new CorruptRecordError('snappy block length preamble truncated', position);
    const b = block[i]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (value > 0xffffffff) break;
      return value;
    }
    scale *= 128;
  }
  throw new CorruptRecordError('snappy block length preamble invalid', position);
}

function decompressBlock(block: Buffer, budgetBytes: number, limits: DecompressLimits, position: number): Buffer {
  const expected = rawUncompressedLength(block, position);
  if (expected > budgetBytes) throw tooLarge('snappy', limits.maxOutputBytes, limits.position);
  let out: Buffer;
  try {
    out = snappy.uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (error) {
    throw codecFailure('snappy', error, position);
  }
  if (out.length !== expected) {
    throw new CorruptRecordError(`snappy block decoded to ${out.length} bytes, preamble says ${expected}`, position);
  }
  return out;
}

function decompress(compressed: Buffer, limits: DecompressLimits): Buffer {
  const isXerial =
    compressed.length >= XERIAL_MAGIC.length && compressed.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
  if (!isXerial) return decompressBlock(compressed, limits.maxOutputBytes, limits, limits.position);

  if (compressed.length < XERIAL_HEADER_BYTES) {
    throw new CorruptRecordError('snappy xerial header truncated', limits.position);
  }
  const minCompatible = compressed.readInt32BE(12);
  if (minCompatible > XERIAL_VERSION) {
    throw new CorruptRecordError(`snappy xerial stream needs reader version ${minCompatible}`, limits.position + 12);
  }
  const blocks: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < compressed.length) {
    if (compressed.length - at < XERIAL_CHUNK_LENGTH_BYTES) {
      throw new CorruptRecordError('snappy xerial chunk length truncated', limits.position + at);
    }
    const chunkBytes = compressed.readInt32BE(at);
    const chunkStart = at + XERIAL_CHUNK_LENGTH_BYTES;
    if (chunkBytes <= 0 || chunkBytes > compressed.length - chunkStart) {
      throw new CorruptRecordError(
        `snappy xerial chunk length ${chunkBytes} invalid with ${compressed.length - chunkStart} bytes left`,
        limits.position + at,
      );
    }
    const block = decompressBlock(
      compressed.subarray(chunkStart, chunkStart + chunkBytes),
      limits.maxOutputBytes - total,
      limits,
      limits.position + chunkStart,
    );
    blocks.push(block);
    total += block.length;
    at = chunkStart + chunkBytes;
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks, total);
}

export const snappyCodec: CompressionCodec = {
  type: CompressionType.Snappy,
  name: 'snappy',
  unavailableReason: () => undefined,
  compress,
  decompress,
};
