import { BrokerInvariantError } from '../src/core/assert';
import {
  PartitionFollower,
  type FollowerFetchAnswer,
  type FollowerLogWrite,
  type FollowerStep,
} from '../src/core/partition-follower';
import { ModelLog } from './support/model-log';

const runs = (...pairs: [epoch: number, count: number][]): number[] =>
  pairs.flatMap(([epoch, count]) => new Array<number>(count).fill(epoch));

/** Broker 2 follows broker 1 in leader epoch 7. */
function follow(log: ModelLog, highWatermark = 0): PartitionFollower {
  return new PartitionFollower({ leaderId: 1, leaderEpoch: 7, highWatermark }, log);
}

function apply(log: ModelLog, step: FollowerStep): FollowerStep {
  for (const write of step.logWrites) log.apply(write);
  return step;
}

/** Truncation done at once (an empty log, or the leader agrees with our whole log). */
function fetching(log: ModelLog, highWatermark = 0): PartitionFollower {
  const follower = follow(log, highWatermark);
  const query = follower.truncationQuery(log);
  if (query !== null) apply(log, follower.onEpochEnd(query, { epoch: query.epoch, endOffset: log.logEndOffset }, log));
  expect(follower.phase).toBe('fetching');
  return follower;
}

const data = (
  leader: ModelLog,
  fetchOffset: number,
  maxRecords: number,
  fields: Partial<FollowerFetchAnswer> = {},
): FollowerFetchAnswer => ({
  errorName: '',
  highWatermark: leader.logEndOffset,
  logStartOffset: leader.logStartOffset,
  divergingEpoch: null,
  records: leader.fetch(fetchOffset, maxRecords),
  ...fields,
});

const error = (errorName: string, logStartOffset = 0): FollowerFetchAnswer => ({
  errorName,
  highWatermark: -1,
  logStartOffset,
  divergingEpoch: null,
  records: null,
});

describe('PartitionFollower: truncation before fetching', () => {
  it('asks where its latest epoch ends, fetches nothing until the answer, then truncates to it', () => {
    const log = ModelLog.of(runs([1, 5], [3, 5]));
    const follower = follow(log, 4);
    expect(follower.fetchPosition(log)).toBeNull();
    const query = follower.truncationQuery(log);
    expect(query).toEqual({ currentLeaderEpoch: 7, epoch: 3 });
    const step = apply(log, follower.onEpochEnd(query!, { epoch: 3, endOffset: 8 }, log));
    expect(step.logWrites).toEqual<FollowerLogWrite[]>([{ kind: 'truncate', offset: 8 }]);
    expect(log.logEndOffset).toBe(8);
    expect(follower.phase).toBe('fetching');
    expect(follower.truncationQuery(log)).toBeNull();
    expect(follower.fetchPosition(log)).toEqual({
      fetchOffset: 8,
      lastFetchedEpoch: 3,
      logStartOffset: 0,
      currentLeaderEpoch: 7,
      // Nothing flushed in the model log: the fetch says so (the leader counts it for durable acks).
      flushedOffset: 0,
    });
    log.flush();
    expect(follower.fetchPosition(log)?.flushedOffset).toBe(8);
  });

  it('has nothing to ask with a log without epochs', () => {
    const log = new ModelLog();
    const follower = follow(log);
    expect(follower.truncationQuery(log)).toBeNull();
    expect(follower.fetchPosition(log)?.fetchOffset).toBe(0);
  });

  it('asks again, for a smaller epoch, after an intermediate answer; a lost answer is asked again unchanged', () => {
    const log = ModelLog.of(runs([1, 5], [3, 5], [4, 3]));
    const follower = follow(log);
    const first = follower.truncationQuery(log)!;
    expect(first.epoch).toBe(4);
    // No answer came (a transport error): the same question goes out again.
    const again = follower.truncationQuery(log)!;
    expect(again).toEqual(first);
    // The leader never had epoch 4; it answers its epoch 2, which we lack: cut to our epoch 1's end.
    const step = apply(log, follower.onEpochEnd(again, { epoch: 2, endOffset: 9 }, log));
    expect(step.logWrites).toEqual([{ kind: 'truncate', offset: 5 }]);
    expect(follower.phase).toBe('truncating');
    const second = follower.truncationQuery(log)!;
    expect(second.epoch).toBe(1);
    apply(log, follower.onEpochEnd(second, { epoch: 1, endOffset: 5 }, log));
    expect(follower.phase).toBe('fetching');
    expect(log.logEndOffset).toBe(5);
  });

  it('takes an answer for an epoch above the one asked as "unknown" and falls back to its high watermark', () => {
    const log = ModelLog.of(runs([1, 5], [3, 5]));
    const follower = follow(log, 6);
    const query = follower.truncationQuery(log)!;
    const step = apply(log, follower.onEpochEnd(query, { epoch: 9, endOffset: 10 }, log));
    expect(step.logWrites).toEqual([{ kind: 'truncate', offset: 6 }]);
    expect(follower.phase).toBe('fetching');
  });

  it('ignores an answer to a question it did not ask', () => {
    const log = ModelLog.of(runs([1, 5], [3, 5]));
    const follower = follow(log);
    follower.truncationQuery(log);
    expect(follower.onEpochEnd({ currentLeaderEpoch: 7, epoch: 1 }, { epoch: 1, endOffset: 2 }, log)).toEqual({
      logWrites: [],
      backoff: false,
      changed: false,
    });
    expect(log.logEndOffset).toBe(10);
  });

  it('stops (a broken invariant) when an answered intermediate round did not lower its latest epoch', () => {
    const log = ModelLog.of(runs([1, 5], [3, 5], [4, 3]));
    const follower = follow(log);
    const query = follower.truncationQuery(log)!;
    // The decision says "cut to 5"; the shell never applies it.
    follower.onEpochEnd(query, { epoch: 2, endOffset: 9 }, log);
    expect(() => follower.truncationQuery(log)).toThrow(BrokerInvariantError);
  });
});

describe('PartitionFollower: fetch answers', () => {
  it('appends what the leader sent, takes its high watermark up to its own log end, never lower', () => {
    const leader = ModelLog.of(runs([1, 4], [7, 6]));
    const log = new ModelLog();
    const follower = fetching(log);
    const position = follower.fetchPosition(log)!;
    const step = apply(log, follower.onFetchAnswer(position, data(leader, 0, 4, { highWatermark: 9 }), log));
    expect(step.logWrites).toEqual([{ kind: 'append', records: expect.any(Buffer), logEndOffsetAfter: 4 }]);
    expect(step.changed).toBe(true);
    expect(log.slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(follower.highWatermark(log)).toBe(4);
    // A leader whose high watermark trails ours (a new leader's may) does not move it back.
    apply(log, follower.onFetchAnswer(follower.fetchPosition(log)!, data(leader, 4, 2, { highWatermark: 2 }), log));
    expect(log.logEndOffset).toBe(6);
    expect(follower.highWatermark(log)).toBe(4);
    apply(log, follower.onFetchAnswer(follower.fetchPosition(log)!, data(leader, 6, 10, { highWatermark: 10 }), log));
    expect(follower.highWatermark(log)).toBe(10);
    expect(log.logEndOffset).toBe(10);
  });

  it("moves its log start up to the leader's, never past its own high watermark", () => {
    const leader = ModelLog.of(runs([7, 10]));
    leader.advanceLogStartOffset(6);
    const log = ModelLog.of(runs([7, 8]));
    const follower = fetching(log, 3);
    const step = apply(
      log,
      follower.onFetchAnswer(follower.fetchPosition(log)!, data(leader, 8, 0, { highWatermark: 5 }), log),
    );
    expect(step.logWrites).toEqual([{ kind: 'advance-log-start', offset: 5 }]);
    expect(log.logStartOffset).toBe(5);
    apply(log, follower.onFetchAnswer(follower.fetchPosition(log)!, data(leader, 8, 2, { highWatermark: 10 }), log));
    expect(log.logStartOffset).toBe(6);
  });

  it('drops an answer once its log end moved from the offset it asked at', () => {
    const leader = ModelLog.of(runs([7, 10]));
    const log = new ModelLog();
    const follower = fetching(log);
    const asked = follower.fetchPosition(log)!;
    apply(log, follower.onFetchAnswer(asked, data(leader, 0, 3), log));
    const stale = follower.onFetchAnswer(asked, data(leader, 0, 5), log);
    expect(stale).toEqual({ logWrites: [], backoff: false, changed: false });
    expect(log.logEndOffset).toBe(3);
  });

  it('truncates on a diverging epoch, and goes back to OffsetForLeaderEpoch when that is not the end of it', () => {
    const log = ModelLog.of(runs([1, 5], [3, 5]));
    const follower = fetching(log, 2);
    const diverging = { ...error(''), highWatermark: 5 };
    const step = apply(
      log,
      follower.onFetchAnswer(
        follower.fetchPosition(log)!,
        { ...diverging, divergingEpoch: { epoch: 3, endOffset: 7 } },
        log,
      ),
    );
    expect(step.logWrites).toEqual([{ kind: 'truncate', offset: 7 }]);
    expect(follower.phase).toBe('fetching');
    // The leader answers an epoch we lack: cut to our largest smaller epoch and ask again.
    apply(
      log,
      follower.onFetchAnswer(
        follower.fetchPosition(log)!,
        { ...diverging, divergingEpoch: { epoch: 2, endOffset: 6 } },
        log,
      ),
    );
    expect(log.logEndOffset).toBe(5);
    expect(follower.phase).toBe('truncating');
    expect(follower.truncationQuery(log)?.epoch).toBe(1);
  });

  it("starts over at the leader's log start when it is below it, and truncates again on other out-of-range answers", () => {
    const log = ModelLog.of(runs([2, 4]));
    const follower = fetching(log, 3);
    const below = apply(
      log,
      follower.onFetchAnswer(follower.fetchPosition(log)!, error('OFFSET_OUT_OF_RANGE', 20), log),
    );
    expect(below.logWrites).toEqual([{ kind: 'start-over', offset: 20 }]);
    expect(log.logStartOffset).toBe(20);
    expect(log.logEndOffset).toBe(20);
    expect(follower.highWatermark(log)).toBe(20);
    // The leader's log starts at our log end, or below it: nothing to start over from. It did not
    // know our last epoch (or we are past its end): ask it where our epochs end, after a pause.
    for (const leaderStart of [20, 10]) {
      const inside = follower.onFetchAnswer(
        follower.fetchPosition(log)!,
        error('OFFSET_OUT_OF_RANGE', leaderStart),
        log,
      );
      expect(inside).toEqual({ logWrites: [], backoff: true, changed: false });
      expect(follower.phase).toBe('truncating');
      expect(follower.truncationQuery(log)).toBeNull(); // a log that starts over has no epochs yet
      expect(follower.phase).toBe('fetching');
    }
  });

  it("starts over at the leader's local log start on OFFSET_MOVED_TO_TIERED_STORAGE (what lies below is remote)", () => {
    const log = ModelLog.of([]);
    const follower = fetching(log, 0);
    const moved = apply(
      log,
      follower.onFetchAnswer(follower.fetchPosition(log)!, error('OFFSET_MOVED_TO_TIERED_STORAGE', 500), log),
    );
    expect(moved).toEqual({ logWrites: [{ kind: 'start-over', offset: 500 }], backoff: false, changed: true });
    expect([log.logStartOffset, log.logEndOffset, follower.highWatermark(log)]).toEqual([500, 500, 500]);
    expect(follower.fetchPosition(log)?.fetchOffset).toBe(500);
    // An answer that does not put the leader's start above our end is no start over: truncate, after a pause.
    const inside = follower.onFetchAnswer(
      follower.fetchPosition(log)!,
      error('OFFSET_MOVED_TO_TIERED_STORAGE', 400),
      log,
    );
    expect(inside).toEqual({ logWrites: [], backoff: true, changed: false });
    expect(follower.phase).toBe('truncating');
  });

  it('follows an unclean leader below its high watermark: the high watermark goes down with the truncation', () => {
    // We had offsets 0..9 committed (high watermark 8); the leader elected uncleanly has only 0..4
    // of epoch 1 and wrote epoch 6 from 5 on.
    const log = ModelLog.of(runs([1, 5], [3, 5]));
    const follower = follow(log, 8);
    const query = follower.truncationQuery(log)!;
    apply(log, follower.onEpochEnd(query, { epoch: 1, endOffset: 5 }, log));
    expect(log.logEndOffset).toBe(5);
    expect(follower.highWatermark(log)).toBe(5);
    // Its records come in where ours were; the old high watermark must not cover them unasked.
    const leader = ModelLog.of(runs([1, 5], [6, 5]));
    apply(log, follower.onFetchAnswer(follower.fetchPosition(log)!, data(leader, 5, 5, { highWatermark: 6 }), log));
    expect(log.logEndOffset).toBe(10);
    expect(follower.highWatermark(log)).toBe(6);
  });

  it('backs off on errors only the metadata log fixes, and on answers that do not continue its log', () => {
    const leader = ModelLog.of(runs([7, 10]));
    const log = ModelLog.of(runs([7, 4]));
    const follower = fetching(log);
    const position = follower.fetchPosition(log)!;
    for (const name of ['NOT_LEADER_OR_FOLLOWER', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'CORRUPT_MESSAGE'])
      expect(follower.onFetchAnswer(position, error(name), log).backoff).toBe(true);
    expect(follower.onFetchAnswer(position, error('REQUEST_TIMED_OUT'), log).backoff).toBe(false);
    const behind = follower.onFetchAnswer(position, data(leader, 2, 3), log);
    expect(behind).toEqual({ logWrites: [], backoff: true, changed: false });
    expect(log.logEndOffset).toBe(4);
  });

  it('goes back to truncation when the shell could not apply one of its writes', () => {
    const log = ModelLog.of(runs([7, 4]));
    const follower = fetching(log);
    follower.onLogWriteFailure(log);
    expect(follower.phase).toBe('truncating');
    expect(follower.fetchPosition(log)).toBeNull();
    expect(follower.truncationQuery(log)).toEqual({ currentLeaderEpoch: 7, epoch: 7 });
  });

  it('never reports a high watermark above its log end', () => {
    const log = ModelLog.of(runs([7, 4]));
    expect(follow(log, 9).highWatermark(log)).toBe(4);
  });
});
