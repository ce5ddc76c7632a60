/**
 * The few file operations the Raft storage needs, all synchronous so the Ready loop's order
 * (persist, then send) is the program order, and all fsynced: a file is durable after
 * fsync(file), its name after fsync(directory).
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const TMP_SUFFIX = '.tmp';

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFully(fd: number, bytes: Uint8Array, position: number | null = null): void {
  let written = 0;
  while (written < bytes.byteLength) {
    written += writeSync(fd, bytes, written, bytes.byteLength - written, position === null ? null : position + written);
  }
}

/**
 * Replaces `path` atomically: write `path.tmp`, fsync it, rename over `path`, fsync the
 * directory. After a crash the file holds either the old or the new content, never a mix; a
 * leftover `.tmp` is garbage the next start-up deletes.
 */
export function writeFileAtomically(path: string, bytes: Uint8Array): void {
  const tmp = join(dirname(path), `${basename(path)}${TMP_SUFFIX}`);
  const fd = openSync(tmp, 'w');
  try {
    writeFully(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDirectory(dirname(path));
}
