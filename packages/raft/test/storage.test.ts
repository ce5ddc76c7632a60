import { MemoryRaftStorage, RaftInvariantError } from '@sluice/raft';
import type { Entry, Snapshot } from '@sluice/raft';

const membership = { voters: [1, 2, 3], observers: [4] };
const entry = (index: number, term: number): Entry => ({ index, term, data: Uint8Array.of(index) });
const snapshotAt = (index: number, term: number): Snapshot => ({
  metadata: { index, term, membership },
  data: Uint8Array.of(9),
});

describe('MemoryRaftStorage', () => {
  it('starts empty: first index 1, last index 0, term(0) = 0', () => {
    const storage = new MemoryRaftStorage(membership);
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(0)]).toEqual([1, 0, 0]);
    expect(storage.hardState()).toEqual({ term: 0, vote: null, commit: 0 });
  });

  it('appends, and overwrites a conflicting suffix', () => {
    const storage = new MemoryRaftStorage(membership);
    storage.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
    storage.append([entry(2, 2)]);
    expect(storage.lastIndex()).toBe(2);
    expect(storage.term(2)).toBe(2);
    expect(() => storage.append([entry(5, 2)])).toThrow(RaftInvariantError); // gap
  });

  it('returns entries within a byte budget, but always at least one', () => {
    const storage = new MemoryRaftStorage(membership);
    storage.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
    expect(storage.entries(1, 4, 2).map((e) => e.index)).toEqual([1, 2]);
    expect(storage.entries(1, 4, 0).map((e) => e.index)).toEqual([1]);
    expect(() => storage.entries(0, 2, 100)).toThrow(RaftInvariantError);
  });

  it('compacts to a snapshot but still answers the term of the snapshot index', () => {
    const storage = new MemoryRaftStorage(membership);
    storage.append([entry(1, 1), entry(2, 1), entry(3, 2)]);
    storage.compact(snapshotAt(2, 1));
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(2), storage.term(3)]).toEqual([3, 3, 1, 2]);
    expect(() => storage.term(1)).toThrow(RaftInvariantError);
    expect(() => storage.compact(snapshotAt(3, 1))).toThrow(RaftInvariantError); // wrong term
  });

  it('installing a snapshot replaces the whole log', () => {
    const storage = new MemoryRaftStorage(membership);
    storage.append([entry(1, 1)]);
    storage.installSnapshot(snapshotAt(10, 3));
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(10)]).toEqual([11, 10, 3]);
    expect(() => storage.installSnapshot(snapshotAt(5, 3))).toThrow(RaftInvariantError);
  });

  it('never lets the persisted term go backwards', () => {
    const storage = new MemoryRaftStorage(membership);
    storage.setHardState({ term: 3, vote: 1, commit: 0 });
    expect(() => storage.setHardState({ term: 2, vote: null, commit: 0 })).toThrow(RaftInvariantError);
  });
});
