import { CompressionType } from '../batch-layout';
import { CompressionCodec } from './codec';
import { lz4Codec } from './lz4';
import { snappyCodec } from './snappy';
import { gzipCodec, zstdCodec } from './zlib-codecs';

export type { CompressionCodec, DecompressLimits } from './codec';
export { gzipCodec, zstdCodec } from './zlib-codecs';
export { snappyCodec } from './snappy';
export { lz4Codec } from './lz4';

const CODECS: ReadonlyMap<CompressionType, CompressionCodec> = new Map<CompressionType, CompressionCodec>([
  [CompressionType.Gzip, gzipCodec],
  [CompressionType.Snappy, snappyCodec],
  [CompressionType.Lz4, lz4Codec],
  [CompressionType.Zstd, zstdCodec],
]);

/** The codec for a compressed type; `undefined` for `None` and for codes Kafka does not define. */
export function codecFor(type: CompressionType): CompressionCodec | undefined {
  return CODECS.get(type);
}
