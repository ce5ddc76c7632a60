import { closeSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { TMP_SUFFIX } from './file-names';
import type { LogFiles } from './log-files';

/** Temp files of scheduled (async) checkpoint writes; still `.tmp`, so open removes strays. */
const ASYNC_TMP_SUFFIX = '.async' + TMP_SUFFIX;

/** Writes all of `buffer[start, end)` at `position`, looping over short writes. */
export function writeFully(fd: number, buffer: Buffer, start: number, end: number, position: number): void {
  let at = start;
  let filePosition = position;
  while (at < end) {
    const written = writeSync(fd, buffer, at, end - at, filePosition);
    at += written;
    filePosition += written;
  }
}

/** Reads up to `length` bytes at `position` into `buffer[offset..]`; returns bytes read (short only at EOF). */
export function readFully(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
  let total = 0;
  while (total < length) {
    const got = readSync(fd, buffer, offset + total, length - total, position + total);
    if (got === 0) break;
    total += got;
  }
  return total;
}

/**
 * Replaces `path` so that a crash leaves either the old or the new content, never a mix:
 * write a temp file, fdatasync it, rename over the target, fsync the directory.
 */
export function writeFileAtomic(files: LogFiles, path: string, data: string | Buffer): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = path + TMP_SUFFIX;
  const fd = files.create(tmp, 'w');
  try {
    writeFully(fd, bytes, 0, bytes.length, 0);
    files.sync(fd, tmp);
  } finally {
    closeSync(fd);
  }
  files.rename(tmp, path);
  files.syncDirectory(dirname(path));
}

/**
 * `writeFileAtomic` with its syncs off the event loop, for checkpoints written on a schedule. Its
 * temp file has its own name, so a synchronous write of the same file meanwhile (a truncation
 * lowering a checkpoint) never shares it. `stillWanted` is asked right before the rename, in the
 * same tick: false (a newer synchronous write happened) discards this one, so an older value can
 * never replace a newer one. Resolves with whether the file was replaced.
 */
export async function writeFileAtomicAsync(
  files: LogFiles,
  path: string,
  data: string,
  stillWanted: () => boolean,
): Promise<boolean> {
  const tmp = path + ASYNC_TMP_SUFFIX;
  const bytes = Buffer.from(data, 'utf8');
  const fd = files.create(tmp, 'w');
  try {
    writeFully(fd, bytes, 0, bytes.length, 0);
  } finally {
    closeSync(fd);
  }
  await files.syncAsync(tmp);
  if (!stillWanted()) {
    files.remove(tmp);
    return false;
  }
  files.rename(tmp, path);
  await files.syncDirectoryAsync(dirname(path));
  return true;
}

/** Writes a whole file in place (not atomically); optionally fdatasyncs it. */
export function writeWholeFile(files: LogFiles, path: string, bytes: Buffer, sync: boolean): void {
  const fd = files.create(path, 'w');
  try {
    writeFully(fd, bytes, 0, bytes.length, 0);
    if (sync) files.sync(fd, path);
  } finally {
    closeSync(fd);
  }
}
