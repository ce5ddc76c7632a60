import { CompressionType, encodeRecordBatch } from '@sluice/protocol';

export const RECORD_VALUE_BYTES = 1024;

/**
 * An uncompressed batch of 1 KiB records filling at most `targetBytes` (so a "1 MiB" batch stays
 * under the default `max.message.bytes`). Values are pseudo-random so nothing compresses away.
 */
export function batchOfKiBRecords(targetBytes: number, seed = 1): Buffer {
  const approxRecordBytes = RECORD_VALUE_BYTES + 11; // value + varint lengths, deltas, attributes
  const count = Math.max(1, Math.floor((targetBytes - 61) / approxRecordBytes));
  let state = seed >>> 0;
  const value = (): Buffer => {
    const bytes = Buffer.allocUnsafe(RECORD_VALUE_BYTES);
    for (let i = 0; i < RECORD_VALUE_BYTES; i += 4) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      bytes.writeUInt32LE(state, i);
    }
    return bytes;
  };
  const timestamp = Date.now();
  const records = Array.from({ length: count }, () => ({ key: null, value: value(), headers: [], timestamp }));
  const batch = encodeRecordBatch({ compression: CompressionType.None, records });
  if (batch.length > targetBytes && count > 1)
    throw new Error(`batch of ${batch.length} bytes exceeds its ${targetBytes}-byte target`);
  return batch;
}
