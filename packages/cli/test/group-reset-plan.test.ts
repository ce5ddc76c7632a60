/**
 * `sluice group reset-offsets` without a cluster: the pure plan (targets, clamping to the log's
 * range, --shift-by without a commit), the flag validation (exit 2 with a clear message), and the
 * describe rows' lag.
 */
import { ExitCode, runCli, type CliIo } from '@sluice/cli';
import { ApiError } from '@sluice/protocol';
import { partitionLags, formatTable } from '../src/group-format';
import {
  parseIsoDateTime,
  parseTopicSelection,
  planOffsetReset,
  resetRequest,
  type PartitionOffsets,
} from '../src/group-reset-plan';

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (text) => void (out += text), err: (text) => void (err += text), stdout: () => out, stderr: () => err };
}

// p0: committed 50 of [10, 100); p1: nothing committed, [0, 20); p2: empty log at 7.
const partitions: PartitionOffsets[] = [
  { topic: 't', partition: 1, committed: null, logStart: 0, logEnd: 20, offsetForTime: 5 },
  { topic: 't', partition: 0, committed: 50, logStart: 10, logEnd: 100, offsetForTime: 42 },
  { topic: 't', partition: 2, committed: 7, logStart: 7, logEnd: 7, offsetForTime: -1 },
];

const newOffsets = (plan: ReturnType<typeof planOffsetReset>): number[] => plan.map((p) => p.newOffset);

describe('planOffsetReset', () => {
  it('sorts by topic and partition and keeps the current offset', () => {
    const plan = planOffsetReset(partitions, { kind: 'earliest' });
    expect(plan.map((p) => [p.topic, p.partition, p.currentOffset])).toEqual([
      ['t', 0, 50],
      ['t', 1, null],
      ['t', 2, 7],
    ]);
  });

  it('--to-earliest is the log start, --to-latest the log end', () => {
    expect(newOffsets(planOffsetReset(partitions, { kind: 'earliest' }))).toEqual([10, 0, 7]);
    expect(newOffsets(planOffsetReset(partitions, { kind: 'latest' }))).toEqual([100, 20, 7]);
  });

  it('--to-offset is clamped into [log start, log end]', () => {
    expect(newOffsets(planOffsetReset(partitions, { kind: 'offset', offset: 15 }))).toEqual([15, 15, 7]);
    expect(newOffsets(planOffsetReset(partitions, { kind: 'offset', offset: 5 }))).toEqual([10, 5, 7]);
    expect(newOffsets(planOffsetReset(partitions, { kind: 'offset', offset: 1_000 }))).toEqual([100, 20, 7]);
  });

  it('--shift-by moves the committed offset, clamped both ways', () => {
    const committedOnly = partitions.filter((p) => p.committed !== null);
    expect(newOffsets(planOffsetReset(committedOnly, { kind: 'shift-by', shift: -10 }))).toEqual([40, 7]);
    expect(newOffsets(planOffsetReset(committedOnly, { kind: 'shift-by', shift: -100 }))).toEqual([10, 7]);
    expect(newOffsets(planOffsetReset(committedOnly, { kind: 'shift-by', shift: 70 }))).toEqual([100, 7]);
  });

  it('--shift-by refuses a partition without a committed offset, naming it', () => {
    let thrown: unknown;
    try {
      planOffsetReset(partitions, { kind: 'shift-by', shift: 1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect((thrown as ApiError).errorName).toBe('INVALID_REQUEST');
    expect((thrown as ApiError).message).toContain('t-1');
  });

  it('--to-datetime takes the offset for the time, or the log end when no record is that late', () => {
    expect(newOffsets(planOffsetReset(partitions, { kind: 'datetime', timestampMs: 1 }))).toEqual([42, 5, 7]);
    const clamped = planOffsetReset(
      [{ topic: 'u', partition: 0, committed: null, logStart: 30, logEnd: 40, offsetForTime: 12 }],
      { kind: 'datetime', timestampMs: 1 },
    );
    expect(newOffsets(clamped)).toEqual([30]);
  });

  it('rejects an inverted log range rather than planning from it', () => {
    expect(() =>
      planOffsetReset([{ topic: 't', partition: 0, committed: null, logStart: 5, logEnd: 4 }], { kind: 'latest' }),
    ).toThrow(RangeError);
  });
});

describe('reset-offsets flags', () => {
  it('parses topics with and without partitions, merging repeats', () => {
    expect(parseTopicSelection('orders')).toEqual({ topic: 'orders' });
    expect(parseTopicSelection('orders:2,0,2')).toEqual({ topic: 'orders', partitions: [0, 2] });
    const request = resetRequest({ topic: ['a:1', 'a:0', 'b', 'b:3'], toLatest: true });
    expect(request.scope).toEqual({ kind: 'topics', topics: [{ topic: 'a', partitions: [0, 1] }, { topic: 'b' }] });
    expect(request.execute).toBe(false);
  });

  it('parses each target', () => {
    expect(resetRequest({ allTopics: true, toEarliest: true }).target).toEqual({ kind: 'earliest' });
    expect(resetRequest({ allTopics: true, shiftBy: '-5' }).target).toEqual({ kind: 'shift-by', shift: -5 });
    expect(resetRequest({ allTopics: true, toOffset: '12', execute: true })).toEqual({
      scope: { kind: 'all-topics' },
      target: { kind: 'offset', offset: 12 },
      execute: true,
    });
    expect(resetRequest({ allTopics: true, toDatetime: '2026-11-23T10:00:00Z' }).target).toEqual({
      kind: 'datetime',
      timestampMs: Date.UTC(2026, 10, 23, 10),
    });
    expect(parseIsoDateTime('2026-11-23T10:00:00.250+01:00')).toBe(Date.UTC(2026, 10, 23, 9, 0, 0, 250));
  });

  it.each([
    [{ topic: ['t'] }, 'needs one of --to-earliest'],
    [{ topic: ['t'], toEarliest: true, toLatest: true }, '--to-earliest and --to-latest exclude each other'],
    [{ topic: ['t'], toOffset: '1', shiftBy: '1' }, '--shift-by and --to-offset exclude each other'],
    [{ toEarliest: true }, 'needs --topic'],
    [{ topic: ['t'], allTopics: true, toEarliest: true }, '--topic and --all-topics exclude each other'],
    [{ topic: ['t'], toEarliest: true, execute: true, dryRun: true }, '--dry-run and --execute exclude each other'],
    [{ topic: ['t'], toOffset: '-1' }, '--to-offset must be a non-negative integer'],
    [{ topic: ['t'], shiftBy: 'x' }, '--shift-by must be'],
    [{ topic: ['t'], toDatetime: 'yesterday' }, '--to-datetime must be an ISO-8601 time'],
    [{ topic: ['t:'], toEarliest: true }, "list partitions after ':'"],
    [{ topic: ['t:1,x'], toEarliest: true }, 'partition must be'],
    [{ topic: [':1'], toEarliest: true }, 'needs a topic name'],
  ])('refuses %j', (flags, message) => {
    expect(() => resetRequest(flags)).toThrow(message);
  });

  it('is exit 2 with the message, before any connection', async () => {
    const io = capture();
    const argv = [
      'group',
      'reset-offsets',
      'g',
      '--topic',
      't',
      '--to-earliest',
      '--to-latest',
      '--bootstrap',
      '127.0.0.1:1',
      '--coordinators',
      '127.0.0.1:1',
    ];
    expect(await runCli(argv, io)).toBe(ExitCode.USAGE);
    expect(io.stderr()).toContain('--to-earliest and --to-latest exclude each other');
    const negative = capture();
    expect(
      await runCli(
        ['group', 'reset-offsets', 'g', '--all-topics', '--shift-by', 'abc', '--coordinators', '127.0.0.1:1'],
        negative,
      ),
    ).toBe(ExitCode.USAGE);
    expect(negative.stderr()).toContain('--shift-by must be');
    const missing = capture();
    expect(await runCli(['group', 'describe'], missing)).toBe(ExitCode.USAGE);
  });

  it('takes a negative --shift-by as the flag value', async () => {
    // commander must hand "-3" to --shift-by (not read it as a flag): the contradiction found is then the targets'.
    const io = capture();
    expect(
      await runCli(
        [
          'group',
          'reset-offsets',
          'g',
          '--all-topics',
          '--shift-by',
          '-3',
          '--to-earliest',
          '--coordinators',
          '127.0.0.1:1',
        ],
        io,
      ),
    ).toBe(ExitCode.USAGE);
    expect(io.stderr()).toContain('--to-earliest and --shift-by exclude each other');
  });
});

describe('group describe rows', () => {
  it('joins committed offsets, owners and log ends into lag', () => {
    const members = [
      {
        memberId: 'm1',
        clientId: 'c1',
        memberEpoch: 3,
        state: 'STABLE',
        subscribedTopicNames: ['t'],
        assigned: [
          { topic: 't', partition: 1 },
          { topic: 't', partition: 2 },
        ],
        pendingRevocation: [],
        target: [],
      },
    ];
    const committed = [
      { topic: 't', partition: 0, offset: 4, leaderEpoch: -1, metadata: '' },
      { topic: 't', partition: 1, offset: 9, leaderEpoch: -1, metadata: '' },
      { topic: 'gone', partition: 0, offset: 3, leaderEpoch: -1, metadata: '' },
    ];
    const ends = new Map([
      ['t\u00000', 10],
      ['t\u00001', 9],
      ['t\u00002', 5],
    ]);
    expect(partitionLags({ members }, committed, ends)).toEqual([
      { topic: 'gone', partition: 0, currentOffset: 3, logEndOffset: null, lag: null, memberId: null, clientId: null },
      { topic: 't', partition: 0, currentOffset: 4, logEndOffset: 10, lag: 6, memberId: null, clientId: null },
      { topic: 't', partition: 1, currentOffset: 9, logEndOffset: 9, lag: 0, memberId: 'm1', clientId: 'c1' },
      { topic: 't', partition: 2, currentOffset: null, logEndOffset: 5, lag: null, memberId: 'm1', clientId: 'c1' },
    ]);
  });

  it('pads columns and prints - for unknown cells', () => {
    expect(
      formatTable(
        ['A', 'LONGER'],
        [
          ['xyz', null],
          ['1', 2],
        ],
      ),
    ).toBe('A    LONGER\nxyz  -\n1    2\n');
  });
});
