import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, Ready, Snapshot } from '@sluice/raft';
import {
  DiskRaftStorage,
  encodeSnapshotFile,
  QUORUM_STATE_FILE,
  RaftStorageCorruptionError,
  snapshotFileName,
} from '../../src/raft/disk-storage';

const membership = { voters: [1, 2, 3], observers: [] };
const entry = (index: number, term: number, size = 8): Entry => ({
  index,
  term,
  data: Buffer.alloc(size, index % 251),
});
const entries = (from: number, to: number, term: number, size = 8): Entry[] =>
  Array.from({ length: to - from + 1 }, (_, k) => entry(from + k, term, size));
const snapshotAt = (index: number, term: number, text = `state@${index}`): Snapshot => ({
  metadata: { index, term, membership },
  data: Buffer.from(text),
});
const ready = (partial: Partial<Ready>): Ready => ({
  softState: { role: 'follower', leaderId: null },
  hardState: null,
  entries: [],
  snapshot: null,
  compaction: null,
  messages: [],
  committedEntries: [],
  mustSync: true,
  ...partial,
});

describe('DiskRaftStorage', () => {
  let dir: string;
  const repairs: string[] = [];
  const open = (segmentMaxBytes?: number): DiskRaftStorage =>
    DiskRaftStorage.open({ dir, membership, segmentMaxBytes, onRepair: (what) => repairs.push(what) });
  const segments = (): string[] =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .sort();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-raft-storage-'));
    repairs.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty and survives a reopen with entries and hard state', () => {
    const storage = open();
    expect([storage.firstIndex(), storage.lastIndex(), storage.term(0)]).toEqual([1, 0, 0]);
    storage.persistReady(ready({ entries: entries(1, 5, 1), hardState: { term: 1, vote: 2, commit: 3 } }));
    storage.close();
    const reopened = open();
    expect([reopened.firstIndex(), reopened.lastIndex(), reopened.term(5)]).toEqual([1, 5, 1]);
    expect(reopened.hardState()).toEqual({ term: 1, vote: 2, commit: 3 });
    expect(reopened.entries(2, 4, 1_000).map((e) => [e.index, Buffer.from(e.data)[0]])).toEqual([
      [2, 2],
      [3, 3],
    ]);
    expect(readFileSync(join(dir, QUORUM_STATE_FILE), 'utf8')).toContain('"term":1');
    reopened.close();
  });

  it('overwrites a conflicting suffix across segment boundaries, durably', () => {
    const storage = open(100); // ~3 records per segment
    for (let i = 1; i <= 10; i += 2) storage.append(entries(i, i + 1, 1));
    expect(segments().length).toBeGreaterThan(2);
    storage.append(entries(4, 6, 2)); // conflict at 4: drops 4..10 from disk
    storage.close();
    const reopened = open(100);
    expect(reopened.lastIndex()).toBe(6);
    expect([3, 4, 5, 6].map((i) => reopened.term(i))).toEqual([1, 2, 2, 2]);
    reopened.append(entries(7, 7, 2));
    reopened.close();
    expect(open(100).lastIndex()).toBe(7);
  });

  it('compacts: writes <index>-<term>.snapshot, deletes covered segments, recovers from both', () => {
    const storage = open(100);
    for (let i = 1; i <= 12; i += 2) storage.append(entries(i, i + 1, 1));
    storage.setHardState({ term: 1, vote: null, commit: 12 });
    const before = segments().length;
    storage.persistReady(ready({ compaction: snapshotAt(9, 1) }));
    expect(readdirSync(dir)).toContain(snapshotFileName(9, 1));
    expect(segments().length).toBeLessThan(before);
    storage.append(entries(13, 14, 2));
    storage.persistReady(ready({ compaction: snapshotAt(13, 2) }));
    expect(readdirSync(dir).filter((f) => f.endsWith('.snapshot'))).toEqual([snapshotFileName(13, 2)]);
    storage.close();
    const reopened = open(100);
    expect([reopened.firstIndex(), reopened.lastIndex(), reopened.term(13), reopened.term(14)]).toEqual([14, 14, 2, 2]);
    expect(Buffer.from(reopened.snapshot().data).toString()).toBe('state@13');
    expect(reopened.hardState().commit).toBe(12);
    reopened.close();
  });

  it('installing a leader snapshot replaces the log, and appends continue after it', () => {
    const storage = open();
    storage.append(entries(1, 3, 1));
    storage.persistReady(ready({ snapshot: snapshotAt(20, 4), hardState: { term: 4, vote: null, commit: 20 } }));
    expect(segments()).toEqual([]);
    storage.append(entries(21, 22, 4));
    storage.close();
    const reopened = open();
    expect([reopened.firstIndex(), reopened.lastIndex(), reopened.term(20)]).toEqual([21, 22, 4]);
    reopened.close();
  });

  it('recovers from a crash between writing an installed snapshot and deleting the old log', () => {
    const storage = open();
    storage.append(entries(1, 8, 1));
    storage.setHardState({ term: 3, vote: null, commit: 2 });
    storage.close();
    // The leader's snapshot at 5 has term 3: our entry 5 (term 1) conflicts, so the log must go.
    writeFileSync(join(dir, snapshotFileName(5, 3)), encodeSnapshotFile(snapshotAt(5, 3)));
    const reopened = open();
    expect([reopened.firstIndex(), reopened.lastIndex()]).toEqual([6, 5]);
    expect(repairs.some((r) => r.includes('conflict with snapshot 5'))).toBe(true);
    expect(segments()).toEqual([]);
    reopened.close();
  });

  it('truncates a torn tail of the last segment and reports it', () => {
    const storage = open();
    storage.append(entries(1, 3, 1));
    storage.setHardState({ term: 1, vote: null, commit: 3 });
    storage.close();
    const last = join(dir, segments()[segments().length - 1] as string);
    appendFileSync(last, Buffer.from([0, 0, 0, 40, 1, 2, 3])); // header of a record whose body never made it
    const reopened = open();
    expect(reopened.lastIndex()).toBe(3);
    expect(repairs.some((r) => r.includes('torn tail'))).toBe(true);
    reopened.append(entries(4, 4, 1));
    reopened.close();
    expect(open().lastIndex()).toBe(4);
  });

  it('refuses a damaged record that is not the tail, naming file and byte position', () => {
    const storage = open();
    storage.append(entries(1, 3, 1));
    storage.close();
    const path = join(dir, segments()[0] as string);
    const bytes = readFileSync(path);
    bytes.writeUInt8(bytes.readUInt8(8 + 17 + 2) ^ 0xff, 8 + 17 + 2); // inside record 1's data
    writeFileSync(path, bytes);
    let error: unknown;
    try {
      open();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RaftStorageCorruptionError);
    expect((error as RaftStorageCorruptionError).file).toBe(path);
    expect((error as RaftStorageCorruptionError).position).toBe(0);
    expect((error as Error).message).toMatch(/checksum mismatch/);
  });

  it('refuses a damaged quorum-state or snapshot file, and a commit beyond the log', () => {
    const storage = open();
    storage.append(entries(1, 2, 1));
    storage.setHardState({ term: 1, vote: 1, commit: 2 });
    storage.persistReady(ready({ compaction: snapshotAt(1, 1) }));
    storage.close();

    const statePath = join(dir, QUORUM_STATE_FILE);
    const goodState = readFileSync(statePath);
    writeFileSync(statePath, goodState.toString().replace('"commit":2', '"commit":9'));
    expect(() => open()).toThrow(/quorum-state.*checksum mismatch/);
    writeFileSync(statePath, '{"version":1,');
    expect(() => open()).toThrow(/quorum-state at byte 0: not valid JSON/);
    writeFileSync(statePath, goodState);

    const snapshotPath = join(dir, snapshotFileName(1, 1));
    const snap = readFileSync(snapshotPath);
    snap.writeUInt8(snap.readUInt8(snap.length - 6) ^ 1, snap.length - 6);
    writeFileSync(snapshotPath, snap);
    expect(() => open()).toThrow(RaftStorageCorruptionError);
    expect(() => open()).toThrow(/snapshot checksum mismatch/);
  });

  it('removes interrupted atomic writes on open', () => {
    open().close();
    writeFileSync(join(dir, `${QUORUM_STATE_FILE}.tmp`), 'half');
    open().close();
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('with lazyCommit, holds back commit-only changes until flushCommit (term and vote stay eager)', () => {
    const lazy = (): DiskRaftStorage => DiskRaftStorage.open({ dir, membership, lazyCommit: true });
    const storage = lazy();
    storage.append(entries(1, 5, 1));
    storage.setHardState({ term: 1, vote: 2, commit: 0 });
    storage.setHardState({ term: 1, vote: 2, commit: 3 });
    expect(readFileSync(join(dir, QUORUM_STATE_FILE), 'utf8')).toContain('"commit":0');
    storage.flushCommit();
    expect(readFileSync(join(dir, QUORUM_STATE_FILE), 'utf8')).toContain('"commit":3');
    storage.setHardState({ term: 1, vote: 2, commit: 4 });
    storage.setHardState({ term: 2, vote: null, commit: 5 }); // a term change is written at once, commit included
    expect(readFileSync(join(dir, QUORUM_STATE_FILE), 'utf8')).toContain('"commit":5');
    storage.setHardState({ term: 2, vote: null, commit: 5 });
    storage.close();
    expect(open().hardState()).toEqual({ term: 2, vote: null, commit: 5 });
  });

  it('never lets the term go backwards', () => {
    const storage = open();
    storage.setHardState({ term: 5, vote: null, commit: 0 });
    expect(() => storage.setHardState({ term: 4, vote: null, commit: 0 })).toThrow(/never decrease/);
    storage.close();
  });
});
