/**
 * `bench:compare --fill-page-cache`: before anything is measured, fill the machine's free memory
 * with one clean file (written, fdatasync'ed, kept until the bench ends), so that the systems'
 * own writes take page-cache pages by reclaiming that file's, not by growing into free memory.
 *
 * Why (docs/performance.md, section 41): on the VMs these benches run on, memory the guest freed
 * earlier costs about 2.7 s of system CPU per GB when the page cache grows back into it (a plain
 * `write()` loop: 0.19 s/GB otherwise), until the cache fills memory. A run that writes several GB
 * lands in that stretch or not depending on how much memory happened to be free, which moved the
 * tuned produce row by a third between two runs an hour apart. With free memory already holding
 * clean cache, every system's writes recycle pages alike.
 */
import { closeSync, fdatasyncSync, openSync, readFileSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Left free for the processes the bench starts (both systems' servers and clients). */
const RESERVE_BYTES = 6 * 1024 ** 3;
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Disk left free beside the ballast for the run's own data: a full fair run wrote about 36 GB (both systems, RF 3). */
const DISK_RESERVE_BYTES = 48 * 1024 ** 3;

export interface PageCacheBallast {
  readonly path: string;
  readonly bytes: number;
  readonly seconds: number;
  remove(): void;
}

/** MemAvailable from /proc/meminfo, in bytes (null where there is no /proc). */
export function memAvailableBytes(meminfo: string): number | null {
  const match = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo);
  return match === null ? null : Number(match[1]) * 1024;
}

/** Writes the ballast into `dir` (on the data directories' filesystem); null when memory or disk has no room, or there is no /proc. */
export function fillPageCache(dir: string): PageCacheBallast | null {
  let meminfo: string;
  try {
    meminfo = readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return null;
  }
  const available = memAvailableBytes(meminfo);
  if (available === null) return null;
  const disk = statfsSync(dir);
  const room = Math.min(available - RESERVE_BYTES, disk.bavail * disk.bsize - DISK_RESERVE_BYTES);
  if (room < CHUNK_BYTES) return null;
  const chunks = Math.floor(room / CHUNK_BYTES);
  const path = join(dir, 'page-cache-ballast');
  const chunk = Buffer.alloc(CHUNK_BYTES, 0x5a);
  const startedMs = Date.now();
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < chunks; i++) writeSync(fd, chunk, 0, CHUNK_BYTES, i * CHUNK_BYTES);
    // Clean before anything is measured: the disk writes of 10+ GB must not run under the bench.
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return {
    path,
    bytes: chunks * CHUNK_BYTES,
    seconds: (Date.now() - startedMs) / 1000,
    remove: () => rmSync(path, { force: true }),
  };
}
