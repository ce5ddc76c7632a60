import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  renameSync,
  unlinkSync,
  promises as fsPromises,
} from 'node:fs';

/**
 * The file operations of the log that decide what is on disk after a power loss: creating (or
 * emptying) a file, fsyncing it or its directory, cutting it, renaming and removing it. Reads,
 * writes and opens of existing files go to node:fs directly: until one of these syncs, a write is
 * only in the page cache, and that is exactly what a power-loss test needs to know. Injected
 * (`OpenLogOptions.files`) so a harness can journal every sync (fsync-journal.ts) and later drop
 * every byte that was never made durable.
 *
 * `syncAsync` and `syncDirectoryAsync` run on libuv's thread pool: a broker fsyncs a large
 * segment there, never on the event loop that serves requests.
 */
export interface LogFiles {
  /** Creates `path`, or empties it, and opens it: 'w' for writing, 'w+' for reading and writing. */
  create(path: string, mode: 'w' | 'w+'): number;
  /** fdatasync: every byte of `path` written before this call (through any fd) is durable after it. */
  sync(fd: number, path: string): void;
  /**
   * The same off the event loop. Opens `path` itself (a caller's fd may be closed by a cache at
   * any moment), fdatasyncs it and closes it; rejects (ENOENT) when the file is gone.
   */
  syncAsync(path: string): Promise<void>;
  /** fsync of a directory: the entries created, renamed or removed in it are durable. */
  syncDirectory(dir: string): void;
  syncDirectoryAsync(dir: string): Promise<void>;
  /** ftruncate of an fd open on `path`. */
  truncate(fd: number, path: string, sizeBytes: number): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
}

/** node:fs itself. */
export const nodeLogFiles: LogFiles = Object.freeze({
  create: (path: string, mode: 'w' | 'w+') => openSync(path, mode),
  sync: (fd: number) => fdatasyncSync(fd),
  async syncAsync(path: string): Promise<void> {
    const handle = await fsPromises.open(path, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  },
  syncDirectory(dir: string): void {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  async syncDirectoryAsync(dir: string): Promise<void> {
    const handle = await fsPromises.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  truncate: (fd: number, _path: string, sizeBytes: number) => ftruncateSync(fd, sizeBytes),
  rename: (from: string, to: string) => renameSync(from, to),
  remove: (path: string) => unlinkSync(path),
});
