import * as zlib from 'node:zlib';
import { CompressionType } from '../batch-layout';
import { codecFailure, CompressionCodec, DecompressLimits, tooLarge } from './codec';

/**
 * Node's zlib throws RangeError ERR_BUFFER_TOO_LARGE once output passes `maxOutputLength`,
 * having buffered at most that much: the zip-bomb bound comes for free.
 */
function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

/** gzip (RFC 1952), as Kafka's GZIPOutputStream writes it; multi-member streams are read whole. */
export const gzipCodec: CompressionCodec = {
  type: CompressionType.Gzip,
  name: 'gzip',
  compress(records: Buffer): Buffer {
    return zlib.gzipSync(records);
  },
  decompress(compressed: Buffer, limits: DecompressLimits): Buffer {
    try {
      return zlib.gunzipSync(compressed, { maxOutputLength: limits.maxOutputBytes });
    } catch (error) {
      if (isTooLarge(error)) throw tooLarge('gzip', limits.maxOutputBytes, limits.position);
      throw codecFailure('gzip', error, limits.position);
    }
  },
};

/**
 * zstd through Node 24's built-in binding. The decoder's window is zstd's default limit
 * (2^27 bytes, as zstd-jni in the Java client), so a hostile frame cannot ask for more.
 */
export const zstdCodec: CompressionCodec = {
  type: CompressionType.Zstd,
  name: 'zstd',
  compress(records: Buffer): Buffer {
    return zlib.zstdCompressSync(records);
  },
  decompress(compressed: Buffer, limits: DecompressLimits): Buffer {
    try {
      return zlib.zstdDecompressSync(compressed, { maxOutputLength: limits.maxOutputBytes });
    } catch (error) {
      if (isTooLarge(error)) throw tooLarge('zstd', limits.maxOutputBytes, limits.position);
      throw codecFailure('zstd', error, limits.position);
    }
  },
};
