import fc from 'fast-check';
import {
  groupForCopy,
  mergeForCopy,
  localDeletionBound,
  selectRemoteDeletions,
  selectSegmentsToCopy,
  type RemoteSegmentMetadata,
} from '../src';

const segments = [
  { baseOffset: 0, nextOffset: 100 },
  { baseOffset: 100, nextOffset: 200 },
  { baseOffset: 200, nextOffset: 300 },
  { baseOffset: 300, nextOffset: 320 }, // active
];

function remote(
  startOffset: number,
  endOffset: number,
  maxTimestampMs: number,
  segmentSizeBytes = 1000,
): RemoteSegmentMetadata {
  return {
    id: { topicId: 't', topic: 'orders', partition: 0, uploadId: `u${startOffset}` },
    startOffset,
    endOffset,
    maxTimestampMs,
    leaderEpoch: 0,
    segmentSizeBytes,
    segmentLeaderEpochs: [[0, startOffset]],
    brokerId: 1,
  };
}

describe('copy decisions', () => {
  it('copies rolled segments wholly below the high watermark, above what is remote, bounded per run', () => {
    expect(selectSegmentsToCopy(segments, 320, -1, 16).map((s) => s.baseOffset)).toEqual([0, 100, 200]);
    expect(selectSegmentsToCopy(segments, 250, -1, 16).map((s) => s.baseOffset)).toEqual([0, 100]);
    expect(selectSegmentsToCopy(segments, 320, 99, 16).map((s) => s.baseOffset)).toEqual([100, 200]);
    expect(selectSegmentsToCopy(segments, 320, -1, 1).map((s) => s.baseOffset)).toEqual([0]);
    // A segment straddling the highest copied offset is copied whole (another leader's segments).
    expect(selectSegmentsToCopy(segments, 320, 150, 16).map((s) => s.baseOffset)).toEqual([100, 200]);
    expect(selectSegmentsToCopy(segments, 320, 199, 16).map((s) => s.baseOffset)).toEqual([200]);
    // The active segment never, even wholly below the high watermark.
    expect(selectSegmentsToCopy(segments, 1000, 299, 16)).toEqual([]);
    expect(() => selectSegmentsToCopy(segments, 320, -1, 0)).toThrow(RangeError);
  });

  it('on a compacted topic copies only what the cleaner has passed, skipping emptied segments', () => {
    const sized = [
      { baseOffset: 0, nextOffset: 100, sizeBytes: 500 },
      { baseOffset: 100, nextOffset: 200, sizeBytes: 0 }, // every record superseded
      { baseOffset: 200, nextOffset: 300, sizeBytes: 700 },
      { baseOffset: 300, nextOffset: 320 }, // active
    ];
    // The cleaner has not run: nothing is copied, whatever the high watermark.
    expect(selectSegmentsToCopy(sized, 320, -1, 16, { cleanedBelowOffset: null })).toEqual([]);
    expect(selectSegmentsToCopy(sized, 320, -1, 16, { cleanedBelowOffset: 100 }).map((s) => s.baseOffset)).toEqual([0]);
    expect(selectSegmentsToCopy(sized, 320, -1, 16, { cleanedBelowOffset: 300 }).map((s) => s.baseOffset)).toEqual([
      0, 200,
    ]);
    // The high watermark still bounds it, and the per-run bound counts only what is copied.
    expect(selectSegmentsToCopy(sized, 250, -1, 16, { cleanedBelowOffset: 300 }).map((s) => s.baseOffset)).toEqual([0]);
    expect(selectSegmentsToCopy(sized, 320, 99, 1, { cleanedBelowOffset: 300 }).map((s) => s.baseOffset)).toEqual([
      200,
    ]);
    // Not compacted: sizes are not looked at.
    expect(selectSegmentsToCopy(sized, 320, -1, 16).map((s) => s.baseOffset)).toEqual([0, 100, 200]);
  });

  it('never picks a compacted segment above the cleaner checkpoint or the high watermark, nor an empty one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ length: fc.integer({ min: 1, max: 50 }), sizeBytes: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 0, max: 700 }),
        fc.option(fc.integer({ min: 0, max: 700 })),
        fc.integer({ min: -1, max: 700 }),
        fc.integer({ min: 1, max: 5 }),
        (shape, highWatermark, cleanedBelowOffset, highestCopied, max) => {
          let base = 0;
          const local = shape.map(({ length, sizeBytes }) => {
            const segment = { baseOffset: base, nextOffset: base + length, sizeBytes };
            base += length;
            return segment;
          });
          const chosen = selectSegmentsToCopy(local, highWatermark, highestCopied, max, { cleanedBelowOffset });
          const eligible = local
            .slice(0, -1)
            .filter(
              (s) =>
                s.nextOffset <= Math.min(highWatermark, cleanedBelowOffset ?? -1) &&
                s.nextOffset - 1 > highestCopied &&
                s.sizeBytes > 0,
            );
          expect(chosen).toEqual(eligible.slice(0, max));
        },
      ),
    );
  });

  it('local deletion stops at what is durably copied', () => {
    expect(localDeletionBound(-1, 320)).toBe(0);
    expect(localDeletionBound(199, 320)).toBe(200);
    expect(localDeletionBound(199, 150)).toBe(150);
  });
});

describe('total retention over local + remote', () => {
  const copied = [remote(0, 99, 1_000), remote(100, 199, 2_000), remote(200, 299, 3_000)];

  it('deletes by time (largest timestamp), oldest first, and moves the log start past them', () => {
    const plan = selectRemoteDeletions(copied, 0, 3000, 0, { retentionMs: 1_500, retentionBytes: -1 }, 3_600);
    expect(plan.segments.map((s) => s.startOffset)).toEqual([0, 100]);
    expect(plan.newLogStartOffset).toBe(200);
    expect(plan.reason).toBe('time');
  });

  it('deletes by size over local + remote', () => {
    // 3000 remote-only + 1500 local = 4500 > 2600: 1900 excess, one 1000-byte segment fits in it.
    const plan = selectRemoteDeletions(copied, 1500, 3000, 0, { retentionMs: -1, retentionBytes: 2600 }, 0);
    expect(plan.segments.map((s) => s.startOffset)).toEqual([0]);
    expect(plan.reason).toBe('size');
    expect(selectRemoteDeletions(copied, 0, 3000, 0, { retentionMs: -1, retentionBytes: 3000 }, 0).segments).toEqual(
      [],
    );
  });

  it('deletes what lies below the log start offset, and nothing under unlimited retention', () => {
    expect(
      selectRemoteDeletions(copied, 0, 3000, 150, { retentionMs: -1, retentionBytes: -1 }, 0).segments.length,
    ).toBe(1);
    expect(selectRemoteDeletions(copied, 0, 3000, 0, { retentionMs: -1, retentionBytes: -1 }, 1e12)).toEqual({
      segments: [],
      newLogStartOffset: null,
      reason: null,
    });
  });
});

describe('groupForCopy', () => {
  const MiB = 1024 * 1024;
  const sized = (sizes: number[]): Array<{ baseOffset: number; sizeBytes: number }> =>
    sizes.map((sizeBytes, i) => ({ baseOffset: i * 100, sizeBytes }));

  it('puts small segments in groups of maxSegments, larger ones within maxBytes, an oversized one alone', () => {
    expect(groupForCopy(sized(Array(20).fill(MiB)), 16, 64 * MiB).map((g) => g.length)).toEqual([16, 4]);
    expect(groupForCopy(sized(Array(9).fill(16 * MiB)), 16, 64 * MiB).map((g) => g.length)).toEqual([4, 4, 1]);
    expect(groupForCopy(sized([MiB, 100 * MiB, MiB, MiB]), 16, 64 * MiB).map((g) => g.length)).toEqual([1, 1, 2]);
    expect(groupForCopy([], 16, 64 * MiB)).toEqual([]);
  });

  it('refuses bounds that are not positive integers', () => {
    expect(() => groupForCopy(sized([1]), 0, 1)).toThrow(RangeError);
    expect(() => groupForCopy(sized([1]), 1, 0)).toThrow(RangeError);
    expect(() => groupForCopy(sized([1]), 1.5, 1)).toThrow(RangeError);
  });

  it('keeps every segment once, in order, each group within its bounds unless it is one segment', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 500 }),
        (sizes, maxSegments, maxBytes) => {
          const segments = sized(sizes);
          const groups = groupForCopy(segments, maxSegments, maxBytes);
          expect(groups.flat()).toEqual(segments);
          for (const group of groups) {
            expect(group.length).toBeGreaterThan(0);
            expect(group.length).toBeLessThanOrEqual(maxSegments);
            if (group.length > 1) expect(group.reduce((sum, s) => sum + s.sizeBytes, 0)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });
});

describe('mergeForCopy', () => {
  const KiB = 1024;
  /** Consecutive segments of these sizes, 100 offsets each. */
  const consecutive = (sizes: number[]): Array<{ baseOffset: number; nextOffset: number; sizeBytes: number }> =>
    sizes.map((sizeBytes, i) => ({ baseOffset: i * 100, nextOffset: (i + 1) * 100, sizeBytes }));
  const bases = (runs: Array<Array<{ baseOffset: number }>>): number[][] =>
    runs.map((run) => run.map((segment) => segment.baseOffset));

  it('merges consecutive segments while their bytes fit; a segment of maxBytes or more goes alone; 0 merges nothing', () => {
    const sizes = [KiB, KiB, KiB, KiB, KiB, 4 * KiB, KiB, 3 * KiB, KiB];
    expect(bases(mergeForCopy(consecutive(sizes), 4 * KiB))).toEqual([
      [0, 100, 200, 300],
      [400],
      [500],
      [600, 700],
      [800],
    ]);
    expect(bases(mergeForCopy(consecutive(sizes), 0))).toEqual(sizes.map((_, i) => [i * 100]));
    expect(mergeForCopy([], 4 * KiB)).toEqual([]);
    expect(() => mergeForCopy(consecutive(sizes), -1)).toThrow(RangeError);
    expect(() => mergeForCopy(consecutive(sizes), 1.5)).toThrow(RangeError);
  });

  it('never merges across a gap (a compacted topic skips empty segments)', () => {
    const withGap = [
      { baseOffset: 0, nextOffset: 100, sizeBytes: KiB },
      { baseOffset: 200, nextOffset: 300, sizeBytes: KiB },
      { baseOffset: 300, nextOffset: 400, sizeBytes: KiB },
    ];
    expect(bases(mergeForCopy(withGap, 64 * KiB))).toEqual([[0], [200, 300]]);
  });

  it('keeps every segment once, in order, each run consecutive and within maxBytes unless alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10 * KiB }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 32 * KiB }),
        (sizes, maxBytes) => {
          const input = consecutive(sizes);
          const runs = mergeForCopy(input, maxBytes);
          expect(runs.flat()).toEqual(input);
          for (const run of runs) {
            const bytes = run.reduce((sum, segment) => sum + segment.sizeBytes, 0);
            if (run.length > 1) expect(bytes).toBeLessThanOrEqual(maxBytes);
            for (let i = 1; i < run.length; i++) expect(run[i]!.baseOffset).toBe(run[i - 1]!.nextOffset);
          }
          // Greedy: a run ends only where the next segment would not fit.
          for (let i = 1; i < runs.length; i++) {
            const previous = runs[i - 1]!.reduce((sum, segment) => sum + segment.sizeBytes, 0);
            expect(previous + runs[i]![0]!.sizeBytes).toBeGreaterThan(maxBytes);
          }
        },
      ),
    );
  });
});
