/**
 * What happens when the disk fills while segments cannot leave it (the object store is down,
 * copying lags: uncopied segments stay local whatever local retention says): with
 * `log.dir.min.free.bytes` set, a leader refuses produce requests with KAFKA_STORAGE_ERROR while
 * its log directory has less free space than that. The error is retriable: producers back off
 * and retry (they slow down), and fail only after their delivery.timeout.ms if the space does not
 * come back. Replication is not refused (followers must keep up to preserve what was acknowledged),
 * nor are reads. Free space is read with statfs at most once per `cacheMs`, not per request.
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
  ) {
    if (!(Number.isSafeInteger(minFreeBytes) && minFreeBytes >= 0)) {
      throw new RangeError(`log.dir.min.free.bytes ${minFreeBytes} must be >= 0`);
    }
  }

  /** Null while produce may go on; the KAFKA_STORAGE_ERROR to answer otherwise. */
  refusal(): ApiError | null {
    if (this.minFreeBytes === 0) return null;
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
    return diskSpaceRefusal(this.logDir, this.freeBytes, this.minFreeBytes);
  }
}
