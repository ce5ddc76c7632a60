import * as snappy from 'snappy';
import {
  CompressionCodec,
  CompressionType,
  CorruptRecordError,
  codecFor,
  gzipCodec,
  lz4Codec,
  snappyCodec,
  zstdCodec,
} from '@sluice/protocol';
import { captureCorrupt } from './support/corrupt';

const lz4js = require('lz4js') as {
  compress(input: Uint8Array): Uint8Array;
  decompress(input: Uint8Array): Uint8Array;
};

const CODECS: [string, CompressionCodec][] = [
  ['gzip', gzipCodec],
  ['snappy', snappyCodec],
  ['lz4', lz4Codec],
  ['zstd', zstdCodec],
];

/** Compressible but not trivial: repeats with variation, crossing every block size. */
function payload(bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i % 251) ^ ((i >> 12) & 0x0f);
  return out;
}

const limits = (maxOutputBytes: number) => ({ maxOutputBytes, position: 1000 });

describe.each(CODECS)('codec %s', (_name, codec) => {
  it('round-trips empty, small and multi-block inputs', () => {
    for (const size of [0, 1, 100, 70_000, 5 * 1024 * 1024 + 3]) {
      const input = payload(size);
      expect(codec.decompress(codec.compress(input), limits(size + 1)).equals(input)).toBe(true);
    }
  });

  it('is reachable through codecFor', () => {
    expect(codecFor(codec.type)).toBe(codec);
  });

  it('allows exactly maxOutputBytes and refuses one more', () => {
    const input = payload(300_000);
    const compressed = codec.compress(input);
    expect(codec.decompress(compressed, limits(300_000)).length).toBe(300_000);
    const error = captureCorrupt(() => codec.decompress(compressed, limits(299_999)));
    expect(error.position).toBe(1000);
    expect(error.reason).toMatch(/maxDecompressedBytes/);
  });

  it('reports truncated input as CorruptRecordError', () => {
    const compressed = codec.compress(payload(100_000));
    for (const cut of [1, 5, 17, compressed.length >> 1, compressed.length - 1]) {
      const error = captureCorrupt(() => codec.decompress(compressed.subarray(0, cut), limits(1 << 20)));
      expect(error.position).toBeGreaterThanOrEqual(1000);
      expect(error.position).toBeLessThanOrEqual(1000 + cut);
    }
  });
});

describe('codecFor', () => {
  it('has no codec for None or undefined codes', () => {
    expect(codecFor(CompressionType.None)).toBeUndefined();
    expect(codecFor(5 as CompressionType)).toBeUndefined();
  });
});

describe('snappy framing', () => {
  it('writes xerial framing in 32 KiB blocks, as snappy-java does', () => {
    const compressed = snappyCodec.compress(payload(100 * 1024));
    expect(compressed.subarray(0, 16)).toEqual(
      Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]),
    );
    let chunks = 0;
    for (let at = 16; at < compressed.length; at += 4 + compressed.readInt32BE(at)) chunks++;
    expect(chunks).toBe(4);
  });

  it('reads a bare raw snappy block', () => {
    const input = payload(50_000);
    expect(snappyCodec.decompress(snappy.compressSync(input), limits(50_000)).equals(input)).toBe(true);
  });

  it("checks the raw block's declared length before decoding", () => {
    const raw = snappy.compressSync(payload(50_000));
    expect(captureCorrupt(() => snappyCodec.decompress(raw, limits(49_999))).reason).toMatch(/maxDecompressedBytes/);
  });

  it('refuses a xerial chunk length past the end, with its position', () => {
    const compressed = snappyCodec.compress(payload(1000));
    compressed.writeInt32BE(compressed.length, 16);
    expect(captureCorrupt(() => snappyCodec.decompress(compressed, limits(1 << 20))).position).toBe(1016);
  });
});

describe('lz4 framing', () => {
  it('writes a standard LZ4 frame with independent blocks (what Kafka reads)', () => {
    const frame = lz4Codec.compress(payload(10_000));
    expect(frame.readUInt32LE(0)).toBe(0x184d2204);
    expect(frame[4]! & 0xc0).toBe(0x40); // version 01
    expect(frame[4]! & 0x20).toBe(0x20); // block independence
    expect(Buffer.from(lz4js.decompress(frame)).equals(payload(10_000))).toBe(true);
  });

  it('reads linked-block frames across several blocks (lz4js writes those)', () => {
    const input = Buffer.concat([payload(3 * 1024 * 1024), payload(3 * 1024 * 1024)]);
    const frame = Buffer.from(lz4js.compress(input));
    expect(frame[4]! & 0x20).toBe(0); // linked blocks
    expect(lz4Codec.decompress(frame, limits(input.length)).equals(input)).toBe(true);
  });

  it('refuses bad magic, trailing bytes, a missing end mark and oversize blocks', () => {
    const frame = lz4Codec.compress(payload(10_000));
    const badMagic = Buffer.from(frame);
    badMagic[0] = 0;
    expect(captureCorrupt(() => lz4Codec.decompress(badMagic, limits(1 << 20))).reason).toMatch(/magic/);
    const trailing = Buffer.concat([frame, Buffer.from([1, 2])]);
    expect(captureCorrupt(() => lz4Codec.decompress(trailing, limits(1 << 20))).position).toBe(1000 + frame.length);
    expect(
      captureCorrupt(() => lz4Codec.decompress(frame.subarray(0, frame.length - 4), limits(1 << 20))).reason,
    ).toMatch(/end mark/);
    const oversize = Buffer.from(frame);
    oversize.writeUInt32LE(0x7fffffff, 7);
    const error = captureCorrupt(() => lz4Codec.decompress(oversize, limits(1 << 20)));
    expect(error.position).toBe(1007);
    expect(error.reason).toMatch(/block size/);
  });

  it('refuses a declared content size above the limit before decoding', () => {
    // magic, FLG = version 01 | independent | content size, BD = 64 KiB, content size = 2^40, HC
    const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40, 0, 0, 0, 0, 0, 1, 0, 0, 0x00]);
    const frame = Buffer.concat([header, Buffer.alloc(4)]);
    expect(captureCorrupt(() => lz4Codec.decompress(frame, limits(1 << 20))).reason).toMatch(/maxDecompressedBytes/);
  });
});

describe('codec failures are CorruptRecordError', () => {
  it.each(CODECS)('%s on garbage', (_name, codec) => {
    const garbage = Buffer.from('definitely not compressed data, just some words');
    expect(() => codec.decompress(garbage, limits(1 << 20))).toThrow(CorruptRecordError);
  });
});

describe('a codec the runtime lacks', () => {
  it('says why and refuses with UNSUPPORTED_COMPRESSION_TYPE instead of a corrupt-record error', () => {
    const zlib = require('node:zlib') as { zstdDecompressSync?: unknown };
    const real = zlib.zstdDecompressSync;
    const compressed = zstdCodec.compress(payload(1_000));
    expect(zstdCodec.unavailableReason()).toBeUndefined();
    zlib.zstdDecompressSync = undefined;
    try {
      expect(zstdCodec.unavailableReason()).toMatch(/has no zstd in zlib/);
      expect(() => zstdCodec.decompress(compressed, { maxOutputBytes: 10_000, position: 0 })).toThrow(
        expect.objectContaining({ errorName: 'UNSUPPORTED_COMPRESSION_TYPE' }),
      );
      expect(() => zstdCodec.compress(payload(10))).toThrow(
        expect.objectContaining({ errorName: 'UNSUPPORTED_COMPRESSION_TYPE' }),
      );
    } finally {
      zlib.zstdDecompressSync = real;
    }
    for (const [, codec] of CODECS) expect(codec.unavailableReason()).toBeUndefined();
  });
});
