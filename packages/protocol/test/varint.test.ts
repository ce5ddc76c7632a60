import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import {
  decodeVarint,
  decodeVarlong,
  encodeVarint,
  encodeVarlong,
  sizeOfVarint,
  sizeOfVarlong,
} from '@sluice/protocol';
import { captureCorrupt } from './support/corrupt';

const KafkajsEncoder = require('kafkajs/src/protocol/encoder') as new () => {
  writeVarInt(value: number): { buffer: Buffer };
  writeVarLong(value: number): { buffer: Buffer };
};

const hex = (bytes: number[]): Buffer => Buffer.from(bytes);

/** Reference zig-zag varlong, straight from the definition, in BigInt. */
function referenceVarlong(value: number): Buffer {
  const v = BigInt(value);
  let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}

describe('varint', () => {
  // Vectors from Kafka's ByteUtilsTest.
  const vectors: [number, number[]][] = [
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [63, [0x7e]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [-65, [0x81, 0x01]],
    [8191, [0xfe, 0x7f]],
    [-8192, [0xff, 0x7f]],
    [8192, [0x80, 0x80, 0x01]],
    [-8193, [0x81, 0x80, 0x01]],
    [1048575, [0xfe, 0xff, 0x7f]],
    [-1048576, [0xff, 0xff, 0x7f]],
    [1048576, [0x80, 0x80, 0x80, 0x01]],
    [-1048577, [0x81, 0x80, 0x80, 0x01]],
    [134217727, [0xfe, 0xff, 0xff, 0x7f]],
    [-134217728, [0xff, 0xff, 0xff, 0x7f]],
    [134217728, [0x80, 0x80, 0x80, 0x80, 0x01]],
    [-134217729, [0x81, 0x80, 0x80, 0x80, 0x01]],
    [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];

  it.each(vectors)('%d encodes as Kafka does', (value, bytes) => {
    expect(encodeVarint(value)).toEqual(hex(bytes));
    expect(sizeOfVarint(value)).toBe(bytes.length);
    expect(decodeVarint(hex(bytes))).toEqual({ value, sizeBytes: bytes.length });
    // A varint is also a valid varlong of the same value.
    expect(encodeVarlong(value)).toEqual(hex(bytes));
    expect(decodeVarlong(hex(bytes))).toEqual({ value, sizeBytes: bytes.length });
  });

  it('refuses values that are not int32', () => {
    expect(() => encodeVarint(2 ** 31)).toThrow(RangeError);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
  });

  it('round-trips every int32 and matches kafkajs byte for byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.nat(8), (value, prefix) => {
        const encoded = encodeVarint(value);
        expect(encoded).toEqual(new KafkajsEncoder().writeVarInt(value).buffer);
        expect(encoded.length).toBe(sizeOfVarint(value));
        const padded = Buffer.concat([Buffer.alloc(prefix, 0xaa), encoded, Buffer.from([0xff])]);
        expect(decodeVarint(padded, prefix)).toEqual({ value, sizeBytes: encoded.length });
      }),
      propertyOptions({ numRuns: 2000 }),
    );
  });

  it('is at most 5 bytes: a sixth is corruption at the varint start', () => {
    const bytes = Buffer.from([0x00, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    const error = captureCorrupt(() => decodeVarint(bytes, 2, 100));
    expect(error.position).toBe(102);
    expect(error.reason).toMatch(/longer than 5 bytes/);
  });

  it('drops bits past 32 in the fifth byte, as Kafka does', () => {
    // 0x7f in the fifth byte: only its low 4 bits survive (Java int shift semantics).
    expect(decodeVarint(hex([0xfe, 0xff, 0xff, 0xff, 0x7f])).value).toBe(
      decodeVarint(hex([0xfe, 0xff, 0xff, 0xff, 0x0f])).value,
    );
  });

  it('reports truncation at the varint start', () => {
    const error = captureCorrupt(() => decodeVarint(hex([0x80, 0x80]), 0, 40));
    expect(error.position).toBe(40);
    expect(error.reason).toMatch(/truncated/);
    expect(captureCorrupt(() => decodeVarint(Buffer.alloc(0), 0, 7)).position).toBe(7);
  });
});

describe('varlong', () => {
  it('round-trips every safe integer and matches a BigInt reference and kafkajs', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.integer({ min: -(2 ** 50), max: 2 ** 50 })),
        (value) => {
          const encoded = encodeVarlong(value);
          expect(encoded).toEqual(referenceVarlong(value));
          expect(encoded).toEqual(new KafkajsEncoder().writeVarLong(value).buffer);
          expect(encoded.length).toBe(sizeOfVarlong(value));
          expect(decodeVarlong(Buffer.concat([encoded, Buffer.from([0x80])]))).toEqual({
            value,
            sizeBytes: encoded.length,
          });
        },
      ),
      propertyOptions({ numRuns: 2000 }),
    );
  });

  it('handles the safe-integer edges exactly', () => {
    for (const value of [
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      2 ** 47,
      -(2 ** 47),
      2 ** 47 - 1,
      -(2 ** 47) + 1,
    ]) {
      expect(encodeVarlong(value)).toEqual(referenceVarlong(value));
      expect(decodeVarlong(encodeVarlong(value)).value).toBe(value);
    }
  });

  it('refuses a wire value outside the safe-integer range', () => {
    const tooBig = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]); // Long.MAX_VALUE
    const error = captureCorrupt(() => decodeVarlong(tooBig, 0, 9));
    expect(error.position).toBe(9);
    expect(error.reason).toMatch(/safe integer/);
    expect(() => encodeVarlong(2 ** 53)).toThrow(RangeError);
  });

  it('is at most 10 bytes', () => {
    const elevenBytes = Buffer.from([...Array<number>(10).fill(0x80), 0x00]);
    const error = captureCorrupt(() => decodeVarlong(elevenBytes, 0, 3));
    expect(error.position).toBe(3);
    expect(error.reason).toMatch(/longer than 10 bytes/);
  });

  it('reports truncation in both the short and the long form', () => {
    expect(captureCorrupt(() => decodeVarlong(hex([0x80, 0x80, 0x80]))).reason).toMatch(/truncated/);
    expect(captureCorrupt(() => decodeVarlong(Buffer.alloc(8, 0x80))).reason).toMatch(/truncated/);
  });
});
