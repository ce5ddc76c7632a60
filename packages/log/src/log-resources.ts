import { closeSync, openSync } from 'node:fs';
import { assert } from './errors';
import { LruCache } from './lru-cache';
import { RecentAppendBudget } from './recent-appends';

export interface LogResourceLimits {
  /** Bytes of closed segments' index files held in memory, across all logs sharing this. */
  readonly indexCacheBytes: number;
  /** Read descriptors held open for closed segments, across all logs sharing this. */
  readonly maxOpenSegmentFiles: number;
  /**
   * Bytes of recent leader appends kept in memory to answer reads of the logs' tails (followers,
   * tailing consumers) without reading the files, across all logs sharing this (recent-appends.ts).
   */
  readonly recentAppendBytes?: number;
}

export const defaultLogResourceLimits: LogResourceLimits = Object.freeze({
  indexCacheBytes: 64 * 1024 * 1024,
  maxOpenSegmentFiles: 512,
  recentAppendBytes: 8 * 1024 * 1024,
});

/**
 * Process-wide bounded caches for closed segments: their index files (loaded whole on first
 * lookup, Node has no mmap) and read-only file descriptors. Active segments hold their own fd
 * and in-memory indexes outside these caches. Everything here is keyed by absolute path; the log
 * calls `forget` before it deletes, truncates or reuses a path.
 */
export class LogResources {
  readonly indexes: LruCache<Buffer>;
  readonly recentAppends: RecentAppendBudget;
  private readonly files: LruCache<number>;

  constructor(readonly limits: LogResourceLimits = defaultLogResourceLimits) {
    assert(limits.maxOpenSegmentFiles >= 1, 'maxOpenSegmentFiles must be >= 1');
    this.indexes = new LruCache<Buffer>(limits.indexCacheBytes);
    this.files = new LruCache<number>(limits.maxOpenSegmentFiles, (_path, fd) => closeSync(fd));
    this.recentAppends = new RecentAppendBudget(
      limits.recentAppendBytes ?? defaultLogResourceLimits.recentAppendBytes!,
    );
  }

  /** A read-only fd for `path`, valid until the next call into this object. */
  readFd(path: string): number {
    const cached = this.files.get(path);
    if (cached !== undefined) return cached;
    const fd = openSync(path, 'r');
    const kept = this.files.set(path, fd, 1);
    assert(kept, 'fd cache must hold at least one file');
    return fd;
  }

  get openFileCount(): number {
    return this.files.size;
  }

  forget(path: string): void {
    this.files.delete(path);
    this.indexes.delete(path);
  }

  close(): void {
    this.files.clear();
    this.indexes.clear();
  }
}

let shared: LogResources | null = null;

/** The default caches every log in this process shares unless given its own. */
export function sharedLogResources(): LogResources {
  shared ??= new LogResources();
  return shared;
}
