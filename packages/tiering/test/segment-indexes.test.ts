import fc from 'fast-check';
import {
  bundleIndexes,
  checkIndexesLayout,
  decodeMetadataRecord,
  encodeMetadataRecord,
  INDEX_PARTS,
  indexesBundleBytes,
  indexPartsSpan,
  IndexesLayoutError,
  parseObjectKey,
  planScrub,
  remoteObjectKey,
  remoteObjectKeys,
  RemoteLogMetadataFormatError,
  remoteIndexesLocation,
  remoteIndexPartKey,
  remoteLogObjectBytes,
  sliceIndexPart,
  type IndexPart,
  type RemoteSegmentMetadata,
} from '../src';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

const partsArb = fc.record<Record<IndexPart, Uint8Array>>({
  index: fc.uint8Array({ maxLength: 300 }),
  timeindex: fc.uint8Array({ maxLength: 300 }),
  'leader-epoch-checkpoint': fc.uint8Array({ maxLength: 40 }),
  'producer-snapshot': fc.uint8Array({ maxLength: 300 }),
});

function buffers(parts: Record<IndexPart, Uint8Array>): Record<IndexPart, Buffer> {
  return {
    index: Buffer.from(parts.index),
    timeindex: Buffer.from(parts.timeindex),
    'leader-epoch-checkpoint': Buffer.from(parts['leader-epoch-checkpoint']),
    'producer-snapshot': Buffer.from(parts['producer-snapshot']),
  };
}

/** The three layouts: the bundle in the `.log` (now), the bundle as `.indexes`, five objects (oldest). */
type Layout = 'in-log' | 'bundle' | 'five';

function segment(uploadId: string, layoutOf: Layout): RemoteSegmentMetadata {
  const metadata: RemoteSegmentMetadata = {
    id: { topicId: TOPIC_ID, topic: 'orders', partition: 3, uploadId },
    startOffset: 1200,
    endOffset: 1299,
    maxTimestampMs: 9,
    leaderEpoch: 7,
    segmentSizeBytes: 4096,
    segmentLeaderEpochs: [[7, 1200]],
    brokerId: 1,
  };
  if (layoutOf === 'five') return metadata;
  const { layout } = bundleIndexes({
    index: Buffer.alloc(16, 1),
    timeindex: Buffer.alloc(24, 2),
    'leader-epoch-checkpoint': Buffer.from('0\n1\n7 1200\n'),
    'producer-snapshot': Buffer.alloc(50, 3),
  });
  return layoutOf === 'in-log'
    ? { ...metadata, indexes: layout, indexesInLog: true }
    : { ...metadata, indexes: layout };
}

describe('the .indexes bundle of one upload', () => {
  it('lays the parts back to back from 0, and any set of parts read by its span comes back byte for byte', () => {
    fc.assert(
      fc.property(partsArb, fc.subarray([...INDEX_PARTS], { minLength: 1 }), (raw, wanted) => {
        const parts = buffers(raw);
        const { bytes, layout } = bundleIndexes(parts);
        checkIndexesLayout(layout, bytes.length);
        expect(indexesBundleBytes(layout)).toBe(bytes.length);
        expect(bytes.length).toBe(INDEX_PARTS.reduce((sum, part) => sum + parts[part].length, 0));
        let next = 0;
        for (const part of INDEX_PARTS) {
          expect(layout[part].position).toBe(next);
          expect(layout[part].sizeBytes).toBe(parts[part].length);
          next += parts[part].length;
        }
        const span = indexPartsSpan(layout, wanted);
        if (wanted.every((part) => parts[part].length === 0)) {
          expect(span).toBeNull();
          return;
        }
        expect(span).not.toBeNull();
        const read = bytes.subarray(span!.startByte, span!.endByteExclusive);
        for (const part of wanted)
          expect(sliceIndexPart(layout, part, read, span!.startByte, 'k')).toEqual(parts[part]);
        // Not more than the wanted parts' extent: no byte before the first or after the last.
        const nonEmpty = wanted.filter((part) => parts[part].length > 0);
        expect(span!.startByte).toBe(Math.min(...nonEmpty.map((part) => layout[part].position)));
        expect(span!.endByteExclusive).toBe(
          Math.max(...nonEmpty.map((part) => layout[part].position + layout[part].sizeBytes)),
        );
      }),
    );
  });

  it('survives the metadata codec: the layout read back is the layout written', () => {
    fc.assert(
      fc.property(partsArb, (raw) => {
        const { layout } = bundleIndexes(buffers(raw));
        for (const metadata of [
          { ...segment('u1', 'five'), indexes: layout },
          { ...segment('u1', 'five'), indexes: layout, indexesInLog: true as const },
        ]) {
          const record = { kind: 'segment', state: 'COPY_SEGMENT_STARTED', metadata, eventTimestampMs: 5 } as const;
          expect(decodeMetadataRecord(encodeMetadataRecord(record))).toEqual(record);
        }
      }),
    );
  });

  it('a flipped byte in a part is CORRUPT_MESSAGE by name, and so is a part outside the bytes read', () => {
    const { bytes, layout } = bundleIndexes(
      buffers({
        index: new Uint8Array(16).fill(1),
        timeindex: new Uint8Array(12).fill(2),
        'leader-epoch-checkpoint': new Uint8Array(8).fill(3),
        'producer-snapshot': new Uint8Array(20).fill(4),
      }),
    );
    const flipped = Buffer.from(bytes);
    flipped[layout.timeindex.position + 3]! ^= 0xff;
    expect(() => sliceIndexPart(layout, 'timeindex', flipped, 0, 'k.indexes')).toThrow(IndexesLayoutError);
    expect(() => sliceIndexPart(layout, 'timeindex', flipped, 0, 'k.indexes')).toThrow(/timeindex crc32c/);
    expect(sliceIndexPart(layout, 'index', flipped, 0, 'k.indexes')).toEqual(Buffer.alloc(16, 1));
    expect(() => sliceIndexPart(layout, 'producer-snapshot', bytes.subarray(0, 40), 0, 'k')).toThrow(
      /not in the bytes read/,
    );
    expect(new IndexesLayoutError('x').code).toBe('CORRUPT_MESSAGE');
  });

  it('the codec refuses a layout with a gap, an overlap, a missing part or a bad size, by name', () => {
    const good = segment('u1', 'bundle');
    const encoded = (indexes: unknown): Buffer =>
      Buffer.from(
        JSON.stringify({
          v: 1,
          kind: 'segment',
          state: 'COPY_SEGMENT_STARTED',
          metadata: { ...good, indexes },
          eventTimestampMs: 5,
        }),
      );
    const layout = good.indexes!;
    const bad = [
      { ...layout, timeindex: { ...layout.timeindex, position: layout.timeindex.position + 1 } },
      { ...layout, timeindex: { ...layout.timeindex, position: layout.timeindex.position - 1 } },
      { index: layout.index, timeindex: layout.timeindex, 'producer-snapshot': layout['producer-snapshot'] },
      { ...layout, index: { ...layout.index, sizeBytes: -1 } },
      { ...layout, index: { ...layout.index, crc32c: 2 ** 32 } },
      [],
    ];
    for (const indexes of bad)
      expect(() => decodeMetadataRecord(encoded(indexes))).toThrow(RemoteLogMetadataFormatError);
    expect(decodeMetadataRecord(encoded(layout))).toMatchObject({ metadata: { indexes: layout } });
  });

  it('the codec refuses indexesInLog that is not true, or without a layout, by name', () => {
    const { indexes, ...oldest } = segment('u1', 'in-log');
    const encoded = (metadata: unknown): Buffer =>
      Buffer.from(
        JSON.stringify({ v: 1, kind: 'segment', state: 'COPY_SEGMENT_STARTED', metadata, eventTimestampMs: 5 }),
      );
    expect(() => decodeMetadataRecord(encoded({ ...oldest, indexesInLog: true }))).toThrow(
      /indexesInLog without an indexes layout/,
    );
    for (const flag of [false, 1, 'true', null])
      expect(() => decodeMetadataRecord(encoded({ ...oldest, indexes, indexesInLog: flag }))).toThrow(
        RemoteLogMetadataFormatError,
      );
    expect(decodeMetadataRecord(encoded({ ...oldest, indexes, indexesInLog: true }))).toMatchObject({
      metadata: { indexes, indexesInLog: true },
    });
  });
});

describe('object keys and the scrub in all three layouts', () => {
  it('an upload now is its .log alone; a bundled upload its .log and .indexes; the oldest its five objects', () => {
    const suffixes = (metadata: RemoteSegmentMetadata): string[] =>
      remoteObjectKeys('p/', metadata).map((key) => key.slice(key.lastIndexOf('.')));
    expect(suffixes(segment('now', 'in-log'))).toEqual(['.log']);
    expect(suffixes(segment('new', 'bundle'))).toEqual(['.log', '.indexes']);
    expect(remoteObjectKeys('p/', segment('old', 'five'))).toHaveLength(5);
    expect(parseObjectKey('p/', remoteObjectKey('p/', segment('new', 'bundle'), 'indexes'))).toMatchObject({
      file: 'indexes',
      uploadId: 'new',
      baseOffset: 1200,
    });
  });

  it("the bundle's object and first byte, and the .log object's size, in each layout", () => {
    const inLog = segment('now', 'in-log');
    const bundleBytes = indexesBundleBytes(inLog.indexes!);
    expect(remoteIndexesLocation('p/', inLog)).toEqual({ key: remoteObjectKey('p/', inLog, 'log'), startByte: 4096 });
    expect(remoteLogObjectBytes(inLog)).toBe(4096 + bundleBytes);
    expect(remoteIndexPartKey('p/', inLog, 'producer-snapshot')).toBe(remoteObjectKey('p/', inLog, 'log'));
    const bundled = segment('new', 'bundle');
    expect(remoteIndexesLocation('p/', bundled)).toEqual({
      key: remoteObjectKey('p/', bundled, 'indexes'),
      startByte: 0,
    });
    expect(remoteLogObjectBytes(bundled)).toBe(4096);
    const oldest = segment('old', 'five');
    expect(remoteIndexesLocation('p/', oldest)).toBeNull();
    expect(remoteLogObjectBytes(oldest)).toBe(4096);
    expect(remoteIndexPartKey('p/', oldest, 'index')).toBe(remoteObjectKey('p/', oldest, 'index'));
  });

  it("finds orphaned objects of every layout and keeps every layout's named objects", () => {
    const live = [segment('now', 'in-log'), segment('new', 'bundle'), segment('old', 'five')];
    const named = new Set(live.flatMap((metadata) => remoteObjectKeys('p/', metadata)));
    const orphans = [
      remoteObjectKey('p/', segment('lost', 'bundle'), 'indexes'),
      remoteObjectKey('p/', segment('lost-too', 'in-log'), 'log'),
      // An upload written now names no .indexes object: one left beside it is an orphan.
      remoteObjectKey('p/', segment('now', 'in-log'), 'indexes'),
    ];
    const objects = [...named, ...orphans].map((key) => ({ key, sizeBytes: 1, lastModifiedMs: 0 }));
    const plan = planScrub('p/', objects, named, 10_000, 1_000);
    expect(plan.named).toBe(8);
    expect(plan.orphans.map((object) => object.key)).toEqual(orphans);
  });
});
