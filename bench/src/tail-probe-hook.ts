/**
 * Preloaded into the brokers by `bench/dist/tail-probe.js` (`NODE_OPTIONS=--require ...`): a
 * timeline of what the process did to each batch and of every pause it took, on the wall clock
 * (`performance.timeOrigin + performance.now()`, so the load process's stamps line up with it),
 * written to `$SLUICE_TAIL_PROBE_DIR/TAIL.<pid>.json` at SIGTERM (or exit).
 *
 * - every GC pause: start, duration, kind;
 * - every log append (leader or follower): partition directory, first and last offset;
 * - every high-watermark move the replication driver hands to the batch tracer;
 * - the event loop's delay (a histogram of 1 ms samples: what a timer or an I/O callback waited).
 *
 * The appends and high watermarks are seen by wrapping two prototypes of the broker's own modules
 * (`PartitionLog` and `BrokerBatchTracing`, from `$SLUICE_TAIL_PROBE_ROOT`, the checkout the broker
 * runs from). A checkout whose modules lack them still gets its pauses recorded. Bounded: at most
 * MAX_EVENTS of each list.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver, constants } from 'node:perf_hooks';
import type { NodeGCPerformanceDetail, PerformanceEntry } from 'node:perf_hooks';

const MAX_EVENTS = 2_000_000;

const dir = process.env.SLUICE_TAIL_PROBE_DIR;
const root = process.env.SLUICE_TAIL_PROBE_ROOT;

const wallMs = (): number => performance.timeOrigin + performance.now();

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental-marking',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

/** [start wall ms, duration ms, kind] */
const pauses: [number, number, string][] = [];
/** [wall ms, 'L' leader | 'F' follower, partition dir name, first offset, last offset] */
const appends: [number, string, string, number, number][] = [];
/** [wall ms, partition key, high watermark] */
const highWatermarks: [number, string, number][] = [];

function patch(): string[] {
  const patched: string[] = [];
  if (root === undefined || root === '') return patched;
  try {
    const logModule = require(join(root, 'packages', 'log', 'dist', 'log.js')) as {
      PartitionLog?: { prototype: Record<string, unknown> };
    };
    const proto = logModule.PartitionLog?.prototype;
    if (proto !== undefined) {
      for (const [name, kind] of [
        ['append', 'L'],
        ['appendAsFollower', 'F'],
      ] as const) {
        const original = proto[name] as
          ((...args: unknown[]) => { firstOffset: number; lastOffset: number } | null) | undefined;
        if (typeof original !== 'function') continue;
        proto[name] = function wrapped(this: { dir: string }, ...args: unknown[]) {
          const info = original.apply(this, args);
          if (info !== null && info !== undefined && appends.length < MAX_EVENTS)
            appends.push([wallMs(), kind, basename(this.dir), info.firstOffset, info.lastOffset]);
          return info;
        };
        patched.push(`PartitionLog.${name}`);
      }
    }
  } catch {
    // An older checkout: pauses only.
  }
  try {
    const tracingModule = require(join(root, 'services', 'broker', 'dist', 'node', 'batch-tracing.js')) as {
      BrokerBatchTracing?: { prototype: Record<string, unknown> };
    };
    const proto = tracingModule.BrokerBatchTracing?.prototype;
    const original = proto?.onHighWatermark as ((partition: { key: string }, hw: number) => void) | undefined;
    if (proto !== undefined && typeof original === 'function') {
      const last = new Map<string, number>();
      proto.onHighWatermark = function wrapped(this: unknown, partition: { key: string }, hw: number) {
        if (last.get(partition.key) !== hw && highWatermarks.length < MAX_EVENTS) {
          last.set(partition.key, hw);
          highWatermarks.push([wallMs(), partition.key, hw]);
        }
        return original.call(this, partition, hw);
      };
      patched.push('BrokerBatchTracing.onHighWatermark');
    }
  } catch {
    // An older checkout: pauses only.
  }
  return patched;
}

if (dir !== undefined && dir !== '') {
  const patched = patch();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail;
      if (pauses.length < MAX_EVENTS)
        pauses.push([
          performance.timeOrigin + entry.startTime,
          entry.duration,
          GC_KINDS[detail?.kind ?? -1] ?? 'other',
        ]);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  let written = false;
  const write = (): void => {
    if (written) return;
    written = true;
    observer.disconnect();
    loopDelay.disable();
    const ms = (ns: number): number => ns / 1e6;
    writeFileSync(
      join(dir, `TAIL.${process.pid}.json`),
      JSON.stringify({
        pid: process.pid,
        patched,
        loopDelayMs: {
          p50: ms(loopDelay.percentile(50)),
          p99: ms(loopDelay.percentile(99)),
          p999: ms(loopDelay.percentile(99.9)),
          max: ms(loopDelay.max),
        },
        pauses,
        appends,
        highWatermarks,
      }),
    );
  };
  process.on('exit', write);
  process.once('SIGTERM', () => {
    write();
    if (process.listenerCount('SIGTERM') === 0) process.exit(143);
  });
}
