/** Wall-clock timing with process.hrtime; returns seconds. */
export function timeSeconds(work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function mbPerSecond(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds;
}
