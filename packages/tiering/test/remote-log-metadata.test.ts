import fc from 'fast-check';
import {
  decodeMetadataRecord,
  encodeMetadataRecord,
  metadataRecordKey,
  RemoteLogMetadataError,
  RemoteLogMetadataFormatError,
  RemotePartitionState,
  remoteObjectKey,
  remoteObjectKeys,
  type RemoteLogMetadataRecord,
  type RemoteSegmentMetadata,
  type RemoteSegmentState,
} from '../src';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

function segment(uploadId: string, startOffset: number, endOffset: number): RemoteSegmentMetadata {
  return {
    id: { topicId: TOPIC_ID, topic: 'orders', partition: 3, uploadId },
    startOffset,
    endOffset,
    maxTimestampMs: 1_000 + endOffset,
    leaderEpoch: 7,
    segmentSizeBytes: (endOffset - startOffset + 1) * 100,
    segmentLeaderEpochs: [[7, startOffset]],
    brokerId: 1,
  };
}

function record(state: RemoteSegmentState, metadata: RemoteSegmentMetadata): RemoteLogMetadataRecord {
  return { kind: 'segment', state, metadata, eventTimestampMs: 5 };
}

describe('RemotePartitionState', () => {
  it('only a finished copy is readable; deletes take it away again', () => {
    const state = new RemotePartitionState(TOPIC_ID, 3);
    const a = segment('u-a', 0, 99);
    const b = segment('u-b', 100, 199);
    state.apply(record('COPY_SEGMENT_STARTED', a));
    expect(state.copied()).toEqual([]);
    expect(state.highestCopiedOffset()).toBe(-1);
    expect(state.segmentFor(5)).toBeNull();
    expect(state.unfinished().map((e) => e.metadata.id.uploadId)).toEqual(['u-a']);

    state.apply(record('COPY_SEGMENT_FINISHED', a));
    state.apply(record('COPY_SEGMENT_STARTED', b));
    state.apply(record('COPY_SEGMENT_FINISHED', b));
    expect(state.highestCopiedOffset()).toBe(199);
    expect(state.remoteLogStartOffset()).toBe(0);
    expect(state.remoteSizeBytes()).toBe(20_000);
    expect(state.segmentFor(150)?.id.uploadId).toBe('u-b');

    state.apply(record('DELETE_SEGMENT_STARTED', a));
    expect(state.remoteLogStartOffset()).toBe(100);
    expect(state.segmentFor(5)).toBeNull();
    state.apply(record('DELETE_SEGMENT_FINISHED', a));
    expect(state.all().map((e) => e.metadata.id.uploadId)).toEqual(['u-b']);
  });

  it('keeps its cached readable segments equal to the finished uploads sorted, asked after every record', () => {
    const STATES: RemoteSegmentState[] = [
      'COPY_SEGMENT_STARTED',
      'COPY_SEGMENT_FINISHED',
      'DELETE_SEGMENT_STARTED',
      'DELETE_SEGMENT_FINISHED',
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 })),
          {
            maxLength: 40,
          },
        ),
        (steps) => {
          const state = new RemotePartitionState(TOPIC_ID, 3);
          // The model: each upload's state, in first-applied order (a stable sort keeps it for ties).
          const model = new Map<string, { metadata: RemoteSegmentMetadata; state: RemoteSegmentState }>();
          const uploads = new Map<number, RemoteSegmentMetadata>();
          for (const [upload, start, stateIndex] of steps) {
            const metadata = uploads.get(upload) ?? segment(`u-${upload}`, start * 10, start * 10 + 9);
            uploads.set(upload, metadata);
            const next = STATES[stateIndex]!;
            try {
              state.apply(record(next, metadata));
            } catch (error) {
              if (!(error instanceof RemoteLogMetadataError)) throw error;
              continue;
            }
            if (next === 'DELETE_SEGMENT_FINISHED') model.delete(metadata.id.uploadId);
            else model.set(metadata.id.uploadId, { metadata, state: next });
            const expected = [...model.values()]
              .filter((entry) => entry.state === 'COPY_SEGMENT_FINISHED')
              .map((entry) => entry.metadata)
              .sort((a, b) => a.startOffset - b.startOffset);
            // A clone shares the cached view until either side changes.
            expect(state.clone().copied()).toEqual(expected);
            expect(state.highestCopiedOffset()).toBe(Math.max(-1, ...expected.map((s) => s.endOffset)));
            expect(state.remoteSizeBytes()).toBe(expected.reduce((sum, s) => sum + s.segmentSizeBytes, 0));
          }
        },
      ),
    );
  });

  it('refuses transitions Kafka refuses, and changes nothing then', () => {
    const state = new RemotePartitionState(TOPIC_ID, 3);
    const a = segment('u-a', 0, 99);
    state.apply(record('COPY_SEGMENT_STARTED', a));
    state.apply(record('COPY_SEGMENT_FINISHED', a));
    expect(() => state.apply(record('COPY_SEGMENT_STARTED', a))).toThrow(RemoteLogMetadataError);
    expect(() => state.apply(record('COPY_SEGMENT_FINISHED', a))).toThrow(/cannot become COPY_SEGMENT_FINISHED/);
    expect(() => state.apply(record('DELETE_SEGMENT_FINISHED', a))).toThrow(/cannot become DELETE_SEGMENT_FINISHED/);
    // A copy that adds nothing above what is remote cannot finish.
    const covered = segment('u-c', 50, 99);
    state.apply(record('COPY_SEGMENT_STARTED', covered));
    expect(() => state.apply(record('COPY_SEGMENT_FINISHED', covered))).toThrow(
      /adds nothing above the copied offset 99/,
    );
    // A record of another partition.
    expect(() =>
      state.apply(
        record('COPY_SEGMENT_STARTED', { ...segment('u-d', 200, 300), id: { ...a.id, uploadId: 'u-d', partition: 4 } }),
      ),
    ).toThrow(/applied to/);
    expect(state.copied().map((s) => s.id.uploadId)).toEqual(['u-a']);
    expect(state.all().find((e) => e.metadata.id.uploadId === 'u-c')?.state).toBe('COPY_SEGMENT_STARTED');
  });

  it("takes a new leader's straddling segment; reads use the newest segment holding an offset", () => {
    const state = new RemotePartitionState(TOPIC_ID, 3);
    state.apply(record('COPY_SEGMENT_FINISHED', segment('u-a', 0, 99)));
    state.apply(record('COPY_SEGMENT_FINISHED', segment('u-b', 80, 180)));
    expect(state.highestCopiedOffset()).toBe(180);
    expect(state.segmentFor(50)?.id.uploadId).toBe('u-a');
    expect(state.segmentFor(90)?.id.uploadId).toBe('u-b');
  });

  it('replays a compacted metadata topic: an upload first seen finished or deleted', () => {
    const state = new RemotePartitionState(TOPIC_ID, 3);
    state.apply(record('COPY_SEGMENT_FINISHED', segment('u-a', 0, 99)));
    state.apply(record('DELETE_SEGMENT_FINISHED', segment('u-gone', 100, 120)));
    state.apply(record('DELETE_SEGMENT_STARTED', segment('u-half', 121, 130)));
    expect(state.copied().map((s) => s.id.uploadId)).toEqual(['u-a']);
    expect(state.unfinished().map((e) => e.metadata.id.uploadId)).toEqual(['u-half']);
  });

  it('a partition being deleted takes no new copies', () => {
    const state = new RemotePartitionState(TOPIC_ID, 3);
    state.apply({
      kind: 'partition-delete',
      state: 'DELETE_PARTITION_STARTED',
      topicId: TOPIC_ID,
      topic: 'orders',
      partition: 3,
      eventTimestampMs: 1,
    });
    expect(() => state.apply(record('COPY_SEGMENT_STARTED', segment('u-a', 0, 9)))).toThrow(/being deleted/);
  });

  it('takes repeated delete steps as no-ops (a last leader and the tiering service both cleaning a deleted topic)', () => {
    const state = new RemotePartitionState(TOPIC_ID, 3);
    const a = segment('u-a', 0, 99);
    const b = segment('u-b', 100, 199);
    const partitionStep = (step: 'DELETE_PARTITION_STARTED' | 'DELETE_PARTITION_FINISHED') =>
      ({
        kind: 'partition-delete',
        state: step,
        topicId: TOPIC_ID,
        topic: 'orders',
        partition: 3,
        eventTimestampMs: 1,
      }) as const;
    for (const metadata of [a, b]) {
      state.apply(record('COPY_SEGMENT_STARTED', metadata));
      state.apply(record('COPY_SEGMENT_FINISHED', metadata));
    }
    // Two cleaners interleaved: each writes every step once.
    state.apply(partitionStep('DELETE_PARTITION_STARTED'));
    state.apply(partitionStep('DELETE_PARTITION_STARTED'));
    state.apply(record('DELETE_SEGMENT_STARTED', a));
    state.apply(record('DELETE_SEGMENT_STARTED', a));
    state.apply(record('DELETE_SEGMENT_FINISHED', a));
    state.apply(record('DELETE_SEGMENT_FINISHED', a)); // already gone: taken as is, names nothing
    state.apply(record('DELETE_SEGMENT_STARTED', b));
    state.apply(record('DELETE_SEGMENT_FINISHED', b));
    state.apply(partitionStep('DELETE_PARTITION_FINISHED'));
    state.apply(partitionStep('DELETE_PARTITION_FINISHED'));
    expect(state.all()).toEqual([]);
    expect(state.deleteState).toBe('DELETE_PARTITION_FINISHED');
    // Copy steps stay strict: a repeated finish is refused.
    const c = segment('u-c', 200, 299);
    const fresh = new RemotePartitionState(TOPIC_ID, 3);
    fresh.apply(record('COPY_SEGMENT_STARTED', c));
    fresh.apply(record('COPY_SEGMENT_FINISHED', c));
    expect(() => fresh.apply(record('COPY_SEGMENT_FINISHED', c))).toThrow(/cannot become COPY_SEGMENT_FINISHED/);
  });
});

describe('remote compaction: a replacing upload', () => {
  function finished(...segments: RemoteSegmentMetadata[]): RemotePartitionState {
    const state = new RemotePartitionState(TOPIC_ID, 3);
    for (const s of segments) {
      state.apply(record('COPY_SEGMENT_STARTED', s));
      state.apply(record('COPY_SEGMENT_FINISHED', s));
    }
    return state;
  }

  it('swaps readers from the replaced uploads to it at its COPY_SEGMENT_FINISHED, in one step', () => {
    const a = segment('u-a', 0, 99);
    const b = segment('u-b', 100, 199);
    const c = segment('u-c', 200, 299);
    const state = finished(a, b, c);
    const merged: RemoteSegmentMetadata = { ...segment('u-ab', 0, 199), replacesUploadIds: ['u-a', 'u-b'] };
    state.checkReplacement(merged);
    state.apply(record('COPY_SEGMENT_STARTED', merged));
    // Started: still the old ones (an interrupted compaction claims nothing).
    expect(state.copied()).toEqual([a, b, c]);
    expect(state.segmentFor(150)).toEqual(b);
    state.apply(record('COPY_SEGMENT_FINISHED', merged));
    // Finished: the new one only; the replaced are being deleted (the next cleanup finishes them).
    expect(state.copied()).toEqual([merged, c]);
    expect(state.segmentFor(150)).toEqual(merged);
    expect(state.unfinished().map((e) => [e.metadata.id.uploadId, e.state])).toEqual([
      ['u-a', 'DELETE_SEGMENT_STARTED'],
      ['u-b', 'DELETE_SEGMENT_STARTED'],
    ]);
    expect(state.highestCopiedOffset()).toBe(299);
    expect(state.remoteLogStartOffset()).toBe(0);
    state.apply(record('DELETE_SEGMENT_FINISHED', a));
    state.apply(record('DELETE_SEGMENT_FINISHED', b));
    expect(
      state
        .all()
        .map((e) => e.metadata.id.uploadId)
        .sort(),
    ).toEqual(['u-ab', 'u-c']);
  });

  it('refuses a replacement that does not cover exactly finished, consecutive uploads', () => {
    const state = finished(segment('u-a', 0, 99), segment('u-b', 100, 199));
    const refused = (ids: string[], start: number, end: number): void =>
      expect(() => state.checkReplacement({ ...segment('u-x', start, end), replacesUploadIds: ids })).toThrow(
        RemoteLogMetadataError,
      );
    refused(['u-a', 'u-b'], 0, 150);
    refused(['u-a', 'u-b'], 10, 199);
    refused(['u-b', 'u-a'], 0, 199);
    refused(['u-a', 'u-nope'], 0, 199);
    state.apply(record('DELETE_SEGMENT_STARTED', segment('u-b', 100, 199)));
    refused(['u-a', 'u-b'], 0, 199);
    expect(() => state.checkReplacement({ ...segment('u-x', 0, 99), replacesUploadIds: ['u-a'] })).not.toThrow();
  });

  it('replays a compacted metadata topic where the replacement is first seen finished', () => {
    const a = segment('u-a', 0, 99);
    const state = finished(a);
    const merged: RemoteSegmentMetadata = { ...segment('u-a2', 0, 99), replacesUploadIds: ['u-a'] };
    state.apply(record('COPY_SEGMENT_FINISHED', merged));
    expect(state.copied()).toEqual([merged]);
    expect(state.unfinished().map((e) => e.metadata.id.uploadId)).toEqual(['u-a']);
  });

  it('replays a compacted metadata topic where an interrupted replacement is first seen deleted: the old uploads stay', () => {
    // Killed between the replacement's COPY_SEGMENT_STARTED and FINISHED; the next leader deleted
    // it. Compaction of the metadata topic keeps only its last record, which still names u-a.
    const a = segment('u-a', 0, 99);
    const merged: RemoteSegmentMetadata = { ...segment('u-a2', 0, 99), replacesUploadIds: ['u-a'] };
    for (const last of ['DELETE_SEGMENT_STARTED', 'DELETE_SEGMENT_FINISHED'] as const) {
      const state = finished(a);
      state.apply(record(last, merged));
      expect(state.copied()).toEqual([a]);
      expect(state.unfinished().map((e) => e.metadata.id.uploadId)).toEqual(
        last === 'DELETE_SEGMENT_STARTED' ? ['u-a2'] : [],
      );
    }
  });
});

describe('metadata codec and object keys', () => {
  it('round-trips every record and keys it per upload', () => {
    const metadata = segment('u-a', 0, 99);
    for (const state of [
      'COPY_SEGMENT_STARTED',
      'COPY_SEGMENT_FINISHED',
      'DELETE_SEGMENT_STARTED',
      'DELETE_SEGMENT_FINISHED',
    ] as const) {
      const r = record(state, metadata);
      expect(decodeMetadataRecord(encodeMetadataRecord(r))).toEqual(r);
      expect(metadataRecordKey(r)).toBe(`${TOPIC_ID}:3:u-a`);
    }
    const partitionDelete: RemoteLogMetadataRecord = {
      kind: 'partition-delete',
      state: 'DELETE_PARTITION_FINISHED',
      topicId: TOPIC_ID,
      topic: 'orders',
      partition: 3,
      eventTimestampMs: 9,
    };
    expect(decodeMetadataRecord(encodeMetadataRecord(partitionDelete))).toEqual(partitionDelete);
  });

  it('round-trips the uploads a compacted segment replaces, and refuses a bad list', () => {
    const merged = record('COPY_SEGMENT_FINISHED', { ...segment('u-ab', 0, 199), replacesUploadIds: ['u-a', 'u-b'] });
    expect(decodeMetadataRecord(encodeMetadataRecord(merged))).toEqual(merged);
    const plain = record('COPY_SEGMENT_FINISHED', segment('u-a', 0, 99));
    expect(decodeMetadataRecord(encodeMetadataRecord(plain))).toEqual(plain);
    const bad = JSON.parse(encodeMetadataRecord(merged).toString()) as { metadata: { replacesUploadIds: unknown } };
    bad.metadata.replacesUploadIds = [];
    expect(() => decodeMetadataRecord(Buffer.from(JSON.stringify(bad)))).toThrow(RemoteLogMetadataFormatError);
    bad.metadata.replacesUploadIds = ['u-a', 7];
    expect(() => decodeMetadataRecord(Buffer.from(JSON.stringify(bad)))).toThrow(RemoteLogMetadataFormatError);
  });

  it('refuses bad bytes by name', () => {
    expect(() => decodeMetadataRecord(Buffer.from('{'))).toThrow(RemoteLogMetadataFormatError);
    expect(() => decodeMetadataRecord(Buffer.from('{"v":2}'))).toThrow(/version 2/);
    const good = JSON.parse(encodeMetadataRecord(record('COPY_SEGMENT_STARTED', segment('u', 0, 1))).toString());
    expect(() => decodeMetadataRecord(Buffer.from(JSON.stringify({ ...good, state: 'COPIED' })))).toThrow(
      /unknown segment state/,
    );
    const badOffset = { ...good, metadata: { ...good.metadata, startOffset: 1.5 } };
    expect(() => decodeMetadataRecord(Buffer.from(JSON.stringify(badOffset)))).toThrow(/startOffset is not an integer/);
  });

  it('object keys carry topic id, partition, base offset, leader epoch and upload id', () => {
    const metadata = segment('9f1c', 1200, 1299);
    expect(remoteObjectKey('tier/', metadata, 'log')).toBe(`tier/orders-${TOPIC_ID}/3/00000000000000001200-7-9f1c.log`);
    expect(remoteObjectKeys('', metadata).map((key) => key.slice(key.lastIndexOf('.')))).toEqual([
      '.log',
      '.index',
      '.timeindex',
      '.leader-epoch-checkpoint',
      '.snapshot',
    ]);
  });
});
