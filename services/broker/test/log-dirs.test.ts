import fc from 'fast-check';
import { describeLogDir, MAX_LOG_DIRS_TOPICS, offsetLag, type LogDirState } from '../src/core/log-dirs';

const DIR: LogDirState = {
  path: '/data/broker-1',
  offlineReason: null,
  space: { totalBytes: 10_000, usableBytes: 4_000 },
  replicas: [
    { topic: 'orders', partition: 1, sizeBytes: 300, logEndOffset: 30, highWatermark: 30 },
    { topic: 'orders', partition: 0, sizeBytes: 200, logEndOffset: 20, highWatermark: 25 },
    { topic: 'audit', partition: 0, sizeBytes: 100, logEndOffset: 10, highWatermark: 8 },
  ],
};

describe('describeLogDir (Kafka DescribeLogDirs)', () => {
  it('lists every replica when no topic is named, topics by name and partitions by index, with the space', () => {
    expect(describeLogDir(DIR, { topics: [] })).toEqual({
      logDir: '/data/broker-1',
      errorName: '',
      errorMessage: '',
      totalBytes: 10_000,
      usableBytes: 4_000,
      topics: [
        { name: 'audit', partitions: [{ partition: 0, sizeBytes: 100, offsetLag: 0, isFuture: false }] },
        {
          name: 'orders',
          partitions: [
            { partition: 0, sizeBytes: 200, offsetLag: 5, isFuture: false },
            { partition: 1, sizeBytes: 300, offsetLag: 0, isFuture: false },
          ],
        },
      ],
    });
  });

  it('answers only what is named; a topic without partitions means all of it; what is not here is left out', () => {
    const answer = describeLogDir(DIR, {
      topics: [
        { name: 'orders', partitions: [1, 7] },
        { name: 'audit', partitions: [] },
        { name: 'missing', partitions: [] },
      ],
    });
    expect(answer.topics).toEqual([
      { name: 'audit', partitions: [{ partition: 0, sizeBytes: 100, offsetLag: 0, isFuture: false }] },
      { name: 'orders', partitions: [{ partition: 1, sizeBytes: 300, offsetLag: 0, isFuture: false }] },
    ]);
  });

  it('names the same topic twice as the union, and "all" wins over a list', () => {
    const answer = describeLogDir(DIR, {
      topics: [
        { name: 'orders', partitions: [0] },
        { name: 'orders', partitions: [1] },
        { name: 'audit', partitions: [] },
        { name: 'audit', partitions: [5] },
      ],
    });
    expect(answer.topics.map((t) => [t.name, t.partitions.map((p) => p.partition)])).toEqual([
      ['audit', [0]],
      ['orders', [0, 1]],
    ]);
  });

  it('says KAFKA_STORAGE_ERROR for an offline directory and lists none of its partitions', () => {
    const answer = describeLogDir({ ...DIR, offlineReason: 'fsync failed: EIO' }, { topics: [] });
    expect(answer).toMatchObject({ errorName: 'KAFKA_STORAGE_ERROR', topics: [], totalBytes: 10_000 });
    expect(answer.errorMessage).toContain('fsync failed: EIO');
  });

  it('says -1 for space it could not read, the sizes still listed', () => {
    const answer = describeLogDir({ ...DIR, space: null }, { topics: [{ name: 'audit', partitions: [] }] });
    expect([answer.totalBytes, answer.usableBytes, answer.topics[0]!.partitions[0]!.sizeBytes]).toEqual([-1, -1, 100]);
  });

  it('refuses bad input by Kafka name before reading anything', () => {
    const refuse = (topics: { name: string; partitions: number[] }[]) => () => describeLogDir(DIR, { topics });
    expect(refuse([{ name: '', partitions: [] }])).toThrow(
      expect.objectContaining({ errorName: 'INVALID_TOPIC_EXCEPTION' }),
    );
    expect(refuse([{ name: 'orders', partitions: [-1] }])).toThrow(
      expect.objectContaining({ errorName: 'INVALID_REQUEST' }),
    );
    const tooMany = Array.from({ length: MAX_LOG_DIRS_TOPICS + 1 }, (_, i) => ({ name: `t${i}`, partitions: [] }));
    expect(refuse(tooMany)).toThrow(expect.objectContaining({ errorName: 'INVALID_REQUEST' }));
  });

  it('offset lag is the high watermark minus the log end, never negative (a leader is ahead of its high watermark)', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.nat(1_000_000), (logEndOffset, highWatermark) => {
        const lag = offsetLag({ logEndOffset, highWatermark });
        expect(lag).toBe(highWatermark > logEndOffset ? highWatermark - logEndOffset : 0);
      }),
    );
  });

  it('every replica named is answered exactly once, and nothing unnamed is', () => {
    const replicas = fc.uniqueArray(
      fc.record({ topic: fc.constantFrom('a', 'b', 'c'), partition: fc.nat(5), sizeBytes: fc.nat(1_000) }),
      { selector: (r) => `${r.topic}-${r.partition}` },
    );
    const asked = fc.array(
      fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), partitions: fc.array(fc.nat(6), { maxLength: 3 }) }),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(replicas, asked, (list, topics) => {
        const answer = describeLogDir(
          { ...DIR, replicas: list.map((r) => ({ ...r, logEndOffset: 0, highWatermark: 0 })) },
          { topics },
        );
        const answered = answer.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partition}`));
        const wanted = list
          .filter(
            (r) =>
              topics.length === 0 ||
              topics.some(
                (t) => t.name === r.topic && (t.partitions.length === 0 || t.partitions.includes(r.partition)),
              ),
          )
          .map((r) => `${r.topic}-${r.partition}`);
        expect([...answered].sort()).toEqual([...wanted].sort());
        expect(new Set(answered).size).toBe(answered.length);
      }),
    );
  });
});
