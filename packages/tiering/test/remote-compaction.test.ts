import fc from 'fast-check';
import { OffsetMap } from '@sluice/log';
import { CompressionType, decodeRecordBatches, encodeRecordBatch } from '@sluice/protocol';
import { addLatestOffsets, compactRemoteSegments, type RemoteCompactionSource } from '../src';

interface Rec {
  readonly offset: number;
  readonly key: string;
  readonly value: string | null;
}

const SETTINGS = { deleteRetentionMs: 1_000, indexIntervalBytes: 64, segmentIndexBytes: 1 << 20 };
const BIG_MAP = 1 << 20;

/** Batches laid end to end holding `records` (consecutive offsets), `perBatch` records each. */
function encode(records: readonly Rec[], perBatch: number, compression = CompressionType.None): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < records.length; i += perBatch) {
    const slice = records.slice(i, i + perBatch);
    parts.push(
      encodeRecordBatch({
        baseOffset: slice[0]!.offset,
        compression,
        records: slice.map((r) => ({
          key: Buffer.from(r.key),
          value: r.value === null ? null : Buffer.from(r.value),
          headers: [],
          timestamp: 1_000 + r.offset,
          offsetDelta: r.offset - slice[0]!.offset,
        })),
      }),
    );
  }
  return Buffer.concat(parts);
}

function decode(bytes: Buffer): Rec[] {
  return decodeRecordBatches(bytes).flatMap((batch) =>
    batch.records.map((r) => ({
      offset: r.offset,
      key: r.key!.toString(),
      value: r.value === null ? null : r.value.toString(),
    })),
  );
}

/** What a consumer from offset 0 ends up with: the latest value per key, tombstones removing it. */
function applyAll(records: readonly Rec[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const r of records) {
    if (r.value === null) state.delete(r.key);
    else state.set(r.key, r.value);
  }
  return state;
}

/** A history split into remote segments (their ranges contiguous) and a local tail. */
function split(history: readonly Rec[], cuts: readonly number[], localFrom: number, perBatch: number) {
  const bounds = [...new Set([0, ...cuts.filter((c) => c > 0 && c < localFrom), localFrom])].sort((a, b) => a - b);
  const sources: RemoteCompactionSource[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const records = history.slice(bounds[i]!, bounds[i + 1]!);
    sources.push({ startOffset: bounds[i]!, endOffset: bounds[i + 1]! - 1, bytes: encode(records, perBatch) });
  }
  return { sources, local: encode(history.slice(localFrom), perBatch) };
}

const historyArb = fc
  .array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), tombstone: fc.boolean() }), {
    minLength: 2,
    maxLength: 80,
  })
  .map((entries) =>
    entries.map((e, offset): Rec => ({ offset, key: e.key, value: e.tombstone ? null : `${e.key}@${offset}` })),
  );

describe('remote compaction (pure merge)', () => {
  it('keeps only the latest record of each key across remote and local, offsets and bytes as they were', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.array(fc.integer({ min: 1, max: 79 }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(200, 1 << 20),
        (history, cuts, localFromRaw, perBatch, segmentBytes) => {
          const localFrom = Math.min(localFromRaw, history.length);
          const { sources, local } = split(history, cuts, localFrom, perBatch);
          const map = new OffsetMap(BIG_MAP);
          for (const source of sources) expect(addLatestOffsets(map, source.bytes)).toBe(true);
          expect(addLatestOffsets(map, local)).toBe(true);
          const result = compactRemoteSegments(sources, map, { ...SETTINGS, nowMs: 0, segmentBytes });

          // Same range, contiguous, each replacing consecutive sources.
          expect(result.segments[0]!.startOffset).toBe(0);
          expect(result.segments[result.segments.length - 1]!.endOffset).toBe(localFrom - 1);
          for (let i = 1; i < result.segments.length; i++)
            expect(result.segments[i]!.startOffset).toBe(result.segments[i - 1]!.endOffset + 1);
          expect(result.segments.flatMap((s) => s.replaces)).toEqual(sources.map((_, i) => i));

          const remote = result.segments.flatMap((s) => decode(s.bytes));
          // Every survivor is the original record at its offset, and the latest of its key anywhere.
          const latest = new Map(history.map((r) => [r.key, r.offset]));
          for (const r of remote) {
            expect(r).toEqual(history[r.offset]);
            expect(latest.get(r.key)).toBe(r.offset);
          }
          expect(remote.map((r) => r.offset)).toEqual([...remote.map((r) => r.offset)].sort((a, b) => a - b));
          expect(result.recordsDropped).toBe(localFrom - remote.length);
          expect(result.bytesOut).toBe(result.segments.reduce((sum, s) => sum + s.bytes.length, 0));
          // A consumer from offset 0 ends with the model's state.
          expect(applyAll([...remote, ...decode(local)])).toEqual(applyAll(history));
          for (const s of result.segments) expect(s.offsetIndex.length % 8).toBe(0);

          // A later pass past the delete horizon drops the remote tombstones; still the same state.
          const again = compactRemoteSegments(
            result.segments.map((s) => ({ startOffset: s.startOffset, endOffset: s.endOffset, bytes: s.bytes })),
            map,
            { ...SETTINGS, nowMs: 10_000, segmentBytes },
          );
          const remoteAgain = again.segments.flatMap((s) => decode(s.bytes));
          expect(remoteAgain.filter((r) => r.value === null)).toEqual([]);
          expect(applyAll([...remoteAgain, ...decode(local)])).toEqual(applyAll(history));
        },
      ),
    );
  });

  it('reads compressed batches and keeps their compression', () => {
    const history: Rec[] = Array.from({ length: 12 }, (_, offset) => ({
      offset,
      key: `k${offset % 3}`,
      value: `v${offset}`,
    }));
    const source = { startOffset: 0, endOffset: 11, bytes: encode(history, 4, CompressionType.Gzip) };
    const map = new OffsetMap(BIG_MAP);
    expect(addLatestOffsets(map, source.bytes)).toBe(true);
    const result = compactRemoteSegments([source], map, { ...SETTINGS, nowMs: 0, segmentBytes: 1 << 20 });
    expect(decode(result.segments[0]!.bytes)).toEqual(history.slice(9));
    for (const batch of decodeRecordBatches(result.segments[0]!.bytes))
      expect(batch.compression).toBe(CompressionType.Gzip);
  });

  it('reports a full key map instead of compacting with part of it', () => {
    const history: Rec[] = Array.from({ length: 50 }, (_, offset) => ({ offset, key: `key-${offset}`, value: 'v' }));
    expect(addLatestOffsets(new OffsetMap(200), encode(history, 5))).toBe(false);
  });

  it('refuses sources that are not consecutive or batches outside their segment', () => {
    const a = encode([{ offset: 0, key: 'a', value: '1' }], 1);
    const b = encode([{ offset: 5, key: 'a', value: '2' }], 1);
    const map = new OffsetMap(BIG_MAP);
    const settings = { ...SETTINGS, nowMs: 0, segmentBytes: 1 << 20 };
    expect(() =>
      compactRemoteSegments(
        [
          { startOffset: 0, endOffset: 0, bytes: a },
          { startOffset: 2, endOffset: 5, bytes: b },
        ],
        map,
        settings,
      ),
    ).toThrow(RangeError);
    expect(() => compactRemoteSegments([{ startOffset: 0, endOffset: 3, bytes: b }], map, settings)).toThrow(
      RangeError,
    );
  });
});
