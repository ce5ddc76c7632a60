import {
  defaultLogConfig,
  InvalidConfigError,
  LeaderEpochCache,
  LruCache,
  parseLogConfig,
  selectRetention,
  shouldFlush,
  shouldRoll,
  formatCheckpoint,
  parseCheckpoint,
  lookupOffsetIndex,
  checkOffsetIndexStructure,
  SegmentIndexer,
  NEVER,
} from '@sluice/log';

const config = { ...defaultLogConfig, segmentBytes: 1_000, segmentMs: 100, retentionMs: 1_000, retentionBytes: -1 };

describe('roll policy', () => {
  const base = {
    segmentSizeBytes: 500,
    segmentBaseOffset: 0,
    segmentActiveSinceMs: 0,
    indexFull: false,
    appendSizeBytes: 100,
    appendLastOffset: 10,
    nowMs: 50,
  };
  it('rolls on size, time, index-full and relative offset overflow; never an empty segment for size/time', () => {
    expect(shouldRoll(base, config)).toBeNull();
    expect(shouldRoll({ ...base, appendSizeBytes: 501 }, config)).toBe('size');
    expect(shouldRoll({ ...base, appendSizeBytes: 500 }, config)).toBeNull();
    expect(shouldRoll({ ...base, nowMs: 100 }, config)).toBe('time');
    expect(shouldRoll({ ...base, indexFull: true }, config)).toBe('index-full');
    expect(shouldRoll({ ...base, appendLastOffset: 2 ** 31 }, config)).toBe('offset-overflow');
    expect(shouldRoll({ ...base, segmentSizeBytes: 0, nowMs: 10_000, appendSizeBytes: 999 }, config)).toBeNull();
  });
});

describe('flush policy', () => {
  it('flushes after flush.messages records or once the oldest unflushed append is flush.ms old', () => {
    const policy = { ...config, flushMessages: 10, flushMs: 500 };
    expect(shouldFlush({ unflushedMessages: 0, oldestUnflushedAppendMs: null }, policy, 10_000)).toBe(false);
    expect(shouldFlush({ unflushedMessages: 9, oldestUnflushedAppendMs: 0 }, policy, 499)).toBe(false);
    expect(shouldFlush({ unflushedMessages: 10, oldestUnflushedAppendMs: 0 }, policy, 0)).toBe(true);
    expect(shouldFlush({ unflushedMessages: 1, oldestUnflushedAppendMs: 0 }, policy, 500)).toBe(true);
    expect(shouldFlush({ unflushedMessages: 1, oldestUnflushedAppendMs: 0 }, defaultLogConfig, 10 ** 12)).toBe(false);
  });
});

describe('retention selection', () => {
  const segments = [
    { baseOffset: 0, sizeBytes: 100, largestTimestampMs: 1_000 },
    { baseOffset: 10, sizeBytes: 100, largestTimestampMs: 5_000 },
    { baseOffset: 20, sizeBytes: 100, largestTimestampMs: 2_000 },
  ];
  const next = [10, 20, 30];
  it('deletes the expired prefix by time, stopping at the first young segment', () => {
    expect(selectRetention(segments, next, 350, 0, config, 2_001)).toEqual({ deleteCount: 1, reason: 'time' });
    expect(selectRetention(segments, next, 350, 0, config, 6_001)).toEqual({ deleteCount: 3, reason: 'time' });
    expect(selectRetention(segments, next, 350, 0, { ...config, retentionMs: -1 }, 10 ** 9).deleteCount).toBe(0);
  });
  it('deletes oldest segments while the log stays at or above retention.bytes', () => {
    const bySize = { ...config, retentionMs: -1, retentionBytes: 150 };
    expect(selectRetention(segments, next, 350, 0, bySize, 0)).toEqual({ deleteCount: 2, reason: 'size' });
    expect(selectRetention(segments, next, 350, 0, { ...bySize, retentionBytes: 350 }, 0).deleteCount).toBe(0);
    expect(selectRetention(segments, next, 350, 0, { ...bySize, retentionBytes: 0 }, 0).deleteCount).toBe(3);
  });
  it('deletes segments wholly below the log start offset', () => {
    expect(selectRetention(segments, next, 350, 20, { ...config, retentionMs: -1 }, 0)).toEqual({
      deleteCount: 2,
      reason: 'log-start-offset',
    });
  });
});

describe('leader epoch cache', () => {
  it('assigns only newer epochs and drops non-monotonic entries', () => {
    const cache = new LeaderEpochCache();
    expect(cache.assign(1, 0)).toBe(true);
    expect(cache.assign(1, 5)).toBe(false);
    expect(cache.assign(0, 7)).toBe(false);
    expect(cache.assign(3, 10)).toBe(true);
    expect(cache.assign(4, 10)).toBe(true);
    expect(cache.entries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 4, startOffset: 10 },
    ]);
  });
  it('truncates from the end and from the start', () => {
    const cache = new LeaderEpochCache([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
      { epoch: 5, startOffset: 20 },
    ]);
    expect(cache.truncateFromEnd(20)).toBe(true);
    expect(cache.entries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 10 },
    ]);
    expect(cache.truncateFromStart(15)).toBe(true);
    expect(cache.entries()).toEqual([{ epoch: 2, startOffset: 15 }]);
    expect(cache.truncateFromStart(3)).toBe(false);
  });
  it('answers OffsetForLeaderEpoch like Kafka', () => {
    const cache = new LeaderEpochCache([
      { epoch: 2, startOffset: 5 },
      { epoch: 4, startOffset: 10 },
      { epoch: 7, startOffset: 20 },
    ]);
    expect(cache.endOffsetFor(7, 33)).toEqual({ epoch: 7, endOffset: 33 }); // latest: log end offset
    expect(cache.endOffsetFor(4, 33)).toEqual({ epoch: 4, endOffset: 20 });
    expect(cache.endOffsetFor(5, 33)).toEqual({ epoch: 4, endOffset: 20 }); // unknown epoch between: floor epoch, next start
    expect(cache.endOffsetFor(1, 33)).toEqual({ epoch: 1, endOffset: 5 }); // older than all
    expect(cache.endOffsetFor(9, 33)).toEqual({ epoch: -1, endOffset: -1 }); // newer than all
    expect(cache.endOffsetFor(-1, 33)).toEqual({ epoch: -1, endOffset: -1 });
  });
  it('round-trips the leader-epoch-checkpoint text format', () => {
    const text = formatCheckpoint([
      [2, 5],
      [4, 10],
    ]);
    expect(text).toBe('0\n2\n2 5\n4 10\n');
    expect(parseCheckpoint(text, 2)).toEqual([
      [2, 5],
      [4, 10],
    ]);
    expect(() => parseCheckpoint('0\n3\n2 5\n', 2)).toThrow(/expected 3 entries/);
    expect(() => parseCheckpoint('1\n0\n', 2)).toThrow(/version/);
  });
});

describe('log config', () => {
  it('has Kafka defaults in one place', () => {
    expect(defaultLogConfig).toMatchObject({
      segmentBytes: 1_073_741_824,
      segmentMs: 604_800_000,
      indexIntervalBytes: 4_096,
      retentionMs: 604_800_000,
      retentionBytes: -1,
      maxMessageBytes: 1_048_588,
    });
  });
  it('maps Kafka names, with the finer retention unit winning', () => {
    expect(parseLogConfig({ 'log.retention.hours': '1' }).retentionMs).toBe(3_600_000);
    expect(parseLogConfig({ 'log.retention.hours': '1', 'log.retention.ms': '5' }).retentionMs).toBe(5);
    expect(parseLogConfig({ 'retention.ms': '-1', 'segment.bytes': '4096', 'flush.messages': '1' })).toMatchObject({
      retentionMs: -1,
      segmentBytes: 4096,
      flushMessages: 1,
    });
    expect(parseLogConfig({ 'min.insync.replicas': '2' })).toEqual(defaultLogConfig);
    expect(defaultLogConfig.recoveryPointCheckpointIntervalMs).toBe(60_000);
    expect(parseLogConfig({ 'log.flush.offset.checkpoint.interval.ms': '0' }).recoveryPointCheckpointIntervalMs).toBe(
      0,
    );
  });
  it('rejects bad values with InvalidConfigError naming the key', () => {
    expect(() => parseLogConfig({ 'segment.bytes': 'big' })).toThrow(InvalidConfigError);
    expect(() => parseLogConfig({ 'segment.bytes': '10' })).toThrow(/segment.bytes/);
    expect(() => parseLogConfig({ 'retention.bytes': '-2' })).toThrow(/retention.bytes/);
    expect(() => parseLogConfig({ 'flush.messages': '0' })).toThrow(InvalidConfigError);
    // Kafka's describe shows "never" as Long.MAX_VALUE; a topic set to it must not be refused.
    expect(
      parseLogConfig({ 'flush.messages': '9223372036854775807', 'flush.ms': '9223372036854775807' }),
    ).toMatchObject({
      flushMessages: NEVER,
      flushMs: NEVER,
    });
    expect(() => parseLogConfig({ 'log.flush.offset.checkpoint.interval.ms': '-1' })).toThrow(
      /log.flush.offset.checkpoint.interval.ms/,
    );
    expect(() => parseLogConfig({ 'log.roll.hours': '99999999999999999' })).toThrow(InvalidConfigError);
  });
});

describe('indexes and caches', () => {
  it('indexes a batch once more than index.interval.bytes were written since the last entry', () => {
    const indexer = new SegmentIndexer(100, 150, 1_000);
    for (let i = 0; i < 6; i++) indexer.onBatch(100 + i * 2, 10 + i, i * 100, 100);
    // entries for batches at 200 and 400 (after >150 bytes each time)
    expect(lookupOffsetIndex(indexer.offsets.bytes(), indexer.offsets.count, 100, 107)).toEqual({
      offset: 104,
      position: 200,
    });
    expect(lookupOffsetIndex(indexer.offsets.bytes(), indexer.offsets.count, 100, 103)).toBeNull();
    expect(checkOffsetIndexStructure(indexer.offsets.bytes(), 600)).toBeNull();
    expect(checkOffsetIndexStructure(indexer.offsets.bytes(), 300)?.reason).toMatch(/beyond log size/);
    indexer.finish();
    expect(indexer.lastTimeEntry()).toEqual({ timestampMs: 15, offset: 110 });
  });
  it('stops adding entries when the index is full (the log rolls before the next append)', () => {
    const indexer = new SegmentIndexer(0, 0, 16);
    for (let i = 0; i < 10; i++) indexer.onBatch(i, i, i * 100, 100);
    expect(indexer.offsets.count).toBe(2);
    expect(indexer.isFull).toBe(true);
  });
  it('LRU cache evicts by weight and calls back', () => {
    const evicted: string[] = [];
    const cache = new LruCache<number>(10, (key) => evicted.push(key));
    cache.set('a', 1, 4);
    cache.set('b', 2, 4);
    cache.get('a');
    cache.set('c', 3, 4);
    expect(evicted).toEqual(['b']);
    expect(cache.set('huge', 4, 11)).toBe(false);
    expect(cache.weight).toBe(8);
  });
});
