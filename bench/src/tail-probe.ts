/**
 * `node bench/dist/tail-probe.js [--rate 5000] [--seconds 20] [--skip-seconds 2] [--runs 1]
 * [--warmup-records 600000] [--partitions 6] [--out DIR]`: where a record's end-to-end time goes at a
 * paced rate (acks=all, RF 3, 1 KiB records, the bench's e2e setting), stage by stage.
 *
 * The same cluster as bench:compare's sluice (3 controllers, 3 brokers, min.insync.replicas 2),
 * warmed with tuned produce runs, then `--runs` paced runs, each in a fresh load process as the
 * bench's are (a Producer on its defaults and a tailing Consumer, one process). The load process
 * stamps each record at send(), when its batch was drained into a request, at its acknowledgement
 * and at poll(); the brokers (tail-probe-hook) stamp every log append, leader and follower, every
 * high-watermark move and every GC pause, on the same wall clock. Each record's time splits into:
 *
 *   linger     send() -> its batch drained into a Produce request
 *   to-leader  drained -> appended on the leader (client, wire, the leader's queue)
 *   replicate  leader append -> appended on the later of the two followers
 *   hw         later follower append -> the leader's high watermark passes it (its next fetch)
 *   ack        high watermark -> send() resolved in the load process
 *   deliver    high watermark -> poll() returned it (the consumer's held fetch woken, answered)
 *
 * and the table shows each stage's percentiles over all records and its mean over the records
 * slower than the e2e p99, with how many of those overlapped a GC pause of each process.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver, constants } from 'node:perf_hooks';
import type { NodeGCPerformanceDetail, PerformanceEntry } from 'node:perf_hooks';
import { Consumer, Producer, RecordAccumulator } from '@sluice/client';
import { LocalCluster, waitFor } from '@sluice/local-cluster';

interface LoadOrder {
  readonly bootstrap: string;
  readonly topic: string;
  readonly partitions: number;
  readonly recordBytes: number;
  /** 'warmup': tuned produce of `records` as fast as possible; 'paced': the e2e run. */
  readonly kind: 'warmup' | 'paced';
  readonly records: number;
  readonly rate: number;
  readonly seconds: number;
  readonly out: string;
}

/** [seq, partition, offset, sendMs, drainedMs, ackMs, recvMs] on the wall clock (NaN: not seen). */
type Sample = [number, number, number, number, number, number, number, number?];

const wallMs = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

function flag(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(argv[at + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

// ------------------------------------------------------------------ the load process

async function runLoad(order: LoadOrder): Promise<void> {
  const pauses: [number, number, string][] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail;
      pauses.push([
        performance.timeOrigin + entry.startTime,
        entry.duration,
        detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR
          ? 'scavenge'
          : detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR
            ? 'mark-compact'
            : 'other',
      ]);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const template = Buffer.alloc(order.recordBytes);
  for (let i = 12; i < template.length; i++) template[i] = (i * 31 + 7) & 0xff;

  if (order.kind === 'warmup') {
    const producer = new Producer({ bootstrap: order.bootstrap, acks: 'all', batchSizeBytes: 131_072, lingerMs: 5 });
    let inFlight = 0;
    let wake: (() => void) | undefined;
    for (let i = 0; i < order.records; i++) {
      while (inFlight >= 20_000) await new Promise<void>((done) => (wake = done));
      inFlight++;
      void producer.send({ topic: order.topic, value: Buffer.from(template) }).finally(() => {
        inFlight--;
        wake?.();
      });
      if ((i & 1023) === 1023) await new Promise((done) => setImmediate(done));
    }
    await producer.flush();
    await producer.close();
    observer.disconnect();
    return;
  }

  // Which records each drained batch held: per partition, the sequence numbers not yet drained.
  const undrained = Array.from({ length: order.partitions }, () => [] as number[]);
  const drainedAt = new Float64Array(order.records).fill(NaN);
  const proto = RecordAccumulator.prototype as unknown as {
    drain: (...args: unknown[]) => { partition: number; recordCount: number }[];
  };
  const originalDrain = proto.drain;
  proto.drain = function drain(this: unknown, ...args: unknown[]) {
    const drained = originalDrain.apply(this, args);
    const now = wallMs();
    for (const batch of drained) {
      const queue = undrained[batch.partition];
      for (let n = 0; n < batch.recordCount && queue !== undefined && queue.length > 0; n++)
        drainedAt[queue.shift()!] = now;
    }
    return drained;
  };

  const consumer = new Consumer({ bootstrap: order.bootstrap, autoOffsetReset: 'latest' });
  const assignment = Array.from({ length: order.partitions }, (_, partition) => ({ topic: order.topic, partition }));
  consumer.assign(assignment);
  consumer.seekToEnd(assignment);
  for (const tp of assignment) await consumer.position(tp);
  const producer = new Producer({ bootstrap: order.bootstrap, acks: 'all' });

  const samples: Sample[] = [];
  let producing = true;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const received = (async () => {
    let seen = 0;
    let deadline = Infinity;
    while (wallMs() < deadline && (producing || seen < samples.length)) {
      if (!producing && deadline === Infinity) deadline = wallMs() + 10_000;
      const records = await consumer.poll(100);
      const now = wallMs();
      for (const record of records) {
        const seq = record.value?.readUInt32BE(8);
        const sample = seq === undefined ? undefined : samples[seq];
        if (sample !== undefined && Number.isNaN(sample[6])) {
          sample[6] = now;
          seen++;
        }
      }
    }
  })();
  const pending: Promise<unknown>[] = [];
  const start = performance.now();
  let i = 0;
  // --interleave NAME=VALUE: the environment variable is set and cleared in alternating blocks of
  // INTERLEAVE_BLOCK_MS within this run, and each record is tagged with the block it was sent in.
  const interleave = process.env.SLUICE_TAIL_INTERLEAVE?.split('=');
  const blockMs = 1_000;
  let mode = 0;
  while (i < order.records) {
    if (interleave !== undefined) {
      const wanted = Math.floor((performance.now() - start) / blockMs) % 2;
      if (wanted !== mode) {
        mode = wanted;
        if (mode === 1) process.env[interleave[0]!] = interleave[1] ?? '';
        else delete process.env[interleave[0]!];
      }
    }
    const due = Math.min(order.records, Math.floor(((performance.now() - start) / 1000) * order.rate));
    for (; i < due; i++) {
      const partition = i % order.partitions;
      const value = Buffer.from(template);
      value.writeUInt32BE(i, 8);
      const sample: Sample = [i, partition, -1, wallMs(), NaN, NaN, NaN, mode];
      samples.push(sample);
      undrained[partition]!.push(i);
      pending.push(
        producer.send({ topic: order.topic, partition, value }).then(
          (metadata) => {
            sample[2] = metadata.offset;
            sample[5] = wallMs();
          },
          () => undefined,
        ),
      );
    }
    await sleep(1);
  }
  for (const sample of samples) sample[4] = drainedAt[sample[0]] ?? NaN;
  await Promise.all(pending);
  producing = false;
  await received;
  for (const sample of samples) sample[4] = drainedAt[sample[0]] ?? NaN;
  loopDelay.disable();
  observer.disconnect();
  await producer.close();
  await consumer.close();
  writeFileSync(
    join(order.out, `LOAD.${process.pid}.json`),
    JSON.stringify({
      pid: process.pid,
      samples,
      pauses,
      loopDelayMs: {
        p50: loopDelay.percentile(50) / 1e6,
        p99: loopDelay.percentile(99) / 1e6,
        p999: loopDelay.percentile(99.9) / 1e6,
        max: loopDelay.max / 1e6,
      },
    }),
  );
}

// ------------------------------------------------------------------ the analysis

interface BrokerTimeline {
  readonly pid: number;
  readonly patched: string[];
  readonly loopDelayMs: Record<string, number>;
  readonly pauses: [number, number, string][];
  readonly appends: [number, string, string, number, number][];
  readonly highWatermarks: [number, string, number][];
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The first event time at which `offset` is covered, from per-partition lists sorted by time. */
function coveredAt(events: readonly { t: number; first: number; last: number }[] | undefined, offset: number): number {
  if (events === undefined) return NaN;
  for (const event of events) if (event.first <= offset && offset <= event.last) return event.t;
  return NaN;
}

function analyze(
  samples: Sample[],
  brokers: readonly BrokerTimeline[],
  loadPauses: readonly [number, number, string][],
  skipMs: number,
): string {
  const first = samples[0]?.[3] ?? 0;
  const kept = samples.filter((s) => s[3] - first >= skipMs && s[2] >= 0 && !Number.isNaN(s[6]));
  // Per partition dir (`topic-p`): leader appends, follower appends, leader's high-watermark moves.
  const leaderAppends = new Map<string, { t: number; first: number; last: number }[]>();
  const followerAppends = new Map<string, { t: number; first: number; last: number; pid: number }[]>();
  const hwMoves = new Map<string, { t: number; hw: number }[]>();
  const leaderPid = new Map<string, number>();
  for (const broker of brokers) {
    for (const [t, kind, dirName, firstOffset, lastOffset] of broker.appends) {
      const target = kind === 'L' ? leaderAppends : followerAppends;
      const list = target.get(dirName) ?? [];
      list.push({ t, first: firstOffset, last: lastOffset, pid: broker.pid } as never);
      target.set(dirName, list);
      if (kind === 'L') leaderPid.set(dirName, broker.pid);
    }
  }
  for (const broker of brokers)
    for (const [t, key, hw] of broker.highWatermarks) {
      if (leaderPid.get(key) !== broker.pid) continue;
      const list = hwMoves.get(key) ?? [];
      list.push({ t, hw });
      hwMoves.set(key, list);
    }
  for (const list of [...leaderAppends.values(), ...followerAppends.values()]) list.sort((a, b) => a.t - b.t);
  for (const list of hwMoves.values()) list.sort((a, b) => a.t - b.t);
  const topic = (dirName: string): string => dirName;
  void topic;

  const stageNames = ['linger', 'to-leader', 'replicate', 'hw', 'ack', 'deliver', 'e2e'] as const;
  const rows: Record<(typeof stageNames)[number], number>[] = [];
  const intervals: { start: number; end: number; e2e: number }[] = [];
  for (const [, partition, offset, sendMs, drainedMs, ackMs, recvMs] of kept) {
    const key = `${process.env.SLUICE_TAIL_TOPIC ?? 'tail'}-${partition}`;
    const leaderMs = coveredAt(leaderAppends.get(key), offset);
    const followers = (followerAppends.get(key) ?? []).filter((e) => e.first <= offset && offset <= e.last);
    const lastFollowerMs = followers.length === 0 ? NaN : Math.max(...followers.map((e) => e.t));
    const hwMs = hwMoves.get(key)?.find((move) => move.hw > offset)?.t ?? NaN;
    rows.push({
      linger: drainedMs - sendMs,
      'to-leader': leaderMs - drainedMs,
      replicate: lastFollowerMs - leaderMs,
      hw: hwMs - lastFollowerMs,
      ack: ackMs - hwMs,
      deliver: recvMs - hwMs,
      e2e: recvMs - sendMs,
    });
    intervals.push({ start: sendMs, end: recvMs, e2e: recvMs - sendMs });
  }
  const e2eSorted = rows.map((r) => r.e2e).sort((a, b) => a - b);
  const p99 = percentile(e2eSorted, 99);
  const slow = rows.filter((r) => r.e2e > p99);
  const lines: string[] = [];
  lines.push(
    `${kept.length} records (first ${skipMs / 1000} s dropped); e2e p50 ${percentile(e2eSorted, 50).toFixed(2)} p90 ${percentile(e2eSorted, 90).toFixed(2)} p99 ${p99.toFixed(2)} p99.9 ${percentile(e2eSorted, 99.9).toFixed(2)} max ${percentile(e2eSorted, 100).toFixed(2)} ms`,
  );
  lines.push('');
  lines.push('| stage | p50 | p90 | p99 | p99.9 | mean | mean over records > e2e p99 | share of their e2e |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  const slowE2e = slow.reduce((sum, r) => sum + r.e2e, 0) / Math.max(1, slow.length);
  for (const name of stageNames) {
    const values = rows.map((r) => r[name]).filter((v) => Number.isFinite(v));
    const sorted = [...values].sort((a, b) => a - b);
    const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
    const slowValues = slow.map((r) => r[name]).filter((v) => Number.isFinite(v));
    const slowMean = slowValues.reduce((s, v) => s + v, 0) / Math.max(1, slowValues.length);
    lines.push(
      `| ${name} | ${percentile(sorted, 50).toFixed(2)} | ${percentile(sorted, 90).toFixed(2)} | ${percentile(sorted, 99).toFixed(2)} | ${percentile(sorted, 99.9).toFixed(2)} | ${mean.toFixed(2)} | ${slowMean.toFixed(2)} | ${name === 'e2e' ? '' : `${((100 * slowMean) / slowE2e).toFixed(0)}%`} |`,
    );
  }
  // GC pauses inside the window, per process, and the slow records' overlap with them.
  const windowStart = kept[0]?.[3] ?? 0;
  const windowEnd = Math.max(...kept.map((s) => s[6]));
  const processes: { name: string; pauses: readonly [number, number, string][] }[] = [
    ...brokers.map((b) => ({ name: `broker pid ${b.pid}`, pauses: b.pauses })),
    { name: 'load process', pauses: loadPauses },
  ];
  lines.push('');
  lines.push(
    '| process | GC pauses in window | of which mark-compact | >= 2 ms | >= 5 ms | >= 10 ms | longest ms | GC ms per s | slow records overlapping a pause >= 2 ms | all records overlapping one |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const overlapShare = (
    set: readonly { start: number; end: number }[],
    pauses: readonly [number, number, string][],
  ) => {
    const long = pauses.filter(([, d]) => d >= 2).sort((a, b) => a[0] - b[0]);
    let hits = 0;
    for (const interval of set)
      if (long.some(([start, d]) => start < interval.end && start + d > interval.start)) hits++;
    return set.length === 0 ? 0 : (100 * hits) / set.length;
  };
  const slowIntervals = intervals.filter((x) => x.e2e > p99);
  for (const { name, pauses } of processes) {
    const inWindow = pauses.filter(([start]) => start >= windowStart && start <= windowEnd);
    const total = inWindow.reduce((s, [, d]) => s + d, 0);
    lines.push(
      `| ${name} | ${inWindow.length} | ${inWindow.filter(([, , kind]) => kind === 'mark-compact').length} | ${inWindow.filter(([, d]) => d >= 2).length} | ${inWindow.filter(([, d]) => d >= 5).length} | ${inWindow.filter(([, d]) => d >= 10).length} | ${Math.max(0, ...inWindow.map(([, d]) => d)).toFixed(1)} | ${(total / ((windowEnd - windowStart) / 1000)).toFixed(1)} | ${overlapShare(slowIntervals, inWindow).toFixed(0)}% | ${overlapShare(intervals, inWindow).toFixed(0)}% |`,
    );
  }
  lines.push('');
  for (const broker of brokers)
    lines.push(
      `broker pid ${broker.pid}: event-loop delay p50 ${broker.loopDelayMs.p50?.toFixed(1)} p99 ${broker.loopDelayMs.p99?.toFixed(1)} max ${broker.loopDelayMs.max?.toFixed(1)} ms (whole life); hooks: ${broker.patched.join(', ') || 'none'}`,
    );
  return lines.join('\n');
}

// ------------------------------------------------------------------ the orchestrator

async function main(argv: readonly string[]): Promise<void> {
  const rate = flag(argv, '--rate', 5_000);
  const seconds = flag(argv, '--seconds', 20);
  const skipMs = flag(argv, '--skip-seconds', 2) * 1000;
  const runs = flag(argv, '--runs', 1);
  const partitions = flag(argv, '--partitions', 6);
  const warmupRecords = flag(argv, '--warmup-records', 600_000);
  const outAt = argv.indexOf('--out');
  const out = resolve(outAt < 0 ? mkdtempSync(join(tmpdir(), 'sluice-tail-')) : argv[outAt + 1]!);
  mkdirSync(out, { recursive: true });
  const root = resolve(__dirname, '..', '..');
  // --broker-env NAME=VALUE[,NAME=VALUE]: extra environment for the brokers (experiments).
  const brokerEnvAt = argv.indexOf('--broker-env');
  const brokerEnv: Record<string, string> = Object.fromEntries(
    brokerEnvAt < 0 ? [] : (argv[brokerEnvAt + 1] ?? '').split(',').map((pair) => pair.split('=') as [string, string]),
  );
  const baseDir = mkdtempSync(join(tmpdir(), 'sluice-tail-cluster-'));
  const note = (text: string): void => void process.stderr.write(`[tail-probe] ${text}\n`);
  note(
    `load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; cluster in ${baseDir}, results in ${out}`,
  );
  const cluster = await LocalCluster.start(
    {
      baseDir,
      roles: {
        controller: { count: 3 },
        broker: {
          config: { 'min.insync.replicas': 2 },
          env: {
            NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'tail-probe-hook.js')}`.trim(),
            SLUICE_TAIL_PROBE_DIR: out,
            SLUICE_TAIL_PROBE_ROOT: root,
            ...brokerEnv,
          },
        },
        coordinator: { count: 0 },
      },
    },
    { brokersTimeoutMs: 60_000 },
  );
  const summaries: string[] = [];
  try {
    const bootstrap = cluster.brokers.addresses().join(',');
    for (const name of ['warm', 'tail']) {
      const created = await cluster.admin.createTopic({ name, numPartitions: partitions, replicationFactor: 3 });
      if (created.error !== undefined) throw created.error;
      await waitFor(
        `${name}: every partition led with a full ISR`,
        async () => {
          const topic = await cluster.admin.describeTopic(name);
          return topic.partitions.length === partitions && topic.partitions.every((p) => p.isr.length === 3);
        },
        60_000,
        200,
      );
    }
    const load = (
      order: Omit<LoadOrder, 'bootstrap' | 'partitions' | 'recordBytes' | 'out'> & {
        env?: Record<string, string>;
        execArgv?: string[];
      },
    ): Promise<void> =>
      new Promise((done, failed) => {
        const child = fork(
          __filename,
          ['--load', JSON.stringify({ ...order, bootstrap, partitions, recordBytes: 1024, out })],
          {
            env: { ...process.env, ...order.env },
            execArgv: [...process.execArgv, ...(order.execArgv ?? [])],
          },
        );
        child.on('exit', (code) => (code === 0 ? done() : failed(new Error(`load process exited with ${code}`))));
      });
    if (warmupRecords > 0) {
      note(`warm-up: ${warmupRecords} records, tuned, as fast as they go`);
      const started = performance.now();
      await load({ kind: 'warmup', topic: 'warm', records: warmupRecords, rate: 0, seconds: 0 });
      note(`  ${((warmupRecords * 1024) / 1e6 / ((performance.now() - started) / 1000)).toFixed(1)} MB/s`);
    }
    // --ab NAME=VALUE: runs alternate without and with NAME=VALUE in the load process's environment.
    const interleaveAt = argv.indexOf('--interleave');
    if (interleaveAt >= 0) process.env.SLUICE_TAIL_INTERLEAVE = argv[interleaveAt + 1];
    const abAt = argv.indexOf('--ab');
    const ab = abAt < 0 ? undefined : argv[abAt + 1]?.split('=');
    // --ab-flag --some-node-flag: runs alternate without and with that Node flag in the load process.
    const abFlagAt = argv.indexOf('--ab-flag');
    const abFlag = abFlagAt < 0 ? undefined : argv[abFlagAt + 1];
    for (let run = 1; run <= runs; run++) {
      const withAb = ab !== undefined && run % 2 === 0;
      const withFlag = abFlag !== undefined && run % 2 === 0;
      note(
        `run ${run}/${runs}: ${rate}/s for ${seconds} s${withAb ? ` with ${ab.join('=')}` : ''}${withFlag ? ` with ${abFlag}` : ''} (load ${loadavg()[0]!.toFixed(2)})`,
      );
      await load({
        kind: 'paced',
        topic: 'tail',
        records: rate * seconds,
        rate,
        seconds,
        ...(withAb ? { env: { [ab[0]!]: ab[1] ?? '' } } : {}),
        ...(withFlag ? { execArgv: [abFlag] } : {}),
      });
    }
  } finally {
    await cluster.stop();
  }
  const brokers = readdirSync(out)
    .filter((name) => name.startsWith('TAIL.'))
    .map((name) => JSON.parse(readFileSync(join(out, name), 'utf8')) as BrokerTimeline);
  const loads = readdirSync(out)
    .filter((name) => name.startsWith('LOAD.'))
    .map(
      (name) =>
        JSON.parse(readFileSync(join(out, name), 'utf8')) as {
          pid: number;
          samples: Sample[];
          pauses: [number, number, string][];
          loopDelayMs: Record<string, number>;
        },
    );
  loads.sort((a, b) => (a.samples[0]?.[3] ?? 0) - (b.samples[0]?.[3] ?? 0));
  for (const [index, loadRun] of loads.entries()) {
    if (loadRun.samples.some((sample) => sample[7] === 1)) {
      for (const wanted of [0, 1]) {
        const part = loadRun.samples.map((sample) =>
          sample[7] === wanted
            ? sample
            : ([sample[0], sample[1], sample[2], sample[3], sample[4], sample[5], NaN] as Sample),
        );
        summaries.push(
          `## run ${index + 1}, interleaved blocks ${wanted === 0 ? 'without' : 'with'} ${process.env.SLUICE_TAIL_INTERLEAVE ?? argv[argv.indexOf('--interleave') + 1]}\n\n${analyze(part, brokers, loadRun.pauses, skipMs)}`,
        );
      }
      continue;
    }
    summaries.push(
      `## run ${index + 1}: load process ${loadRun.pid} (event-loop delay p99 ${loadRun.loopDelayMs.p99?.toFixed(1)} max ${loadRun.loopDelayMs.max?.toFixed(1)} ms)\n\n${analyze(loadRun.samples, brokers, loadRun.pauses, skipMs)}`,
    );
  }
  const report = summaries.join('\n\n');
  writeFileSync(join(out, 'report.md'), `${report}\n`);
  process.stdout.write(
    `${report}\n\nload after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
}

if (process.argv[2] === '--load') {
  runLoad(JSON.parse(process.argv[3]!) as LoadOrder).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
