/**
 * What happens when the disk fills while segments cannot leave it (the object store is down,
 * copying lags: uncopied segments stay local whatever local retention says): with
 * `log.dir.min.free.bytes` set, a leader refuses produce requests with KAFKA_STORAGE_ERROR while
 * its log directory has less free space than that. The error is retriable: producers back off
 * and retry (they slow down), and fail only after their delivery.timeout.ms if the space does not
 * come back. Replication is not refused (followers must keep up to preserve what was acknowledged),
 * nor are reads. Before that, with `log.dir.throttle.free.bytes` set, produce answers are held back
 * (and carry throttle_time_ms) longer as free space falls toward the refusal: producers with a
 * bounded number of requests in flight slow down first. Free space is read with statfs at most
 * once per `cacheMs`, not per request.
 */
import { statfsSync } from 'node:fs';
import { ApiError } from '@sluice/protocol';

/** Pure: the refusal for `freeBytes`, or null when producing may go on (0 = the guard is off). */
export function diskSpaceRefusal(logDir: string, freeBytes: number, minFreeBytes: number): ApiError | null {
  if (minFreeBytes <= 0 || freeBytes >= minFreeBytes) return null;
  return new ApiError(
    'KAFKA_STORAGE_ERROR',
    `log directory ${logDir} has ${freeBytes} bytes free, below log.dir.min.free.bytes=${minFreeBytes}: produce refused until retention or tiering frees space`,
  );
}

/** log.dir.throttle.free.bytes and log.dir.throttle.max.ms: the slow-down watermark above the refusal. */
export interface DiskThrottle {
  /** 0 = off. */
  readonly freeBytes: number;
  readonly maxMs: number;
}

export const NO_DISK_THROTTLE: DiskThrottle = Object.freeze({ freeBytes: 0, maxMs: 1_000 });

/**
 * Pure: how long to hold a produce answer back with `freeBytes` free. Nothing at or above the
 * throttle watermark; below it the hold grows linearly to `maxMs` at the refusal watermark
 * (`minFreeBytes`; a full disk when that is off), so producers with a bounded number of requests
 * in flight slow down as the disk fills, before KAFKA_STORAGE_ERROR refuses them.
 */
export function diskThrottleMs(freeBytes: number, minFreeBytes: number, throttle: DiskThrottle): number {
  if (throttle.freeBytes <= 0 || freeBytes >= throttle.freeBytes) return 0;
  const floor = Math.max(0, minFreeBytes);
  const span = throttle.freeBytes - floor;
  if (span <= 0 || freeBytes <= floor) return throttle.maxMs;
  return Math.max(1, Math.ceil((throttle.maxMs * (throttle.freeBytes - freeBytes)) / span));
}

export class DiskSpaceGuard {
  private checkedAtMs = -Infinity;
  private freeBytes = Number.MAX_SAFE_INTEGER;

  constructor(
    private readonly logDir: string,
    readonly minFreeBytes: number,
    private readonly nowMs: () => number,
    private readonly cacheMs = 1_000,
    private readonly freeBytesOf: (dir: string) => number = (dir) => {
      const stats = statfsSync(dir);
      return Number(stats.bavail) * Number(stats.bsize);
    },
    readonly throttle: DiskThrottle = NO_DISK_THROTTLE,
  ) {
    if (!(Number.isSafeInteger(minFreeBytes) && minFreeBytes >= 0)) {
      throw new RangeError(`log.dir.min.free.bytes ${minFreeBytes} must be >= 0`);
    }
    if (!(Number.isSafeInteger(throttle.freeBytes) && throttle.freeBytes >= 0))
      throw new RangeError(`log.dir.throttle.free.bytes ${throttle.freeBytes} must be >= 0`);
    if (!(Number.isSafeInteger(throttle.maxMs) && throttle.maxMs >= 1))
      throw new RangeError(`log.dir.throttle.max.ms ${throttle.maxMs} must be >= 1`);
    if (throttle.freeBytes > 0 && minFreeBytes > 0 && throttle.freeBytes <= minFreeBytes)
      throw new RangeError(
        `log.dir.throttle.free.bytes ${throttle.freeBytes} must be above log.dir.min.free.bytes ${minFreeBytes}`,
      );
  }

  /** Null while produce may go on; the KAFKA_STORAGE_ERROR to answer otherwise. */
  refusal(): ApiError | null {
    if (this.minFreeBytes === 0) return null;
    return diskSpaceRefusal(this.logDir, this.currentFreeBytes(), this.minFreeBytes);
  }

  /** How long to hold a produce answer back now (0: not throttled). */
  throttleMs(): number {
    if (this.throttle.freeBytes === 0) return 0;
    return diskThrottleMs(this.currentFreeBytes(), this.minFreeBytes, this.throttle);
  }

  private currentFreeBytes(): number {
    const now = this.nowMs();
    if (now - this.checkedAtMs >= this.cacheMs) {
      this.checkedAtMs = now;
      try {
        this.freeBytes = this.freeBytesOf(this.logDir);
      } catch {
        // statfs failing says nothing about free space; the appends themselves will fail if the disk did.
        this.freeBytes = Number.MAX_SAFE_INTEGER;
      }
    }
    return this.freeBytes;
  }
}
