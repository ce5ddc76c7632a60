/**
 * Preloaded into sluice processes by the benches (`NODE_OPTIONS=--require .../cpu-profile-hook.js`;
 * Node refuses --cpu-prof in NODE_OPTIONS). Two independent parts, each on when its directory is
 * set, both written when SIGTERM arrives (so a broker's profile is its run, not the leader moves
 * and log scans of its shutdown), or at exit when no SIGTERM came. An in-thread inspector session
 * answers synchronously, so the files are written from the signal or 'exit' handler.
 * - $SLUICE_BENCH_CPU_PROFILE_DIR: the V8 sampling CPU profiler from start-up, `CPU.<pid>.cpuprofile`.
 * - $SLUICE_BENCH_HEAP_PROFILE_DIR: the V8 sampling heap profiler counting every allocation,
 *   collected or not (so it shows what feeds the garbage collector, not what is live at exit),
 *   `HEAP.<pid>.heapprofile`; and every garbage collection's kind and duration with the process's
 *   external memory (Buffers' bytes live outside the V8 heap, where the heap profiler cannot see
 *   them), `GC.<pid>.json`.
 */
import { writeFileSync } from 'node:fs';
import { Session, type HeapProfiler, type Profiler } from 'node:inspector';
import { join } from 'node:path';
import { PerformanceObserver, constants, type NodeGCPerformanceDetail, type PerformanceEntry } from 'node:perf_hooks';

/** V8's default: one sample per 32 KiB allocated on average. */
const HEAP_SAMPLING_INTERVAL_BYTES = 32 * 1024;
/** Buffers from this size on get their own ArrayBuffer (smaller ones come from Node's 8 KiB pool). */
const UNPOOLED_BUFFER_BYTES = 4 * 1024;
/** Stack frames kept per Buffer allocation site, and at most this many distinct sites. */
const BUFFER_SITE_FRAMES = 6;
const MAX_BUFFER_SITES = 2_000;
/** GC pauses are counted at or above each of these lengths. */
const GC_PAUSE_THRESHOLDS_MS = [2, 5, 10, 20, 50] as const;

/**
 * Buffers' bytes live outside the V8 heap, so the heap profiler does not see them, yet every one
 * counts toward V8's external-memory limit, which starts a full GC each time it is crossed.
 * Counts the bytes of every unpooled Buffer that JavaScript allocates, by the allocating stack.
 * Buffers allocated natively (socket reads, HTTP/2 DATA frames) are not seen here.
 */
function countBufferAllocations(): Map<string, { count: number; bytes: number }> {
  const sites = new Map<string, { count: number; bytes: number }>();
  const count = (size: number): void => {
    if (!(size >= UNPOOLED_BUFFER_BYTES)) return;
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = BUFFER_SITE_FRAMES + 1;
    Error.captureStackTrace(holder, count);
    Error.stackTraceLimit = limit;
    const key = (holder.stack ?? '')
      .split('\n')
      .slice(2)
      .map((line) =>
        line
          .trim()
          .replace(/^at /, '')
          .replace(/\(.*\//, '('),
      )
      .join(' < ');
    const site = sites.get(key) ?? (sites.size < MAX_BUFFER_SITES ? { count: 0, bytes: 0 } : undefined);
    if (site === undefined) return;
    site.count++;
    site.bytes += size;
    sites.set(key, site);
  };
  for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const original = Buffer[name] as (size: number, ...rest: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[name] = function counted(size: number, ...rest: unknown[]): Buffer {
      count(size);
      return original.call(Buffer, size, ...rest);
    };
  }
  return sites;
}

const cpuDir = process.env.SLUICE_BENCH_CPU_PROFILE_DIR;
const heapDir = process.env.SLUICE_BENCH_HEAP_PROFILE_DIR;
const session = new Session();
session.connect();

/** What runs once, at SIGTERM or at exit, whichever comes first. */
const finishers: (() => void)[] = [];
let finished = false;
function finish(): void {
  if (finished) return;
  finished = true;
  for (const write of finishers) write();
}
process.on('exit', finish);
process.once('SIGTERM', () => {
  finish();
  // Ours was the only listener: SIGTERM's default (exit) must still happen.
  if (process.listenerCount('SIGTERM') === 0) process.exit(143);
});

if (cpuDir !== undefined && cpuDir !== '') {
  session.post('Profiler.enable');
  session.post('Profiler.start');
  finishers.push(() => {
    session.post('Profiler.stop', (error: Error | null, result: Profiler.StopReturnType) => {
      if (error === null) writeFileSync(join(cpuDir, `CPU.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental-marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

if (heapDir !== undefined && heapDir !== '') {
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: HEAP_SAMPLING_INTERVAL_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as HeapProfiler.StartSamplingParameterType);
  // Per GC kind: how many, how long, the longest, and how many paused at least each of
  // GC_PAUSE_THRESHOLDS_MS (the e2e tail is made of the long ones; bounded: one entry per kind).
  const gc = new Map<string, { count: number; durationMs: number; maxMs: number; atLeastMs: Record<string, number> }>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail;
      const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
      const total = gc.get(kind) ?? {
        count: 0,
        durationMs: 0,
        maxMs: 0,
        atLeastMs: Object.fromEntries(GC_PAUSE_THRESHOLDS_MS.map((ms) => [String(ms), 0])),
      };
      total.count++;
      total.durationMs += entry.duration;
      total.maxMs = Math.max(total.maxMs, entry.duration);
      for (const ms of GC_PAUSE_THRESHOLDS_MS)
        if (entry.duration >= ms) total.atLeastMs[String(ms)] = (total.atLeastMs[String(ms)] ?? 0) + 1;
      gc.set(kind, total);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const bufferSites = countBufferAllocations();
  const startedMs = Date.now();
  const startedCpu = process.cpuUsage();
  finishers.push(() => {
    observer.disconnect();
    const cpu = process.cpuUsage(startedCpu);
    writeFileSync(
      join(heapDir, `GC.${process.pid}.json`),
      JSON.stringify({
        wallMs: Date.now() - startedMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        gc: Object.fromEntries(gc),
        memory: process.memoryUsage(),
        buffers: Object.fromEntries(bufferSites),
      }),
    );
    session.post('HeapProfiler.stopSampling', (error: Error | null, result: HeapProfiler.StopSamplingReturnType) => {
      if (error === null)
        writeFileSync(join(heapDir, `HEAP.${process.pid}.heapprofile`), JSON.stringify(result.profile));
    });
  });
}
