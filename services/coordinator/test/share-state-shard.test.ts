/**
 * The share coordinator's pure core: folding writes with the protocol package's rules, leader
 * epoch fencing on reads and writes (a newer reader takes over), refusals that change nothing,
 * the ranges bound, and the record encoding round trip (replay gives back the same state).
 */
import { ApiError, type ShareStateSnapshot } from '@sluice/protocol';
import { decodeShareStateRecord, shareStateRecordKey, shareStateRecordValue } from '../src/core/share-state-records';
import { ShareStateShard } from '../src/core/share-state-shard';

const KEY = { groupId: 'workers', topic: 'jobs', partition: 3 };

function errorName(body: () => unknown): string {
  try {
    body();
    return 'no error';
  } catch (error) {
    return error instanceof ApiError ? error.errorName : String(error);
  }
}

const initial: ShareStateSnapshot = {
  stateEpoch: 1,
  startOffset: 10,
  ranges: [
    { firstOffset: 10, lastOffset: 14, state: 'ACKNOWLEDGED', deliveryCount: 1 },
    { firstOffset: 15, lastOffset: 19, state: 'AVAILABLE', deliveryCount: 1 },
  ],
};

function replayInto(shard: ShareStateShard, records: ReturnType<ShareStateShard['write']>['records']): ShareStateShard {
  for (const record of records)
    shard.replay(decodeShareStateRecord(shareStateRecordKey(record.key), shareStateRecordValue(record.value)));
  return shard;
}

describe('ShareStateShard', () => {
  it('reads nothing before the first write, then the folded state of snapshot + updates', () => {
    const shard = new ShareStateShard();
    expect(shard.read(KEY, -1)).toEqual({ records: [], response: { state: null } });
    const first = shard.write({ key: KEY, leaderEpoch: 4, state: initial, kind: 'snapshot' });
    expect(first.records).toHaveLength(1);
    const update = shard.write({
      key: KEY,
      leaderEpoch: 4,
      state: {
        stateEpoch: 1,
        startOffset: 12,
        ranges: [{ firstOffset: 15, lastOffset: 16, state: 'ACKNOWLEDGED', deliveryCount: 1 }],
      },
      kind: 'update',
    });
    // Every record holds the whole folded state (compaction keeps only the newest per key).
    const expected = {
      stateEpoch: 1,
      startOffset: 12,
      ranges: [
        { firstOffset: 12, lastOffset: 16, state: 'ACKNOWLEDGED', deliveryCount: 1 },
        { firstOffset: 17, lastOffset: 19, state: 'AVAILABLE', deliveryCount: 1 },
      ],
    };
    expect(update.records[0]!.value).toEqual({ ...expected, leaderEpoch: 4, initialized: true });
    expect(shard.read(KEY, 4).response.state).toEqual(expected);
    // Replaying only the last record (what compaction leaves) gives the same state.
    expect(replayInto(new ShareStateShard(), update.records).read(KEY, -1).response.state).toEqual(expected);
  });

  it('fences writes and reads from an older leader epoch; a newer reader takes over; -1 only looks', () => {
    const shard = new ShareStateShard();
    shard.write({ key: KEY, leaderEpoch: 4, state: initial, kind: 'snapshot' });
    expect(shard.read(KEY, -1).records).toEqual([]);
    expect(shard.stored(KEY)!.leaderEpoch).toBe(4);
    // The new leader (epoch 5) reads: its epoch is written, so the old leader is fenced from now on.
    const takeover = shard.read(KEY, 5);
    expect(takeover.records.map((r) => r.value?.leaderEpoch)).toEqual([5]);
    expect(
      errorName(() => shard.write({ key: KEY, leaderEpoch: 4, state: { ...initial, ranges: [] }, kind: 'update' })),
    ).toBe('FENCED_LEADER_EPOCH');
    expect(errorName(() => shard.read(KEY, 4))).toBe('FENCED_LEADER_EPOCH');
    expect(shard.read(KEY, 5).records).toEqual([]);
    expect(shard.stored(KEY)).toEqual({ ...initial, leaderEpoch: 5, initialized: true });
  });

  it('fences the previous leader from the moment a new leader read, even when nothing was stored yet', () => {
    const shard = new ShareStateShard();
    const look = shard.read(KEY, 7);
    expect(look.response.state).toBeNull();
    expect(look.records.map((r) => r.value)).toEqual([
      { stateEpoch: 0, startOffset: 0, ranges: [], leaderEpoch: 7, initialized: false },
    ]);
    // Replayed by a replacement coordinator, the fence holds there too.
    const replacement = replayInto(new ShareStateShard(), look.records);
    for (const s of [shard, replacement]) {
      expect(errorName(() => s.write({ key: KEY, leaderEpoch: 6, state: initial, kind: 'snapshot' }))).toBe(
        'FENCED_LEADER_EPOCH',
      );
      expect(s.read(KEY, 7)).toEqual({ records: [], response: { state: null } });
    }
    shard.write({ key: KEY, leaderEpoch: 7, state: initial, kind: 'snapshot' });
    expect(shard.read(KEY, -1).response.state).toEqual(initial);
  });

  it('fences an older state epoch and starts a new one only with a snapshot', () => {
    const shard = new ShareStateShard();
    shard.write({ key: KEY, leaderEpoch: 1, state: { ...initial, stateEpoch: 3 }, kind: 'snapshot' });
    expect(
      errorName(() =>
        shard.write({ key: KEY, leaderEpoch: 1, state: { ...initial, stateEpoch: 2 }, kind: 'snapshot' }),
      ),
    ).toBe('FENCED_STATE_EPOCH');
    expect(
      errorName(() => shard.write({ key: KEY, leaderEpoch: 1, state: { ...initial, stateEpoch: 2 }, kind: 'update' })),
    ).toBe('FENCED_STATE_EPOCH');
    expect(
      errorName(() => shard.write({ key: KEY, leaderEpoch: 1, state: { ...initial, stateEpoch: 4 }, kind: 'update' })),
    ).toBe('INVALID_REQUEST');
    shard.write({ key: KEY, leaderEpoch: 1, state: { stateEpoch: 4, startOffset: 100, ranges: [] }, kind: 'snapshot' });
    expect(shard.read(KEY, -1).response.state).toEqual({ stateEpoch: 4, startOffset: 100, ranges: [] });
  });

  it('refuses bad input with a named error and changes nothing', () => {
    const shard = new ShareStateShard(3);
    shard.write({ key: KEY, leaderEpoch: 2, state: initial, kind: 'snapshot' });
    const before = shard.stored(KEY);
    const bad: [string, () => unknown][] = [
      [
        'empty group',
        () => shard.write({ key: { ...KEY, groupId: '' }, leaderEpoch: 2, state: initial, kind: 'snapshot' }),
      ],
      ['negative partition', () => shard.read({ ...KEY, partition: -1 }, 2)],
      [
        'write without a leader epoch',
        () => shard.write({ key: KEY, leaderEpoch: -1, state: initial, kind: 'update' }),
      ],
      ['bad read epoch', () => shard.read(KEY, -2)],
      [
        'overlapping ranges',
        () =>
          shard.write({
            key: KEY,
            leaderEpoch: 2,
            state: {
              ...initial,
              ranges: [...initial.ranges, { firstOffset: 19, lastOffset: 20, state: 'ARCHIVED', deliveryCount: 1 }],
            },
            kind: 'update',
          }),
      ],
      [
        'ACQUIRED is never durable',
        () =>
          shard.write({
            key: KEY,
            leaderEpoch: 2,
            state: {
              ...initial,
              ranges: [{ firstOffset: 10, lastOffset: 10, state: 'ACQUIRED' as never, deliveryCount: 1 }],
            },
            kind: 'update',
          }),
      ],
      [
        'start offset moving back',
        () =>
          shard.write({ key: KEY, leaderEpoch: 2, state: { ...initial, startOffset: 5, ranges: [] }, kind: 'update' }),
      ],
      [
        'too many ranges in one write',
        () =>
          shard.write({
            key: KEY,
            leaderEpoch: 2,
            state: {
              stateEpoch: 1,
              startOffset: 10,
              ranges: [0, 1, 2, 3].map((i) => ({
                firstOffset: 30 + 2 * i,
                lastOffset: 30 + 2 * i,
                state: 'ARCHIVED' as const,
                deliveryCount: 1,
              })),
            },
            kind: 'update',
          }),
      ],
      [
        'too many ranges once folded',
        () =>
          shard.write({
            key: KEY,
            leaderEpoch: 2,
            state: {
              stateEpoch: 1,
              startOffset: 10,
              ranges: [0, 1].map((i) => ({
                firstOffset: 30 + 2 * i,
                lastOffset: 30 + 2 * i,
                state: 'ARCHIVED' as const,
                deliveryCount: 1,
              })),
            },
            kind: 'update',
          }),
      ],
    ];
    for (const [what, call] of bad) expect([what, errorName(call)]).toEqual([what, 'INVALID_REQUEST']);
    expect(shard.stored(KEY)).toEqual(before);
    expect(shard.size).toBe(1);
  });

  it('starts from an update when nothing is stored (offsets it does not name are available)', () => {
    const shard = new ShareStateShard();
    shard.write({
      key: KEY,
      leaderEpoch: 0,
      state: {
        stateEpoch: 0,
        startOffset: 0,
        ranges: [{ firstOffset: 3, lastOffset: 3, state: 'ARCHIVED', deliveryCount: 5 }],
      },
      kind: 'update',
    });
    expect(shard.read(KEY, 0).response.state).toEqual({
      stateEpoch: 0,
      startOffset: 0,
      ranges: [{ firstOffset: 3, lastOffset: 3, state: 'ARCHIVED', deliveryCount: 5 }],
    });
  });

  it('replays a tombstone as gone and refuses a malformed record by name', () => {
    const shard = new ShareStateShard();
    shard.write({ key: KEY, leaderEpoch: 1, state: initial, kind: 'snapshot' });
    shard.replay(decodeShareStateRecord(shareStateRecordKey(KEY), null));
    expect(shard.read(KEY, -1).response.state).toBeNull();
    expect(errorName(() => decodeShareStateRecord(Buffer.from('["Other","g","t",1]'), null))).toBe('INVALID_RECORD');
    expect(
      errorName(() =>
        decodeShareStateRecord(
          shareStateRecordKey(KEY),
          Buffer.from('{"v":1,"stateEpoch":1,"leaderEpoch":1,"startOffset":0,"ranges":[[0,1,3,1]]}'),
        ),
      ),
    ).toBe('INVALID_RECORD');
  });
});
