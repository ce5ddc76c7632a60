import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  promises as fsPromises,
  readFileSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { assert } from './errors';
import { nodeLogFiles, type LogFiles } from './log-files';

/**
 * A power-loss test harness for real processes. `FsyncJournal` is a `LogFiles` that does the real
 * operations and appends one JSON line per create, sync, cut, rename and remove to a journal file
 * (plain writes: a SIGKILL keeps them, as it keeps the page cache). After the process is killed,
 * `dropUnsyncedBytes` replays the journal and cuts every file it knows back to the length it had
 * at its last fsync, which is what a power cut leaves of a file the OS had not written back yet.
 *
 * The model, and what it leaves out:
 * - bytes written after a file's last fsync are all lost (real hardware may keep some of them, in
 *   any order; keeping none is the worst case for a log that appends);
 * - a file created and never fsynced comes back empty;
 * - directory entries (creates, renames, removes) are kept as they are: the log fsyncs its
 *   directories after those, and a lost entry is beyond this model;
 * - files the journal never saw (written before the process started, e.g. by `storage format`, or
 *   left by an earlier run whose loss was already applied) are durable as they are.
 */
export type JournalEntry =
  | { readonly op: 'create'; readonly path: string }
  | { readonly op: 'sync'; readonly path: string; readonly sizeBytes: number }
  | { readonly op: 'truncate'; readonly path: string; readonly sizeBytes: number }
  | { readonly op: 'rename'; readonly from: string; readonly to: string }
  | { readonly op: 'remove'; readonly path: string };

export class FsyncJournal implements LogFiles {
  private readonly fd: number;

  /** Appends to `journalPath` (created when missing). */
  constructor(
    readonly journalPath: string,
    private readonly inner: LogFiles = nodeLogFiles,
  ) {
    this.fd = openSync(journalPath, 'a');
  }

  create(path: string, mode: 'w' | 'w+'): number {
    const fd = this.inner.create(path, mode);
    this.record({ op: 'create', path });
    return fd;
  }

  sync(fd: number, path: string): void {
    // Only what was written before the sync began is covered.
    const sizeBytes = fstatSync(fd).size;
    this.inner.sync(fd, path);
    this.record({ op: 'sync', path, sizeBytes });
  }

  async syncAsync(path: string): Promise<void> {
    const sizeBytes = (await fsPromises.stat(path)).size;
    await this.inner.syncAsync(path);
    this.record({ op: 'sync', path, sizeBytes });
  }

  syncDirectory(dir: string): void {
    this.inner.syncDirectory(dir);
  }

  syncDirectoryAsync(dir: string): Promise<void> {
    return this.inner.syncDirectoryAsync(dir);
  }

  truncate(fd: number, path: string, sizeBytes: number): void {
    this.inner.truncate(fd, path, sizeBytes);
    this.record({ op: 'truncate', path, sizeBytes });
  }

  rename(from: string, to: string): void {
    this.inner.rename(from, to);
    this.record({ op: 'rename', from, to });
  }

  remove(path: string): void {
    this.inner.remove(path);
    this.record({ op: 'remove', path });
  }

  close(): void {
    closeSync(this.fd);
  }

  private record(entry: JournalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }
}

/**
 * Replays a journal: each path the journal created or synced, with the length that survives a
 * power cut (its size at its last fsync, 0 if never synced). Paths the journal never saw are not
 * in the map (durable as they are).
 */
export function durableLengths(entries: Iterable<JournalEntry>): Map<string, number> {
  const durable = new Map<string, number>();
  for (const entry of entries) {
    switch (entry.op) {
      case 'create':
        durable.set(entry.path, 0);
        break;
      case 'sync':
        durable.set(entry.path, entry.sizeBytes);
        break;
      case 'truncate':
        // An unsynced cut may come back longer in reality; the bytes it removed are gone here.
        durable.set(entry.path, Math.min(durable.get(entry.path) ?? entry.sizeBytes, entry.sizeBytes));
        break;
      case 'rename': {
        const known = durable.get(entry.from);
        durable.delete(entry.from);
        if (known === undefined) durable.delete(entry.to);
        else durable.set(entry.to, known);
        break;
      }
      case 'remove':
        durable.delete(entry.path);
        break;
    }
  }
  return durable;
}

export function readJournal(journalPath: string): JournalEntry[] {
  if (!existsSync(journalPath)) return [];
  const text = readFileSync(journalPath, 'utf8');
  const lines = text.split('\n');
  // A line cut by the kill (the last one) never completed its operation's record.
  if (lines.at(-1) !== '') lines.pop();
  return lines.filter((line) => line !== '').map((line) => JSON.parse(line) as JournalEntry);
}

export interface DroppedBytes {
  /** Files cut back to their durable length. */
  readonly files: number;
  readonly bytes: number;
}

/**
 * The power cut, applied after the journaling process was killed: cuts every file the journal
 * knows to its durable length, then removes the journal (the next process starts a new one, and
 * what is on disk now is all durable). Never run it while the process still writes.
 */
export function dropUnsyncedBytes(journalPath: string): DroppedBytes {
  let files = 0;
  let bytes = 0;
  for (const [path, durableBytes] of durableLengths(readJournal(journalPath))) {
    assert(durableBytes >= 0, `durable length of ${path} is negative`);
    if (!existsSync(path)) continue;
    const sizeBytes = statSync(path).size;
    if (sizeBytes <= durableBytes) continue;
    truncateSync(path, durableBytes);
    files++;
    bytes += sizeBytes - durableBytes;
  }
  if (existsSync(journalPath)) unlinkSync(journalPath);
  return { files, bytes };
}
