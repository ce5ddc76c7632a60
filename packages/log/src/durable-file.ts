import { closeSync, fdatasyncSync, fsyncSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { TMP_SUFFIX } from './file-names';

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

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` so that a crash leaves either the old or the new content, never a mix:
 * write a temp file, fdatasync it, rename over the target, fsync the directory.
 */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = path + TMP_SUFFIX;
  const fd = openSync(tmp, 'w');
  try {
    writeFully(fd, bytes, 0, bytes.length, 0);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDirectory(dirname(path));
}

/** Writes a whole file in place (not atomically); optionally fdatasyncs it. */
export function writeWholeFile(path: string, bytes: Buffer, sync: boolean): void {
  const fd = openSync(path, 'w');
  try {
    writeFully(fd, bytes, 0, bytes.length, 0);
    if (sync) fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
