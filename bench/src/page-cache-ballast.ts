/**
 * The fair `bench:compare`'s page-cache ballast (on by default when Kafka is in the fair run;
 * `--no-fill-page-cache` turns it off, `--fill-page-cache` turns it on anywhere): before anything
 * is measured, fill the machine's free memory with clean page cache, so that the systems' own
 * writes take page-cache pages by reclaiming the ballast's, not by growing into free memory.
 *
 * Why (docs/performance.md, section 41): on the VMs these benches run on, memory the guest freed
 * earlier costs about 2.7 s of system CPU per GB when the page cache grows back into it (a plain
 * `write()` loop: 0.19 s/GB otherwise), until the cache fills memory. A run that writes several GB
 * lands in that stretch or not depending on how much memory happened to be free, which moved the
 * tuned produce row by a third between two runs an hour apart. With free memory already holding
 * clean cache, every system's writes recycle pages alike.
 *
 * How (section 42): the ballast is a sparse file read through once. Reading a hole puts zeroed,
 * clean folios in the page cache like any file's (fincore counts them), and takes no disk. The
 * first ballast was written and fdatasync'ed: 16.6 GiB of disk on top of a fair run's own data
 * (3,102 bytes a 1 KiB record at RF 3, both systems), which by that count filled the disk where
 * Kafka's producer stalled for 600 s.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Left free for the processes the bench starts (both systems' servers and clients). */
export const MEMORY_RESERVE_BYTES = 6 * 1024 ** 3;
export const CHUNK_BYTES = 8 * 1024 * 1024;

export interface PageCacheBallast {
  readonly path: string;
  readonly bytes: number;
  readonly seconds: number;
  remove(): void;
}

/** A field of /proc/meminfo (`MemAvailable`, `MemFree`), in bytes (null where it is missing). */
export function meminfoBytes(meminfo: string, field: string): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
  return match === null ? null : Number(match[1]) * 1024;
}

/** MemAvailable from /proc/meminfo, in bytes (null where there is no /proc). */
export function memAvailableBytes(meminfo: string): number | null {
  return meminfoBytes(meminfo, 'MemAvailable');
}

/**
 * How much to fill: what the kernel counts as available (free plus reclaimable cache) less the
 * processes' reserve, in whole chunks; 0 when that leaves less than one chunk. The ballast takes
 * no disk (a sparse file), so only memory bounds it.
 */
export function ballastBytes(memAvailable: number, reserveBytes: number = MEMORY_RESERVE_BYTES): number {
  if (!Number.isFinite(memAvailable) || !Number.isFinite(reserveBytes) || reserveBytes < 0)
    throw new RangeError(`ballastBytes: memAvailable ${memAvailable}, reserve ${reserveBytes}`);
  const room = memAvailable - reserveBytes;
  return room < CHUNK_BYTES ? 0 : Math.floor(room / CHUNK_BYTES) * CHUNK_BYTES;
}

/** Reads a sparse ballast file into the page cache in `dir`; null when memory has no room, or there is no /proc. */
export function fillPageCache(dir: string): PageCacheBallast | null {
  let meminfo: string;
  try {
    meminfo = readFileSync('/proc/meminfo', 'utf8');
  } catch {
    return null;
  }
  const available = memAvailableBytes(meminfo);
  if (available === null) return null;
  const bytes = ballastBytes(available);
  return bytes === 0 ? null : readSparseBallast(dir, bytes);
}

/** Creates `dir/page-cache-ballast`, a hole of `bytes`, and reads it through once (its pages then cached, clean). */
export function readSparseBallast(dir: string, bytes: number): PageCacheBallast {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`page-cache ballast: bytes ${bytes}`);
  const path = join(dir, 'page-cache-ballast');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  const startedMs = Date.now();
  const fd = openSync(path, 'w+');
  try {
    // A hole of `bytes`: no block is allocated, reading it caches zeroed pages.
    ftruncateSync(fd, bytes);
    for (let offset = 0; offset < bytes;) {
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, offset);
      if (read === 0) throw new Error(`page-cache ballast: ${path} ended at ${offset} of ${bytes} bytes`);
      offset += read;
    }
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw error;
  }
  closeSync(fd);
  return {
    path,
    bytes,
    seconds: (Date.now() - startedMs) / 1000,
    remove: () => rmSync(path, { force: true }),
  };
}
