/** The leader's fetch session (KIP-227 style): which partitions an answer may leave out. */
import { FetchSession, type SessionAnswer, type SessionAsk } from '../src/core/fetch-session';

const ask = (partition: number, fetchOffset: number, currentLeaderEpoch = 3): SessionAsk => ({
  topic: 't',
  partition,
  fetchOffset: String(fetchOffset),
  currentLeaderEpoch,
});
const answer = (partition: number, overrides: Partial<SessionAnswer> = {}): SessionAnswer => ({
  topic: 't',
  partition,
  errorName: '',
  recordBytes: 0,
  diverging: false,
  highWatermark: '10',
  logStartOffset: '0',
  leaderEpoch: 3,
  ...overrides,
});

describe('FetchSession', () => {
  it('sends every partition the first time, then only those with something new', () => {
    const session = new FetchSession();
    expect(session.step([ask(0, 10), ask(1, 10)], [answer(0), answer(1)])).toEqual([true, true]);
    expect(session.step([ask(0, 10), ask(1, 10)], [answer(0), answer(1)])).toEqual([false, false]);
    // New records, a moved high watermark or log start, a new leader epoch: sent.
    expect(
      session.step([ask(0, 10), ask(1, 10)], [answer(0, { recordBytes: 1 }), answer(1, { highWatermark: '11' })]),
    ).toEqual([true, true]);
    expect(session.step([ask(0, 10)], [answer(0, { logStartOffset: '1' })])).toEqual([true]);
    expect(session.step([ask(0, 10)], [answer(0, { logStartOffset: '1', leaderEpoch: 4 })])).toEqual([true]);
    expect(session.step([ask(0, 10)], [answer(0, { logStartOffset: '1', leaderEpoch: 4 })])).toEqual([false]);
  });

  it('always sends errors, divergence, and partitions asked differently', () => {
    const session = new FetchSession();
    session.step([ask(0, 10), ask(1, 10), ask(2, 10)], [answer(0), answer(1), answer(2)]);
    expect(
      session.step(
        [ask(0, 10), ask(1, 10), ask(2, 10)],
        [answer(0, { errorName: 'NOT_LEADER_OR_FOLLOWER' }), answer(1, { diverging: true }), answer(2)],
      ),
    ).toEqual([true, true, false]);
    // The answer after an error or a divergence goes in full too (the follower acted on the last one).
    expect(session.step([ask(0, 10), ask(1, 10), ask(2, 10)], [answer(0), answer(1), answer(2)])).toEqual([
      true,
      true,
      false,
    ]);
    // The follower moved (truncated) or learnt a new epoch: a full answer, even if it looks the same.
    expect(session.step([ask(0, 11), ask(1, 7), ask(2, 10, 4)], [answer(0), answer(1), answer(2)])).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('forgets partitions no longer asked, so the session stays the size of the latest request', () => {
    const session = new FetchSession();
    session.step([ask(0, 10), ask(1, 10)], [answer(0), answer(1)]);
    expect(session.size).toBe(2);
    session.step([ask(0, 10)], [answer(0)]);
    expect(session.size).toBe(1);
    // Asked again later: answered in full, not left out on the strength of the forgotten answer.
    expect(session.step([ask(0, 10), ask(1, 10)], [answer(0), answer(1)])).toEqual([false, true]);
    // An answer for a partition not asked is passed on and not remembered.
    expect(session.step([ask(0, 10)], [answer(0), answer(5)])).toEqual([false, true]);
    expect(session.size).toBe(1);
  });

  it('lets an answer whose only news is a moved high watermark wait, and nothing else', () => {
    const session = new FetchSession();
    // Nothing sent yet: the first answer goes at once, whatever it holds.
    expect(session.mustAnswer([ask(0, 10)], [answer(0)])).toBe(true);
    session.step([ask(0, 10), ask(1, 10)], [answer(0), answer(1)]);
    // Nothing new, or only a moved high watermark (also with the follower further on): may wait.
    expect(session.mustAnswer([ask(0, 10), ask(1, 10)], [answer(0), answer(1)])).toBe(false);
    expect(session.mustAnswer([ask(0, 12), ask(1, 10)], [answer(0, { highWatermark: '12' }), answer(1)])).toBe(false);
    // Records, an error, a divergence, a new leader epoch or log start, a new epoch asked: now.
    for (const urgent of [
      { recordBytes: 1 },
      { errorName: 'NOT_LEADER_OR_FOLLOWER' },
      { diverging: true },
      { leaderEpoch: 4 },
      { logStartOffset: '5' },
    ])
      expect(session.mustAnswer([ask(0, 10), ask(1, 10)], [answer(0), answer(1, urgent)])).toBe(true);
    expect(session.mustAnswer([ask(0, 10), ask(1, 10, 4)], [answer(0), answer(1)])).toBe(true);
    // A partition the session never answered (asked for the first time, or not asked at all): now.
    expect(session.mustAnswer([ask(0, 10), ask(2, 10)], [answer(0), answer(2)])).toBe(true);
    expect(session.mustAnswer([ask(0, 10)], [answer(0), answer(5)])).toBe(true);
    // Reading the session does not move it.
    expect(session.step([ask(0, 10), ask(1, 10)], [answer(0), answer(1)])).toEqual([false, false]);
  });
});
