/**
 * `pnpm bench:profile DIR [--produced-mb N] [--top 15] [--last-seconds S] [--window FROM_US..TO_US]`: what the profiles a
 * bench wrote with `--cpu-prof DIR [--heap-prof]` say, as shares (robust to a loaded machine,
 * unlike MB/s). `--last-seconds S` keeps only each CPU profile's last S seconds: a consume run is
 * the last thing a `--settings consume` bench does, after a backlog fill that would otherwise
 * outweigh it (docs/performance.md section 20); the allocation and GC figures stay whole-run.
 * `--window FROM_US..TO_US` keeps only the samples in that span of V8's clock (bench:idle prints
 * its idle and produce windows so).
 * - CPU (`CPU.<pid>.cpuprofile`, brokers in DIR, controllers in DIR/controller, the load process in
 *   DIR/client): each process's
 *   busy (non-idle) samples by where the time went: GC, grpc-js, protobufjs, Node's internals,
 *   sluice's own code, native functions; then the top functions by self time.
 * - Allocations (`HEAP.<pid>.heapprofile`, sampled over every allocation, collected or not):
 *   bytes allocated on the V8 heap by the allocating function and by the nearest sluice frame
 *   above it, per produced MB when `--produced-mb` is given. Buffers' contents live outside the V8
 *   heap and are not in these figures; `GC.<pid>.json` gives GC counts and time by kind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable } from './table';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface CpuNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}
interface CpuProfile {
  readonly nodes: readonly CpuNode[];
  readonly samples: readonly number[];
  /** Microseconds: each sample's time after the one before (the first's after startTime). */
  readonly timeDeltas: readonly number[];
  readonly endTime: number;
  readonly startTime: number;
}
interface HeapNode {
  readonly callFrame: CallFrame;
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}
interface GcStats {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Per kind; `maxMs` and `atLeastMs` (pauses at or above each length) in newer files only. */
  readonly gc: Record<
    string,
    { count: number; durationMs: number; maxMs?: number; atLeastMs?: Record<string, number> }
  >;
  /** Unpooled Buffers JavaScript allocated, by allocating stack (cpu-profile-hook). */
  readonly buffers?: Record<string, { count: number; bytes: number }>;
}

const CATEGORIES = [
  'GC',
  'grpc-js',
  'protobufjs',
  'Node internals (http2, streams, net)',
  'sluice',
  'native functions',
  '(program)',
  'other',
] as const;
type Category = (typeof CATEGORIES)[number];

function categoryOf(frame: CallFrame): Category | 'idle' {
  const { functionName, url } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return '(program)';
  if (url.includes('grpc-js')) return 'grpc-js';
  if (url.includes('protobufjs')) return 'protobufjs';
  if (url.startsWith('node:')) return 'Node internals (http2, streams, net)';
  if (url === '') return 'native functions';
  if (!url.includes('node_modules') && /\/(packages|services|bench)\//.test(url)) return 'sluice';
  return 'other';
}

function isSluice(frame: CallFrame): boolean {
  return categoryOf(frame) === 'sluice';
}

function site(frame: CallFrame): string {
  const file = frame.url
    .replace(/^.*\/(node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?)/, '')
    .replace(/^file:\/\//, '');
  const short = file.split('/').slice(-2).join('/');
  return `${frame.functionName === '' ? '(anonymous)' : frame.functionName} ${short}:${frame.lineNumber + 1}`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

function files(dir: string, prefix: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith(suffix))
    .map((name) => join(dir, name));
}

/** Samples kept: from..to on V8's clock (CLOCK_MONOTONIC microseconds, as bench:idle prints its windows). */
interface SampleWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

function cpuReport(
  label: string,
  paths: readonly string[],
  top: number,
  lastSeconds?: number,
  sampleWindow?: SampleWindow,
): void {
  if (paths.length === 0) return;
  const byCategory = new Map<Category, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const path of paths) {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const from = lastSeconds === undefined ? -Infinity : profile.endTime - lastSeconds * 1e6;
    let at = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      at += profile.timeDeltas[i] ?? 0;
      if (at < from) continue;
      if (sampleWindow !== undefined && (at < sampleWindow.fromUs || at > sampleWindow.toUs)) continue;
      const frame = nodes.get(profile.samples[i]!)!;
      const category = categoryOf(frame);
      if (category === 'idle') continue;
      busy++;
      byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
      const key = site(frame);
      byFunction.set(key, (byFunction.get(key) ?? 0) + 1);
    }
  }
  const window =
    (lastSeconds === undefined ? '' : `, the last ${lastSeconds} s of each`) +
    (sampleWindow === undefined ? '' : `, ${sampleWindow.fromUs}..${sampleWindow.toUs} us`);
  console.log(`\n## CPU: ${label} (${paths.length} profiles${window}, ${busy} busy samples)\n`);
  console.log(
    markdownTable(
      ['where', 'share of busy'],
      CATEGORIES.map((category) => [category, percent(byCategory.get(category) ?? 0, busy)]),
    ),
  );
  const functions = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top);
  console.log(
    `\n${markdownTable(
      ['function (self)', 'share of busy'],
      functions.map(([k, v]) => [k, percent(v, busy)]),
    )}`,
  );
}

function walkHeap(
  node: HeapNode,
  nearestSluice: string,
  bySite: Map<string, number>,
  bySluice: Map<string, number>,
): number {
  const here = isSluice(node.callFrame) ? site(node.callFrame) : nearestSluice;
  let total = node.selfSize;
  if (node.selfSize > 0) {
    const key = site(node.callFrame);
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
    bySluice.set(here, (bySluice.get(here) ?? 0) + node.selfSize);
  }
  for (const child of node.children) total += walkHeap(child, here, bySite, bySluice);
  return total;
}

function heapReport(label: string, dir: string, producedMb: number | undefined, top: number): void {
  const paths = files(dir, 'HEAP.', '.heapprofile');
  if (paths.length === 0) return;
  const bySite = new Map<string, number>();
  const bySluice = new Map<string, number>();
  let total = 0;
  for (const path of paths) {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as { head: HeapNode };
    total += walkHeap(profile.head, '(no sluice frame)', bySite, bySluice);
  }
  const perMb = (bytes: number): string =>
    producedMb === undefined ? '-' : `${(bytes / producedMb / 1024).toFixed(1)} KiB`;
  console.log(
    `\n## Allocations on the V8 heap: ${label} (${paths.length} processes, ${(total / 2 ** 20).toFixed(0)} MiB` +
      `${producedMb === undefined ? '' : `, ${perMb(total)} per produced MB`})\n`,
  );
  const rows = (map: Map<string, number>): string[][] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, bytes]) => [key, percent(bytes, total), perMb(bytes)]);
  console.log(markdownTable(['allocating function', 'share', 'per produced MB'], rows(bySite)));
  console.log(`\n${markdownTable(['nearest sluice frame', 'share', 'per produced MB'], rows(bySluice))}`);
  const gcPaths = files(dir, 'GC.', '.json');
  if (gcPaths.length === 0) return;
  const gcRows = gcPaths.map((path) => {
    const stats = JSON.parse(readFileSync(path, 'utf8')) as GcStats;
    const kinds = Object.entries(stats.gc).map(([kind, t]) => `${kind} ${t.count} / ${t.durationMs.toFixed(0)} ms`);
    const pauses = Object.entries(stats.gc)
      .filter(([, t]) => t.maxMs !== undefined)
      .map(([kind, t]) => {
        const atLeast = Object.entries(t.atLeastMs ?? {}).map(([ms, n]) => `>=${ms}: ${n}`);
        return `${kind} max ${(t.maxMs ?? 0).toFixed(1)} ms (${atLeast.join(', ')})`;
      });
    const gcMs = Object.values(stats.gc).reduce((sum, t) => sum + t.durationMs, 0);
    return [
      path.replace(/^.*GC\.(\d+)\.json$/, '$1'),
      stats.cpuMs.toFixed(0),
      percent(gcMs, stats.cpuMs),
      kinds.join(', '),
      pauses.join('; ') || '-',
    ];
  });
  console.log(
    `\n${markdownTable(['pid', 'CPU ms', 'GC pause / CPU', 'GCs: count / pause', 'longest pauses (count at or above ms)'], gcRows)}`,
  );
  const buffers = new Map<string, number>();
  let bufferBytes = 0;
  for (const path of gcPaths) {
    const stats = JSON.parse(readFileSync(path, 'utf8')) as GcStats;
    for (const [stack, { bytes }] of Object.entries(stats.buffers ?? {})) {
      buffers.set(stack, (buffers.get(stack) ?? 0) + bytes);
      bufferBytes += bytes;
    }
  }
  if (buffers.size === 0) return;
  console.log(
    `\n### Buffers of 4 KiB and more allocated by JavaScript (outside the V8 heap): ${(bufferBytes / 2 ** 20).toFixed(0)} MiB` +
      `${producedMb === undefined ? '' : `, ${(bufferBytes / 2 ** 20 / producedMb).toFixed(2)} MiB per produced MB`}\n`,
  );
  const bufferRows = [...buffers]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([stack, bytes]) => [
      stack,
      percent(bytes, bufferBytes),
      producedMb === undefined ? '-' : `${(bytes / 2 ** 20 / producedMb).toFixed(3)} MiB`,
    ]);
  console.log(markdownTable(['allocating stack', 'share', 'per produced MB'], bufferRows));
}

function main(argv: readonly string[]): void {
  const dir = argv[0];
  if (dir === undefined || dir.startsWith('--'))
    throw new Error(
      'usage: pnpm bench:profile DIR [--produced-mb N] [--top 15] [--last-seconds S] [--window FROM_US..TO_US]',
    );
  const mbAt = argv.indexOf('--produced-mb');
  const producedMb = mbAt < 0 ? undefined : Number(argv[mbAt + 1]);
  if (producedMb !== undefined && !(producedMb > 0)) throw new Error('--produced-mb must be a positive number');
  const topAt = argv.indexOf('--top');
  const top = topAt < 0 ? 15 : Number(argv[topAt + 1]);
  const lastAt = argv.indexOf('--last-seconds');
  const lastSeconds = lastAt < 0 ? undefined : Number(argv[lastAt + 1]);
  if (lastSeconds !== undefined && !(lastSeconds > 0)) throw new Error('--last-seconds must be a positive number');
  const windowAt = argv.indexOf('--window');
  let sampleWindow: SampleWindow | undefined;
  if (windowAt >= 0) {
    const [fromUs, toUs] = (argv[windowAt + 1] ?? '').split('..').map(Number);
    if (!(fromUs !== undefined && toUs !== undefined && fromUs >= 0 && toUs > fromUs))
      throw new Error('--window must be FROM_US..TO_US with FROM_US < TO_US (as bench:idle prints them)');
    sampleWindow = { fromUs, toUs };
  }
  cpuReport('brokers', files(dir, 'CPU.', '.cpuprofile'), top, lastSeconds, sampleWindow);
  heapReport('brokers', dir, producedMb, top);
  cpuReport('controllers', files(join(dir, 'controller'), 'CPU.', '.cpuprofile'), top, lastSeconds, sampleWindow);
  cpuReport('load process (client)', files(join(dir, 'client'), 'CPU.', '.cpuprofile'), top, lastSeconds, sampleWindow);
  heapReport('load process (client)', join(dir, 'client'), producedMb, top);
}

main(process.argv.slice(2));
