import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C (Castagnoli), the checksum RecordBatch v2 uses; unsigned 32-bit result. */
export function crc32c(bytes: Uint8Array, initial = 0): number {
  return nativeCrc32c(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), initial) >>> 0;
}
