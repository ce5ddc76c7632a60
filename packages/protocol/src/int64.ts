import { CorruptRecordError } from './errors';

const TWO_POW_32 = 2 ** 32;

/**
 * Reads a big-endian int64 as a JS number. Offsets, timestamps and producer ids are int64 on the
 * wire but stay far below 2^53 in practice; a value outside the safe range is treated as
 * corruption rather than silently rounded.
 */
export function readInt64AsNumber(buffer: Buffer, at: number, position = at): number {
  const high = buffer.readInt32BE(at);
  const low = buffer.readUInt32BE(at + 4);
  const value = high * TWO_POW_32 + low;
  if (!Number.isSafeInteger(value)) {
    throw new CorruptRecordError(`int64 ${buffer.readBigInt64BE(at)} outside the safe integer range`, position);
  }
  return value;
}

/** Writes a safe-integer JS number as a big-endian int64. */
export function writeInt64FromNumber(buffer: Buffer, value: number, at: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value ${value} is not a safe integer`);
  const high = Math.floor(value / TWO_POW_32);
  buffer.writeInt32BE(high, at);
  buffer.writeUInt32BE(value - high * TWO_POW_32, at + 4);
}
