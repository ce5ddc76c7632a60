/**
 * Test-only bridge to kafkajs's own RecordBatch v2 encoder/decoder (an independent
 * implementation of the format), with codec plugins registered for every compression type:
 *
 * - gzip: kafkajs built in (zlib);
 * - snappy: the published `kafkajs-snappy` plugin (pure-JS snappyjs; writes raw snappy, reads
 *   both raw and xerial);
 * - lz4: a small codec over `lz4js` (pure-JS LZ4 frames). The published `kafkajs-lz4` needs the
 *   native `lz4` package, whose build scripts this workspace does not run;
 * - zstd: a small codec over Node's zlib zstd (`@kafkajs/zstd` needs `@mongodb-js/zstd`, which
 *   does not install here).
 *
 * The batch framing in every case is kafkajs's.
 */
import * as zlib from 'node:zlib';
import { CompressionType } from '@sluice/protocol';

const kafkajs = require('kafkajs') as {
  CompressionCodecs: Record<number, () => KafkajsCodec>;
  CompressionTypes: Record<string, number>;
};
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (options: Record<string, unknown>) => Promise<KafkajsEncoder>;
};
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
  decoder: unknown,
) => Promise<KafkajsBatch>;
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (
  record: Record<string, unknown>,
) => KafkajsEncoder;
const Decoder = require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromValue(value: number | string): unknown };
const SnappyCodec = require('kafkajs-snappy') as () => KafkajsCodec;
const lz4js = require('lz4js') as {
  compress(input: Uint8Array): Uint8Array;
  decompress(input: Uint8Array): Uint8Array;
};

interface KafkajsEncoder {
  buffer: Buffer;
}
interface KafkajsCodec {
  compress(encoder: KafkajsEncoder): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

export interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
}

export interface KafkajsBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  timestampType: number;
  records: KafkajsRecord[];
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const lz4Codec: KafkajsCodec = {
  compress: async (encoder) => toBuffer(lz4js.compress(encoder.buffer)),
  decompress: async (buffer) => toBuffer(lz4js.decompress(buffer)),
};

const zstdCodec: KafkajsCodec = {
  compress: async (encoder) => zlib.zstdCompressSync(encoder.buffer),
  decompress: async (buffer) => zlib.zstdDecompressSync(buffer),
};

kafkajs.CompressionCodecs[CompressionType.Snappy] = SnappyCodec;
kafkajs.CompressionCodecs[CompressionType.Lz4] = () => lz4Codec;
kafkajs.CompressionCodecs[CompressionType.Zstd] = () => zstdCodec;

export interface KafkajsEncodeInput {
  compression: CompressionType;
  firstOffset?: number;
  firstTimestamp: number;
  maxTimestamp: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta: number;
  transactional?: boolean;
  producerId?: number;
  producerEpoch?: number;
  firstSequence?: number;
  records: {
    offsetDelta: number;
    timestampDelta: number;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | Buffer[]>;
  }[];
}

/** Encodes a batch with kafkajs's RecordBatch encoder (as its producer does). */
export async function kafkajsEncode(input: KafkajsEncodeInput): Promise<Buffer> {
  const encoder = await RecordBatch({
    compression: input.compression,
    firstOffset: Long.fromValue(input.firstOffset ?? 0),
    firstTimestamp: input.firstTimestamp,
    maxTimestamp: input.maxTimestamp,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? 0,
    lastOffsetDelta: input.lastOffsetDelta,
    transactional: input.transactional ?? false,
    producerId: Long.fromValue(input.producerId ?? -1),
    producerEpoch: input.producerEpoch ?? 0,
    firstSequence: input.firstSequence ?? 0,
    records: input.records.map((record) => Record(record)),
  });
  return encoder.buffer;
}

/** Decodes one batch with kafkajs's RecordBatch decoder (as its consumer does). */
export function kafkajsDecode(batch: Buffer): Promise<KafkajsBatch> {
  return decodeBatch(new Decoder(batch));
}

/** kafkajs's header shape: an object, repeated keys collected into arrays in order. */
export function kafkajsHeaders(
  headers: readonly { key: string; value: Buffer | null }[],
): Record<string, Buffer | null | (Buffer | null)[]> {
  const out: Record<string, Buffer | null | (Buffer | null)[]> = {};
  for (const { key, value } of headers) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else out[key] = [existing, value];
  }
  return out;
}
