// The module object itself (not a copied namespace), so a capability check reads it as it is now.
import zlib from 'node:zlib';
import { CompressionType } from '../batch-layout';
import { codecFailure, CompressionCodec, DecompressLimits, tooLarge, unavailable } from './codec';

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
  unavailableReason: () => undefined,
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

/** Node gained zstd in zlib in 23.8 / 22.15; the workspace pins 24, but an SDK user may run older. */
function zstdUnavailableReason(): string | undefined {
  return typeof zlib.zstdCompressSync === 'function' && typeof zlib.zstdDecompressSync === 'function'
    ? undefined
    : `Node.js ${process.versions.node} has no zstd in zlib (Node.js 24 has; run the CLI as \`npx -y pnpm@12 sluice\`)`;
}

/**
 * zstd through Node 24's built-in binding. The decoder's window is zstd's default limit
 * (2^27 bytes, as zstd-jni in the Java client), so a hostile frame cannot ask for more.
 */
export const zstdCodec: CompressionCodec = {
  type: CompressionType.Zstd,
  name: 'zstd',
  unavailableReason: zstdUnavailableReason,
  compress(records: Buffer): Buffer {
    const reason = zstdUnavailableReason();
    if (reason !== undefined) throw unavailable('zstd', reason);
    return zlib.zstdCompressSync(records);
  },
  decompress(compressed: Buffer, limits: DecompressLimits): Buffer {
    const reason = zstdUnavailableReason();
    if (reason !== undefined) throw unavailable('zstd', reason);
    try {
      return zlib.zstdDecompressSync(compressed, { maxOutputLength: limits.maxOutputBytes });
    } catch (error) {
      if (isTooLarge(error)) throw tooLarge('zstd', limits.maxOutputBytes, limits.position);
      throw codecFailure('zstd', error, limits.position);
    }
  },
};
