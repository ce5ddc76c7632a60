import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { propertyOptions } from '../../../../test-support/property';
import { MemoryRaftStorage } from '@sluice/raft';
import type { Entry, HardState, Snapshot } from '@sluice/raft';
import { DiskRaftStorage, encodeSnapshotFile, snapshotFileName } from '../../src/raft/disk-storage';

const membership = { voters: [1, 2, 3], observers: [] };

/**
 * Model test: random appends (with conflicting suffixes), compactions, snapshot installs, hard
 * states and reopens, applied to DiskRaftStorage and to MemoryRaftStorage (the model). After
 * every step, and after every reopen, both must show the same log, snapshot and hard state.
 */
type Command =
  | { kind: 'append'; back: number; count: number; bumpTerm: boolean; size: number }
  | { kind: 'compact'; back: number }
  | { kind: 'install'; ahead: number; bumpTerm: boolean }
  | { kind: 'hardState'; bumpTerm: boolean; commitBack: number }
  | { kind: 'reopen' }
  | { kind: 'crashDuringInstall'; ahead: number; bumpTerm: boolean; conflict: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      back: fc.nat({ max: 4 }),
      count: fc.integer({ min: 1, max: 4 }),
      bumpTerm: fc.boolean(),
      size: fc.nat({ max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.nat({ max: 6 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('install' as const),
      ahead: fc.integer({ min: 1, max: 10 }),
      bumpTerm: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('hardState' as const),
      bumpTerm: fc.boolean(),
      commitBack: fc.nat({ max: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('crashDuringInstall' as const),
      ahead: fc.integer({ min: -3, max: 5 }),
      bumpTerm: fc.boolean(),
      conflict: fc.boolean(),
    }),
  },
);

function view(storage: MemoryRaftStorage | DiskRaftStorage): unknown {
  const first = storage.firstIndex();
  const last = storage.lastIndex();
  const entries = last >= first ? storage.entries(first, last + 1, Number.MAX_SAFE_INTEGER) : [];
  const snapshot = storage.snapshot();
  return {
    first,
    last,
    hardState: storage.hardState(),
    snapshot: {
      index: snapshot.metadata.index,
      term: snapshot.metadata.term,
      data: Buffer.from(snapshot.data).toString('hex'),
    },
    entries: entries.map((e) => `${e.index}/${e.term}/${Buffer.from(e.data).toString('hex')}`),
  };
}

describe('DiskRaftStorage against the in-memory model', () => {
  it('matches MemoryRaftStorage through appends, conflicts, compaction, installs and reopens', () => {
    fc.assert(
      fc.property(
        fc.array(command, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 40, max: 200 }),
        (commands, segmentMaxBytes) => {
          const dir = mkdtempSync(join(tmpdir(), 'sluice-raft-model-'));
          const open = (): DiskRaftStorage => DiskRaftStorage.open({ dir, membership, segmentMaxBytes });
          let disk = open();
          const model = new MemoryRaftStorage(membership);
          let term = 1;
          let stamp = 0;
          const lastTerm = (): number => model.term(model.lastIndex());
          try {
            for (const c of commands) {
              const commit = model.hardState().commit;
              switch (c.kind) {
                case 'append': {
                  // A conflict may only overwrite uncommitted entries, never the snapshot.
                  const from = Math.max(model.lastIndex() + 1 - c.back, commit + 1, model.firstIndex());
                  if (c.bumpTerm) term++;
                  const entryTerm = Math.max(term, from > model.firstIndex() - 1 ? model.term(from - 1) : 0);
                  term = entryTerm;
                  const entries: Entry[] = Array.from({ length: c.count }, (_, k) => ({
                    index: from + k,
                    term: entryTerm,
                    data: Buffer.alloc(c.size, ++stamp % 256),
                  }));
                  model.append(entries);
                  disk.append(entries);
                  break;
                }
                case 'compact': {
                  const index = model.lastIndex() - c.back;
                  if (index <= model.snapshot().metadata.index || index < 1) break;
                  const snapshot: Snapshot = {
                    metadata: { index, term: model.term(index), membership },
                    data: Buffer.from(`s${++stamp}`),
                  };
                  model.compact(snapshot);
                  disk.compact(snapshot);
                  break;
                }
                case 'install': {
                  const index = Math.max(model.lastIndex(), commit) + c.ahead;
                  if (c.bumpTerm) term++;
                  term = Math.max(term, lastTerm());
                  const snapshot: Snapshot = {
                    metadata: { index, term, membership },
                    data: Buffer.from(`i${++stamp}`),
                  };
                  model.installSnapshot(snapshot);
                  disk.installSnapshot(snapshot);
                  const state: HardState = {
                    ...model.hardState(),
                    term: Math.max(model.hardState().term, term),
                    commit: index,
                  };
                  model.setHardState(state);
                  disk.setHardState(state);
                  break;
                }
                case 'hardState': {
                  if (c.bumpTerm) term++;
                  const state: HardState = {
                    term: Math.max(term, model.hardState().term),
                    vote: c.bumpTerm ? 2 : model.hardState().vote,
                    commit: Math.max(commit, model.lastIndex() - c.commitBack, model.snapshot().metadata.index),
                  };
                  model.setHardState(state);
                  disk.setHardState(state);
                  break;
                }
                case 'reopen':
                  disk.close();
                  disk = open();
                  break;
                case 'crashDuringInstall': {
                  // The snapshot file reached disk, then the process died before the old log was
                  // deleted. The snapshot may lie inside the old log (with a conflicting term, or
                  // matching it) or beyond its end; recovery must end up as if the install finished,
                  // except that a matching log suffix legitimately survives (as after a compaction).
                  const index = Math.max(model.lastIndex() + c.ahead, commit + 1, model.snapshot().metadata.index + 1);
                  if (c.bumpTerm) term++;
                  const matching = !c.conflict && index <= model.lastIndex();
                  const snapshotTerm = matching ? model.term(index) : Math.max(term, lastTerm()) + 1;
                  term = Math.max(term, snapshotTerm);
                  const snapshot: Snapshot = {
                    metadata: { index, term: snapshotTerm, membership },
                    data: Buffer.from(`c${++stamp}`),
                  };
                  disk.close();
                  writeFileSync(join(dir, snapshotFileName(index, snapshotTerm)), encodeSnapshotFile(snapshot));
                  if (matching) model.compact(snapshot);
                  else model.installSnapshot(snapshot);
                  disk = open();
                  break;
                }
              }
              expect(view(disk)).toEqual(view(model));
            }
            disk.close();
            disk = open();
            expect(view(disk)).toEqual(view(model));
          } finally {
            disk.close();
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      propertyOptions({ numRuns: 150 }),
    );
  });
});
