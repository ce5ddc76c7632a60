import { join } from 'node:path';
import fc from 'fast-check';
import {
  defaultLogConfig,
  LogResources,
  OffsetOutOfRangeError,
  PartitionLog,
  readOffsetCheckpoint,
  RecordBatchTooLargeError,
  RECOVERY_POINT_FILE,
  type LogConfig,
} from '@sluice/log';
import { propertyOptions } from '../../../test-support/property';
import { FakeClock, makeBatch, summarize, tempDir } from './helpers';

/**
 * Model-based test: random operation sequences against a real log in a temp dir and against a
 * plain in-memory model (segments of batches), compared after every step.
 */

interface MBatch {
  base: number;
  last: number;
  maxTs: number;
  size: number;
  fill: number;
  epoch: number;
}
interface MSegment {
  base: number;
  batches: MBatch[];
  activeSince: number;
}

class Model {
  segments: MSegment[];
  logStart = 0;
  /**
   * Leader epochs kept as Kafka's LeaderEpochFileCache keeps them, not derived from the batches
   * left: truncation drops the epochs starting at or after the new end, and retention drops those
   * that ended before the new log start and moves the start of the one covering it up to it. So
   * the epoch in force at the log start stays known, starting there, even when an offset gap
   * leaves its first batch higher or none of its batches is left (an empty log after retention).
   */
  epochs: Array<{ epoch: number; startOffset: number }> = [];
  constructor(
    readonly config: LogConfig,
    now: number,
  ) {
    this.segments = [{ base: 0, batches: [], activeSince: now }];
  }
  get active(): MSegment {
    return this.segments[this.segments.length - 1]!;
  }
  get end(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const last = this.segments[i]!.batches.at(-1);
      if (last) return Math.max(last.last + 1, this.active.base);
    }
    return this.active.base;
  }
  size(segment: MSegment): number {
    return segment.batches.reduce((sum, b) => sum + b.size, 0);
  }
  batches(): MBatch[] {
    return this.segments.flatMap((s) => s.batches).filter((b) => b.last >= this.logStart);
  }
  append(batches: MBatch[], now: number): void {
    const total = batches.reduce((sum, b) => sum + b.size, 0);
    const active = this.active;
    const size = this.size(active);
    if (size > 0 && (size + total > this.config.segmentBytes || now - active.activeSince >= this.config.segmentMs)) {
      this.segments.push({ base: batches[0]!.base, batches: [], activeSince: now });
    }
    this.active.batches.push(...batches);
    for (const b of batches) {
      if (b.epoch >= 0 && b.epoch > (this.epochs.at(-1)?.epoch ?? -1))
        this.epochs.push({ epoch: b.epoch, startOffset: b.base });
    }
  }
  roll(now: number): void {
    if (this.size(this.active) > 0) this.segments.push({ base: this.end, batches: [], activeSince: now });
  }
  truncateTo(target: number, now: number): void {
    if (target >= this.end) return;
    if (target < this.logStart) return this.truncateFully(target, now);
    // As Kafka's LocalLog.truncateTo: the segment holding `target` by base offset stays and every
    // later one goes, even when an offset gap (follower, compaction) ends it below `target`; the
    // first batch reaching `target` may sit in a later segment, whose base is above `target`.
    let segIndex = this.segments.length - 1;
    while (segIndex > 0 && this.segments[segIndex]!.base > target) segIndex--;
    const segment = this.segments[segIndex]!;
    const wasActive = segIndex === this.segments.length - 1;
    this.segments.splice(segIndex + 1);
    segment.batches = segment.batches.filter((b) => b.last < target);
    if (!wasActive) segment.activeSince = now;
    const end = this.end;
    this.epochs = this.epochs.filter((e) => e.startOffset < end);
  }
  truncateFully(offset: number, now: number): void {
    this.segments = [{ base: offset, batches: [], activeSince: now }];
    this.logStart = offset;
    this.epochs = [];
  }
  retention(now: number): void {
    const closed = this.segments.slice(0, -1);
    let byTime = 0;
    if (this.config.retentionMs >= 0) {
      while (
        byTime < closed.length &&
        now - Math.max(...closed[byTime]!.batches.map((b) => b.maxTs)) > this.config.retentionMs
      )
        byTime++;
    }
    let bySize = 0;
    if (this.config.retentionBytes >= 0) {
      let excess = this.segments.reduce((sum, s) => sum + this.size(s), 0) - this.config.retentionBytes;
      while (bySize < closed.length && excess - this.size(closed[bySize]!) >= 0) {
        excess -= this.size(closed[bySize]!);
        bySize++;
      }
    }
    const count = Math.max(byTime, bySize);
    if (count === 0) return;
    this.segments.splice(0, count);
    this.logStart = Math.max(this.logStart, this.segments[0]!.base);
    let covering = -1;
    this.epochs.forEach((e, i) => {
      if (e.startOffset <= this.logStart) covering = i;
    });
    if (covering >= 0)
      this.epochs = [
        { epoch: this.epochs[covering]!.epoch, startOffset: this.logStart },
        ...this.epochs.slice(covering + 1),
      ];
  }
  reopened(now: number): void {
    this.active.activeSince = now;
    // Recovery trims the epochs to the log as Kafka's LogLoader does (truncateFromEnd(log end),
    // then truncateFromStart(log start)): an epoch that retention kept at the start of a log it
    // emptied starts at the end, so it does not survive a reopen (in Kafka neither).
    const end = this.end;
    this.epochs = this.epochs.filter((e) => e.startOffset < end);
  }
  /**
   * Recovery after an unclean stop (recovery.ts): a segment at or past the recovery point whose
   * data ends before the next segment's base offset (a follower's offset gap that rolled into a
   * new segment looks just like a power cut that left the segment short) ends the log there;
   * the later segments go. Returns how many such cuts recovery makes (0 or 1).
   */
  recoverUnclean(recoveryPoint: number): number {
    for (let i = 0; i < this.segments.length - 1; i++) {
      const segment = this.segments[i]!;
      const next = this.segments[i + 1]!;
      const end = segment.batches.length === 0 ? segment.base : segment.batches.at(-1)!.last + 1;
      if (end < next.base && end >= recoveryPoint) {
        this.segments.splice(i + 1);
        return 1;
      }
    }
    return 0;
  }
  /** Expected read: batches of one segment from the one holding `offset`. */
  read(offset: number, maxBytes: number, bound: number): number[] {
    if (offset >= bound) return [];
    for (const segment of this.segments) {
      const start = segment.batches.findIndex((b) => b.last >= offset);
      if (start < 0) continue;
      const out: number[] = [];
      let used = 0;
      for (const b of segment.batches.slice(start)) {
        if (b.last >= bound) break;
        if (out.length > 0 && used + b.size > maxBytes) break;
        out.push(b.base);
        used += b.size;
      }
      return out;
    }
    return [];
  }
  offsetForTimestamp(ts: number): number | null {
    const found = this.batches().find((b) => b.maxTs >= ts);
    return found === undefined ? null : Math.max(found.base, this.logStart);
  }
}

type BatchArg = { records: number; payload: number; tsDelta: number };
type Command =
  | { kind: 'append'; batches: BatchArg[] }
  | { kind: 'follower'; gap: number; batches: BatchArg[] }
  | { kind: 'bumpEpoch' }
  | { kind: 'read'; offsetDelta: number; maxBytes: number; boundDelta: number | null }
  | { kind: 'roll' }
  | { kind: 'truncate'; back: number }
  | { kind: 'truncateFully'; ahead: number }
  | { kind: 'retention' }
  | { kind: 'advance'; ms: number }
  | { kind: 'flush' }
  | { kind: 'reopen'; clean: boolean }
  | { kind: 'timestamp'; delta: number };

const batchArg = fc.record({
  records: fc.integer({ min: 1, max: 4 }),
  payload: fc.integer({ min: 1, max: 120 }),
  tsDelta: fc.integer({ min: -5_000, max: 5_000 }),
});
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      batches: fc.array(batchArg, { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('follower' as const),
      gap: fc.integer({ min: 0, max: 3 }),
      batches: fc.array(batchArg, { minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'bumpEpoch' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      offsetDelta: fc.integer({ min: -2, max: 60 }),
      maxBytes: fc.integer({ min: 0, max: 600 }),
      boundDelta: fc.option(fc.integer({ min: -10, max: 2 })),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('truncate' as const), back: fc.integer({ min: 0, max: 30 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('truncateFully' as const), ahead: fc.integer({ min: -3, max: 5 }) }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'retention' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 8_000 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reopen' as const), clean: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('timestamp' as const), delta: fc.integer({ min: -7_000, max: 7_000 }) }),
  },
);
const configArb = fc.record({
  segmentBytes: fc.constantFrom(300, 700, 2_000),
  indexIntervalBytes: fc.constantFrom(0, 60, 250, 4096),
  segmentMs: fc.constantFrom(10_000, 1_000_000),
  retentionMs: fc.constantFrom(-1, 15_000),
  retentionBytes: fc.constantFrom(-1, 900, 3_000),
  flushMessages: fc.constantFrom(defaultLogConfig.flushMessages, 3),
});

function runScenario(configPart: Partial<LogConfig>, commands: Command[]): void {
  const { dir, cleanup } = tempDir('sluice-model-');
  const clock = new FakeClock();
  const resources = new LogResources({ indexCacheBytes: 2_048, maxOpenSegmentFiles: 3 });
  const config: LogConfig = { ...defaultLogConfig, ...configPart };
  const model = new Model(config, clock.now);
  let epoch = 0;
  let fill = 0;
  let log = PartitionLog.open({ dir, config, clock, resources });
  try {
    const build = (args: BatchArg[], firstBase: number): { buffer: Buffer; batches: MBatch[] } => {
      const batches: MBatch[] = [];
      let base = firstBase;
      const parts = args.map((arg) => {
        fill = (fill + 1) % 256;
        const maxTs = Math.max(0, clock.now + arg.tsDelta);
        const buffer = makeBatch({
          baseOffset: base,
          records: arg.records,
          payloadBytes: arg.payload,
          maxTimestampMs: maxTs,
          fill,
          leaderEpoch: epoch,
        });
        batches.push({ base, last: base + arg.records - 1, maxTs, size: buffer.length, fill, epoch });
        base += arg.records;
        return buffer;
      });
      return { buffer: Buffer.concat(parts), batches };
    };
    const compare = (step: string): void => {
      expect({ step, start: log.logStartOffset, end: log.logEndOffset, bases: log.segmentBaseOffsets() }).toEqual({
        step,
        start: model.logStart,
        end: model.end,
        bases: model.segments.map((s) => s.base),
      });
      // Read everything back in small pieces and compare byte-level summaries.
      const actual: Array<[number, number, number]> = [];
      let offset = log.logStartOffset;
      for (let guard = 0; guard < 10_000 && offset < log.logEndOffset; guard++) {
        const result = log.read(offset, 150);
        if (result.batchCount === 0) break;
        const batches = summarize(result.records);
        for (const b of batches) actual.push([b.baseOffset, b.lastOffset, b.fill]);
        offset = batches.at(-1)!.lastOffset + 1;
      }
      expect(actual).toEqual(model.batches().map((b) => [b.base, b.last, b.fill]));
      expect(log.epochEntries()).toEqual(model.epochs);
    };

    compare('open');
    commands.forEach((cmd, i) => {
      const step = `${i}:${cmd.kind}`;
      switch (cmd.kind) {
        case 'append': {
          const { buffer, batches } = build(cmd.batches, model.end);
          if (buffer.length > config.segmentBytes) {
            expect(() => log.append(buffer, { leaderEpoch: epoch })).toThrow(RecordBatchTooLargeError);
            break;
          }
          const info = log.append(buffer, { leaderEpoch: epoch });
          expect(info.firstOffset).toBe(batches[0]!.base);
          model.append(batches, clock.now);
          break;
        }
        case 'follower': {
          const { buffer, batches } = build(cmd.batches, model.end + cmd.gap);
          if (buffer.length > config.segmentBytes) break;
          log.appendAsFollower(buffer);
          model.append(batches, clock.now);
          break;
        }
        case 'bumpEpoch':
          epoch++;
          break;
        case 'read': {
          const offset = model.logStart + cmd.offsetDelta;
          const maxOffset = cmd.boundDelta === null ? undefined : model.end + cmd.boundDelta;
          if (offset < model.logStart || offset > model.end) {
            expect(() => log.read(offset, cmd.maxBytes, { maxOffset })).toThrow(OffsetOutOfRangeError);
            break;
          }
          const result = log.read(offset, cmd.maxBytes, { maxOffset });
          const bound = Math.min(maxOffset ?? model.end, model.end);
          expect(summarize(result.records).map((b) => b.baseOffset)).toEqual(model.read(offset, cmd.maxBytes, bound));
          break;
        }
        case 'roll':
          log.roll();
          model.roll(clock.now);
          break;
        case 'truncate': {
          const target = Math.max(0, model.end - cmd.back);
          log.truncateTo(target);
          model.truncateTo(target, clock.now);
          // Truncation removes every offset >= target: nothing is served or appended above it.
          expect(log.logEndOffset).toBeLessThanOrEqual(target);
          break;
        }
        case 'truncateFully': {
          const target = Math.max(0, model.end + cmd.ahead);
          log.truncateFullyAndStartAt(target);
          model.truncateFully(target, clock.now);
          break;
        }
        case 'retention':
          log.deleteOldSegments();
          model.retention(clock.now);
          break;
        case 'advance':
          clock.advance(cmd.ms);
          log.maybeFlush();
          break;
        case 'flush':
          log.flush();
          expect(log.recoveryPoint).toBe(log.logEndOffset);
          break;
        case 'reopen': {
          if (cmd.clean) log.close();
          else log.abandon();
          // What recovery reads as the flushed prefix (the checkpoint may trail the log's own
          // recovery point) decides what an unclean recovery may cut.
          const recoveryPoint = readOffsetCheckpoint(join(dir, RECOVERY_POINT_FILE)) ?? 0;
          log = PartitionLog.open({ dir, config, clock, resources });
          expect(log.stats.cleanShutdown).toBe(cmd.clean);
          expect(log.stats.recoveryTruncations).toBe(cmd.clean ? 0 : model.recoverUnclean(recoveryPoint));
          model.reopened(clock.now);
          break;
        }
        case 'timestamp': {
          const ts = clock.now + cmd.delta;
          expect(log.offsetForTimestamp(ts)?.offset ?? null).toBe(model.offsetForTimestamp(ts));
          break;
        }
      }
      compare(step);
    });
    log.close();
  } finally {
    log.abandon();
    resources.close();
    cleanup();
  }
}

describe('PartitionLog against an in-memory model', () => {
  it('truncates into an offset gap at a segment boundary (fast-check seed 944827174)', () => {
    // Offsets 0-2 fill segment 0; a follower batch skips offset 3 and rolls segment 4 (0-2 plus
    // 4-5 pass segment.bytes); truncating to 3 keeps segment 0 whole and deletes segment 4: the
    // end is 3, not segment 4's base (the model once kept the segment of the first batch >= 3).
    runScenario({ segmentBytes: 700, indexIntervalBytes: 0, segmentMs: 10_000, retentionMs: -1, retentionBytes: -1 }, [
      {
        kind: 'append',
        batches: [
          { records: 1, payload: 67, tsDelta: 0 },
          { records: 1, payload: 55, tsDelta: 0 },
          { records: 1, payload: 115, tsDelta: 0 },
        ],
      },
      {
        kind: 'follower',
        gap: 1,
        batches: [
          { records: 1, payload: 108, tsDelta: 0 },
          { records: 1, payload: 51, tsDelta: 0 },
        ],
      },
      {
        kind: 'append',
        batches: [
          { records: 4, payload: 1, tsDelta: 0 },
          { records: 1, payload: 1, tsDelta: 0 },
          { records: 1, payload: 1, tsDelta: 0 },
        ],
      },
      { kind: 'truncate', back: 9 },
      { kind: 'roll' },
      { kind: 'append', batches: [{ records: 2, payload: 10, tsDelta: 0 }] },
      { kind: 'reopen', clean: false },
      { kind: 'read', offsetDelta: 3, maxBytes: 0, boundDelta: null },
    ]);
  });

  it('keeps the epoch in force at the log start when retention leaves a gap there (fast-check seed 1911695271)', () => {
    // Segment 0 holds offset 0 (epoch 0); after a roll a follower batch skips offset 1, so
    // segment 1 starts at 1 but its first batch at 2. Retention by size deletes segment 0: the log
    // starts at 1 and epoch 0 starts there (Kafka's truncateFromStart), not at 2, the first batch
    // left (the model once derived the epochs from the batches left).
    runScenario(
      { segmentBytes: 2_000, indexIntervalBytes: 0, segmentMs: 10_000, retentionMs: -1, retentionBytes: 900 },
      [
        { kind: 'append', batches: [{ records: 1, payload: 1, tsDelta: 0 }] },
        { kind: 'roll' },
        { kind: 'follower', gap: 1, batches: [{ records: 1, payload: 1, tsDelta: 0 }] },
        {
          kind: 'follower',
          gap: 0,
          batches: [
            { records: 1, payload: 76, tsDelta: 0 },
            { records: 1, payload: 77, tsDelta: 0 },
            { records: 1, payload: 20, tsDelta: 0 },
          ],
        },
        {
          kind: 'append',
          batches: [
            { records: 1, payload: 29, tsDelta: 0 },
            { records: 1, payload: 84, tsDelta: 0 },
            { records: 1, payload: 28, tsDelta: 0 },
            { records: 1, payload: 97, tsDelta: 0 },
          ],
        },
        { kind: 'retention' },
        { kind: 'bumpEpoch' },
        { kind: 'reopen', clean: false },
        { kind: 'append', batches: [{ records: 1, payload: 5, tsDelta: 0 }] },
      ],
    );
  });

  it('keeps the epoch in force when retention empties the log, until the log is reopened', () => {
    runScenario({ segmentBytes: 2_000, retentionMs: 15_000 }, [
      { kind: 'append', batches: [{ records: 1, payload: 10, tsDelta: 0 }] },
      { kind: 'roll' },
      { kind: 'advance', ms: 8_000 },
      { kind: 'advance', ms: 8_000 },
      { kind: 'retention' },
      { kind: 'reopen', clean: true },
      { kind: 'reopen', clean: false },
      { kind: 'bumpEpoch' },
      { kind: 'follower', gap: 2, batches: [{ records: 2, payload: 10, tsDelta: 0 }] },
      { kind: 'truncate', back: 2 },
      { kind: 'truncate', back: 0 },
    ]);
  });

  it('agrees on offsets, reads, timestamps and epochs over random operation sequences', () => {
    fc.assert(
      fc.property(configArb, fc.array(command, { minLength: 1, maxLength: 60 }), (config, commands) =>
        runScenario(config, commands),
      ),
      propertyOptions({ numRuns: 120 }),
    );
  });
});
