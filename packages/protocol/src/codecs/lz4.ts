import * as lz4 from 'lz4-napi';
import { CompressionType } from '../batch-layout';
import { CorruptRecordError } from '../errors';
import { codecFailure, CompressionCodec, DecompressLimits, tooLarge } from './codec';

/**
 * LZ4 in the standard LZ4 frame format (what Kafka's KafkaLZ4BlockOutputStream writes for
 * magic 2). Writing uses lz4-napi's frame encoder (independent blocks, no checksums, which the
 * Java client reads).
 *
 * Reading walks the frame itself and decompresses block by block with a per-block output cap,
 * because lz4-napi's frame decoder neither bounds its output nor rejects a truncated frame or
 * trailing bytes. Linked-block frames are accepted (the previous 64 KiB of output is the
 * dictionary) even though the Java broker refuses them. Header, block and content checksums
 * are skipped: the batch's CRC-32C already covers every byte.
 */
const FRAME_MAGIC = 0x184d2204;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_RESERVED = 0x8f;
const BLOCK_UNCOMPRESSED_BIT = 0x80000000;
const MIN_FRAME_HEADER_BYTES = 7; // magic 4, FLG, BD, HC
const CHECKSUM_BYTES = 4;
/** LZ4 matches reach back at most 64 KiB: the dictionary a linked block needs. */
const LINKED_WINDOW_BYTES = 64 * 1024;

function blockMaxBytes(bd: number): number | undefined {
  switch ((bd >> 4) & 0x07) {
    case 4:
      return 64 * 1024;
    case 5:
      return 256 * 1024;
    case 6:
      return 1024 * 1024;
    case 7:
      return 4 * 1024 * 1024;
    default:
      return undefined;
  }
}

/** The last (up to) 64 KiB of `blocks`, for a linked block's back-references. */
function linkedDictionary(blocks: readonly Buffer[]): Buffer | undefined {
  const last = blocks[blocks.length - 1];
  if (last === undefined) return undefined;
  if (last.length >= LINKED_WINDOW_BYTES) return last.subarray(last.length - LINKED_WINDOW_BYTES);
  const tail: Buffer[] = [];
  let bytes = 0;
  for (let i = blocks.length - 1; i >= 0 && bytes < LINKED_WINDOW_BYTES; i--) {
    const block = blocks[i]!;
    const take = Math.min(block.length, LINKED_WINDOW_BYTES - bytes);
    tail.unshift(block.subarray(block.length - take));
    bytes += take;
  }
  return Buffer.concat(tail, bytes);
}

function decompress(frame: Buffer, limits: DecompressLimits): Buffer {
  const position = limits.position;
  if (frame.length < MIN_FRAME_HEADER_BYTES) {
    throw new CorruptRecordError(`lz4 frame header truncated (${frame.length} bytes)`, position);
  }
  const magic = frame.readUInt32LE(0);
  if (magic !== FRAME_MAGIC) {
    throw new CorruptRecordError(`lz4 frame magic 0x${magic.toString(16)} (expected 0x184d2204)`, position);
  }
  const flg = frame[4]!;
  const bd = frame[5]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01 || (flg & FLG_RESERVED) !== 0) {
    throw new CorruptRecordError(`lz4 frame flags 0x${flg.toString(16)} unsupported`, position + 4);
  }
  if ((flg & FLG_DICT_ID) !== 0) {
    throw new CorruptRecordError('lz4 frame with a dictionary id is unsupported', position + 4);
  }
  const maxBlockBytes = blockMaxBytes(bd);
  if (maxBlockBytes === undefined || (bd & BD_RESERVED) !== 0) {
    throw new CorruptRecordError(`lz4 frame block descriptor 0x${bd.toString(16)} invalid`, position + 5);
  }
  const linked = (flg & FLG_BLOCK_INDEPENDENCE) === 0;
  const blockChecksumBytes = (flg & FLG_BLOCK_CHECKSUM) !== 0 ? CHECKSUM_BYTES : 0;
  let at = 6;
  if ((flg & FLG_CONTENT_SIZE) !== 0) {
    if (frame.length < MIN_FRAME_HEADER_BYTES + 8) {
      throw new CorruptRecordError('lz4 frame header truncated (content size)', position);
    }
    const contentBytes = frame.readBigUInt64LE(at);
    if (contentBytes > BigInt(limits.maxOutputBytes)) throw tooLarge('lz4', limits.maxOutputBytes, position);
    at += 8;
  }
  at += 1; // header checksum, covered by the batch CRC

  const blocks: Buffer[] = [];
  let total = 0;
  for (;;) {
    if (frame.length - at < 4) throw new CorruptRecordError('lz4 frame truncated (no end mark)', position + at);
    const word = frame.readUInt32LE(at);
    const blockAt = at;
    at += 4;
    if (word === 0) break; // end mark
    const isRaw = (word & BLOCK_UNCOMPRESSED_BIT) !== 0;
    const blockBytes = (word & ~BLOCK_UNCOMPRESSED_BIT) >>> 0;
    if (blockBytes > maxBlockBytes || blockBytes + blockChecksumBytes > frame.length - at) {
      throw new CorruptRecordError(
        `lz4 block size ${blockBytes} invalid (block max ${maxBlockBytes}, ${frame.length - at} bytes left)`,
        position + blockAt,
      );
    }
    const data = frame.subarray(at, at + blockBytes);
    const budgetBytes = Math.min(maxBlockBytes, limits.maxOutputBytes - total);
    let out: Buffer;
    if (isRaw) {
      if (blockBytes > budgetBytes) throw tooLarge('lz4', limits.maxOutputBytes, position);
      out = data;
    } else {
      // lz4-napi's block API is lz4_flex's size-prepended format; the prepended size caps the
      // output, so a block cannot expand past the budget.
      const prefixed = Buffer.allocUnsafe(4 + blockBytes);
      prefixed.writeUInt32LE(budgetBytes, 0);
      data.copy(prefixed, 4);
      try {
        out = lz4.uncompressSync(prefixed, linked ? linkedDictionary(blocks) : undefined);
      } catch (error) {
        if (budgetBytes < maxBlockBytes && /too small/.test(String((error as Error)?.message))) {
          throw tooLarge('lz4', limits.maxOutputBytes, position);
        }
        throw codecFailure('lz4', error, position + blockAt);
      }
    }
    blocks.push(out);
    total += out.length;
    at += blockBytes + blockChecksumBytes;
  }
  if ((flg & FLG_CONTENT_CHECKSUM) !== 0) {
    if (frame.length - at < CHECKSUM_BYTES) {
      throw new CorruptRecordError('lz4 frame truncated (content checksum)', position + at);
    }
    at += CHECKSUM_BYTES;
  }
  if (at !== frame.length) {
    throw new CorruptRecordError(`${frame.length - at} bytes after the lz4 frame`, position + at);
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks, total);
}

export const lz4Codec: CompressionCodec = {
  type: CompressionType.Lz4,
  name: 'lz4',
  unavailableReason: () => undefined,
  compress(records: Buffer): Buffer {
    return lz4.compressFrameSync(records);
  },
  decompress,
};
