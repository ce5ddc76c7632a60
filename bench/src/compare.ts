/**
 * `pnpm bench:compare [--quick | --scaling]`: sluice side by side with Apache Kafka 4.1.1 (its own
 * tools, and kafkajs), NATS JetStream and Redis Streams on this machine, one workload
 * (compare-workload) for all. The default is the fair run (issue 19): sluice and Kafka up at once,
 * each warmed to its plateau, every setting alternated between them several times (compare-fair),
 * every run printed and the medians in the table; kafkajs then runs against the same warm Kafka,
 * and NATS and Redis (and, when asked, sluice's tracing and security rows) one pass each on their
 * own clusters. --quick is the old single cold pass per system (a smoke; bench:builds runs it);
 * --scaling the partitions / producers table (compare-scaling). Server processes are sampled from
 * /proc while a setting runs; every process is stopped by pid; the table is markdown on stdout
 * with each row's ratio to Kafka, the same as JSON under bench/results/; progress lines on stderr
 * carry the seconds since the start.
 */
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { fillPageCache } from './page-cache-ballast';
import { describeDisk, planDiskBytes } from './compare-disk';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopAllChildren, type RunningSystem } from './compare-procs';
import { renderNotes, renderTable, type ResultRow } from './compare-table';
import { startKafka } from './compare-kafka';
import { DRIVER_LABEL, describeRow, fillBacklog, measureSetting } from './compare-measure';
import { startNats } from './compare-nats';
import { startRedis } from './compare-redis';
import { startBenchIssuer } from './bench-issuer';
import { startSluice, type BenchIssuer } from './compare-sluice';
import { startOtlpSink, tracingEnv, type OtlpSink } from './otlp-sink';
import {
  describeTuning,
  parsePlan,
  USAGE,
  UsageError,
  type Plan,
  type Setting,
  type SystemName,
} from './compare-workload';
import { runFair, startContenders, type Contender, type FairOutcome } from './compare-fair';
import { aggregateRuns } from './fair-runs';
import { renderRunLog } from './fair-table';
import { runScalingMain } from './compare-scaling';
import { machineFacts } from './machine-facts';
import { profileBenchInto } from './cpu-profile-env';

const benchStartMs = Date.now();
/** Progress on stderr, each line stamped with the seconds since the start (where the time goes). */
const note = (text: string): void =>
  void process.stderr.write(`[${((Date.now() - benchStartMs) / 1000).toFixed(1).padStart(6)} s] ${text}\n`);

interface Group {
  /** The systems this cluster serves: kafka and kafkajs share one Kafka cluster. */
  readonly drivers: SystemName[];
  start(baseDir: string, replication: number): Promise<RunningSystem>;
  /** A sluice tracing row: only these setting kinds run (the cost of tracing where it shows). */
  readonly kinds?: readonly Setting['kind'][];
  /** Its own data directory name. */
  readonly dirName?: string;
}

/** What the tracing and security rows measure: producing, and the end-to-end time at a target rate. */
const TRACING_KINDS: readonly Setting['kind'][] = ['produce', 'latency'];

function groups(
  systems: readonly SystemName[],
  tracingPercents: readonly number[],
  sink: OtlpSink | undefined,
  issuer: BenchIssuer | undefined,
  fair: boolean,
): Group[] {
  const out: Group[] = [];
  // In the fair run, plain sluice and Kafka (with kafkajs on that Kafka) run in compare-fair.
  if (systems.includes('sluice') && !fair) out.push({ drivers: ['sluice'], start: (dir, rf) => startSluice(dir, rf) });
  // TLS + tokens + ACLs against all off, right after the plain rows.
  if (systems.includes('sluice') && issuer !== undefined)
    out.push({
      drivers: ['sluice'],
      kinds: TRACING_KINDS,
      dirName: 'sluice-secure',
      start: (dir, rf) => startSluice(dir, rf, undefined, issuer),
    });
  // Right after the plain sluice rows (tracing off), so the machine is in the same state.
  if (systems.includes('sluice') && sink !== undefined)
    for (const percent of tracingPercents)
      out.push({
        drivers: ['sluice'],
        kinds: TRACING_KINDS,
        dirName: `sluice-tracing-${percent}`,
        start: (dir, rf) => startSluice(dir, rf, { percent, env: tracingEnv(sink.endpoint, percent) }),
      });
  const kafkaDrivers = systems.filter((s) => s === 'kafka' || s === 'kafkajs');
  if (kafkaDrivers.length > 0 && !(fair && systems.includes('kafka')))
    out.push({ drivers: kafkaDrivers, start: startKafka });
  if (systems.includes('nats')) out.push({ drivers: ['nats'], start: startNats });
  if (systems.includes('redis')) out.push({ drivers: ['redis'], start: startRedis });
  return out;
}

function unsupported(driver: SystemName, setting: Setting): string | undefined {
  if (setting.acks === 'durable' && (driver === 'nats' || driver === 'redis'))
    return 'no topic setting that makes an acknowledgement wait for fsync on the replicas';
  if (driver === 'nats' && setting.acks === 'leader')
    return 'JetStream has no leader-only ack (a publish is acknowledged once the stream quorum stored it)';
  return undefined;
}

function topicName(driver: SystemName, setting: Setting): string {
  return `cmp-${driver}-${setting.kind}-${setting.acks}`;
}

/** Runs every setting of one driver against a running system, once each (the quick pass, the peers' rows). */
async function runDriver(
  plan: Plan,
  system: RunningSystem,
  driver: SystemName,
  rows: ResultRow[],
  skipped: string[],
  kinds?: readonly Setting['kind'][],
  settings: readonly Setting[] = plan.workload.settings,
): Promise<void> {
  const { workload } = plan;
  if (workload.warmupRecords > 0) {
    const warmup: Setting = {
      kind: 'produce',
      acks: 'all',
      records: workload.warmupRecords,
      rate: 0,
      seconds: 60,
      label: 'warm-up',
    };
    const topic = `cmp-${driver}-warmup`;
    note(`  ${DRIVER_LABEL[driver]}: warm-up, ${workload.warmupRecords} records (not measured)`);
    try {
      await system.createTopic(topic, workload.partitions, workload.replication);
      await fillBacklog(driver, system, topic, workload, warmup);
    } catch (error) {
      note(`    warm-up failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  let backlogTopic: string | undefined;
  let backlogRecords = 0;
  for (const planned of settings.filter((setting) => kinds === undefined || kinds.includes(setting.kind))) {
    // The consume setting reads back what the first produce setting left.
    let setting =
      planned.kind === 'consume' && backlogTopic !== undefined ? { ...planned, records: backlogRecords } : planned;
    const why = unsupported(driver, setting);
    if (why !== undefined) {
      skipped.push(`${system.name} / ${DRIVER_LABEL[driver]} / ${setting.label}: skipped: ${why}`);
      continue;
    }
    const topic = setting.kind === 'consume' && backlogTopic !== undefined ? backlogTopic : topicName(driver, setting);
    try {
      if (topic !== backlogTopic)
        await system.createTopic(topic, workload.partitions, workload.replication, {
          durable: setting.acks === 'durable',
        });
      if (setting.kind === 'consume' && backlogTopic === undefined) {
        note(`  ${setting.label}: filling ${topic} with ${setting.records} records first`);
        setting = { ...setting, records: await fillBacklog(driver, system, topic, workload, setting) };
      }
      note(`  ${DRIVER_LABEL[driver]}: ${setting.label}`);
      const row = await measureSetting(driver, system, topic, workload, setting);
      rows.push(row);
      note(`    ${describeRow(row)}`);
      if (setting.kind === 'produce' && backlogTopic === undefined) {
        backlogTopic = topic;
        backlogRecords = row.records;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      note(`    failed: ${message}`);
      skipped.push(`${system.name} / ${DRIVER_LABEL[driver]} / ${setting.label}: failed: ${message.split('\n')[0]}`);
    }
  }
}

/**
 * The cost of tracing: each tracing row against the plain sluice row of the same setting in this
 * run (tracing off): produce throughput as a ratio, e2e p50 / p99 as the difference.
 */
function tracingNotes(rows: readonly ResultRow[], sink: OtlpSink | undefined): string[] {
  const notes: string[] = [];
  for (const row of rows) {
    if (!row.system.startsWith('sluice tracing')) continue;
    const off = rows.find((other) => other.system === 'sluice' && other.setting === row.setting);
    if (off === undefined) continue;
    if (row.kind === 'produce') {
      const ratio = row.records / row.seconds / (off.records / off.seconds);
      notes.push(
        `- ${row.system}, ${row.setting}: ${(row.records / row.seconds).toFixed(0)} records/s vs ${(off.records / off.seconds).toFixed(0)} with tracing off = ${(ratio * 100).toFixed(1)}% (cost ${((1 - ratio) * 100).toFixed(1)}%); server CPU ${row.serverCpuSeconds.toFixed(1)} s vs ${off.serverCpuSeconds.toFixed(1)} s`,
      );
    } else if (row.latencyMs !== undefined && off.latencyMs !== undefined) {
      notes.push(
        `- ${row.system}, ${row.setting}: p50 ${row.latencyMs.p50.toFixed(2)} ms (off ${off.latencyMs.p50.toFixed(2)}), p99 ${row.latencyMs.p99.toFixed(2)} ms (off ${off.latencyMs.p99.toFixed(2)}); server CPU ${row.serverCpuSeconds.toFixed(1)} s vs ${off.serverCpuSeconds.toFixed(1)} s`,
      );
    }
  }
  if (sink !== undefined && notes.length > 0)
    notes.push(`- the OTLP sink received ${sink.requests} exports, ${(sink.bytes / 1e6).toFixed(1)} MB of spans`);
  return notes;
}

/**
 * The cost of security: each secure row against the plain sluice row of the same setting (TLS,
 * tokens and ACLs all off): produce throughput as a ratio (the goal is at least 0.85), e2e p99.
 */
function securityNotes(rows: readonly ResultRow[]): string[] {
  const notes: string[] = [];
  for (const row of rows) {
    if (row.system !== 'sluice secure') continue;
    const off = rows.find((other) => other.system === 'sluice' && other.setting === row.setting);
    if (off === undefined) continue;
    if (row.kind === 'produce') {
      const ratio = row.records / row.seconds / (off.records / off.seconds);
      notes.push(
        `- sluice secure (TLS + tokens + ACLs), ${row.setting}: ${(row.records / row.seconds).toFixed(0)} records/s vs ${(off.records / off.seconds).toFixed(0)} with all off = ratio ${ratio.toFixed(3)} (goal >= 0.85); server CPU ${row.serverCpuSeconds.toFixed(1)} s vs ${off.serverCpuSeconds.toFixed(1)} s`,
      );
    } else if (row.latencyMs !== undefined && off.latencyMs !== undefined) {
      notes.push(
        `- sluice secure (TLS + tokens + ACLs), ${row.setting}: e2e p50 ${row.latencyMs.p50.toFixed(2)} ms (off ${off.latencyMs.p50.toFixed(2)}), p99 ${row.latencyMs.p99.toFixed(2)} ms (off ${off.latencyMs.p99.toFixed(2)})`,
      );
    }
  }
  return notes;
}

/** The peers' settings in the fair run: one pass each, producer defaults (kafkajs, nats.js and ioredis have no batch.size / linger.ms). */
function peerSettings(plan: Plan): Setting[] {
  return plan.workload.settings.filter(
    (setting) =>
      setting.onlySystems === undefined && (setting.kind !== 'produce' || setting.producer?.name !== 'tuned'),
  );
}

function warmupRuleText(plan: Plan): string {
  const rule = plan.fair.warmup;
  const records = plan.workload.settings.find((s) => s.kind === 'produce')?.records ?? 0;
  return `warm-up: each system repeats produce acks=all · tuned (${records} records a run) until at least ${rule.minRecords} records went through and two consecutive runs are within ${(rule.tolerance * 100).toFixed(0)}% of each other (throughput stopped rising), at most ${rule.maxRuns} runs (the cap; a system that hits it is marked so); warm-up runs are listed and not measured`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let plan: Plan;
  try {
    plan = parsePlan(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (plan.mode === 'scaling') {
    await runScalingMain(plan, note);
    return;
  }
  const fair = plan.mode === 'fair';
  const startedAt = new Date();
  const loadBefore = loadavg();
  // $TMPDIR when set (section 42 ran Kafka on a small filesystem that way), else /tmp.
  const baseDir = mkdtempSync(join(tmpdir(), 'sluice-compare-'));
  profileBenchInto(plan.cpuProfileDir, plan.heapProfile);
  const rows: ResultRow[] = [];
  const skipped: string[] = [];
  const descriptions: string[] = [];
  let current: RunningSystem | undefined;
  const contenders: Contender[] = [];
  let fairOutcome: FairOutcome | undefined;
  const sink = plan.systems.includes('sluice') && plan.tracingPercents.length > 0 ? await startOtlpSink() : undefined;
  mkdirSync(baseDir, { recursive: true });
  const disk = statfsSync(baseDir);
  const diskSaid = describeDisk(planDiskBytes(plan), disk.bavail * disk.bsize);
  note(diskSaid);
  descriptions.push(diskSaid);
  // The ballast goes at the end even with --keep (it is memory's filler, not data).
  const ballast = plan.fillPageCache ? fillPageCache(baseDir) : null;
  const ballastSaid = !plan.fillPageCache
    ? `page cache: not filled first (${process.argv.includes('--no-fill-page-cache') ? '--no-fill-page-cache' : 'off by default outside the fair run against Kafka'}): the produce rows may move with how much memory was free (docs/performance.md sections 41-42)`
    : ballast === null
      ? 'page cache: asked to fill free memory first, nothing filled (no /proc/meminfo, or less than 6 GiB available)'
      : `page cache: free memory filled with ${(ballast.bytes / 1024 ** 3).toFixed(1)} GiB of clean cache (a sparse file read once, no disk) in ${ballast.seconds.toFixed(1)} s before anything ran, kept to the end, so every system's writes recycle cached pages (on by default in the fair run; --no-fill-page-cache turns it off; docs/performance.md sections 41-42)`;
  note(ballastSaid);
  descriptions.push(ballastSaid);
  const issuer = plan.systems.includes('sluice') && plan.security ? await startBenchIssuer(baseDir) : undefined;
  const stopContenders = async (): Promise<void> => {
    for (const contender of contenders.splice(0)) await contender.system.stop().catch(() => undefined);
  };
  const cleanup = async (): Promise<void> => {
    await current?.stop().catch(() => undefined);
    await stopContenders();
    await sink?.stop();
    await issuer?.stop();
    await stopAllChildren(5_000);
    ballast?.remove();
    if (!plan.keep) rmSync(baseDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    note('interrupted: stopping every process this bench started');
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (fair) {
      // Both clusters up for the whole fair part: neither restarts cold between settings.
      contenders.push(
        ...(await startContenders(plan, baseDir, note, skipped, {
          sluice: (dir, rf) => startSluice(dir, rf),
          kafka: startKafka,
        })),
      );
      descriptions.push(...contenders.map((contender) => contender.system.description));
      fairOutcome = await runFair(plan, contenders, note);
      rows.push(...aggregateRuns(fairOutcome.runs));
      skipped.push(...fairOutcome.failures);
      const kafka = contenders.find((contender) => contender.driver === 'kafka');
      if (kafka !== undefined && plan.systems.includes('kafkajs')) {
        note('kafkajs: against the same (warm) Kafka cluster, one pass');
        await runDriver(plan, kafka.system, 'kafkajs', rows, skipped, undefined, peerSettings(plan));
      }
      note('stopping sluice and Kafka');
      await stopContenders();
    }
    for (const group of groups(plan.systems, plan.tracingPercents, sink, issuer, fair)) {
      const dir = join(baseDir, group.dirName ?? (group.drivers[0] as string));
      mkdirSync(dir, { recursive: true });
      note(`${group.drivers.join(' + ')}: starting`);
      const t0 = Date.now();
      try {
        current = await group.start(dir, plan.workload.replication);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        note(`  could not start: ${message}`);
        skipped.push(`${group.drivers.join(' + ')}: not run: ${message.split('\n')[0]}`);
        continue;
      }
      descriptions.push(current.description);
      note(`  ${current.name} up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      for (const driver of group.drivers)
        await runDriver(plan, current, driver, rows, skipped, group.kinds, fair ? peerSettings(plan) : undefined);
      note(`  stopping ${current.name}`);
      await current.stop();
      current = undefined;
    }
  } finally {
    await cleanup();
  }

  const loadAfter = loadavg();
  const { workload } = plan;
  const took = (Date.now() - startedAt.getTime()) / 1000;
  const produceRecords = workload.settings.find((s) => s.kind === 'produce')?.records;
  const header = [
    `## sluice side by side${fair ? ' (fair run)' : ' (--quick: one cold pass, not the fair table)'}: ${startedAt.toISOString()}, ${took.toFixed(0)} s`,
    '',
    `Command: \`pnpm bench:compare ${process.argv.slice(2).join(' ')}\``.replace(/ `$/, '`'),
    '',
    ...machineFacts().map((fact) => `- ${fact}`),
    `- load average before / after: ${loadBefore.map((v) => v.toFixed(2)).join(' ')} / ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`,
    `- workload: ${workload.recordBytes}-byte records, ${workload.partitions} partitions, replication ${workload.replication}, min.insync.replicas ${Math.min(2, workload.replication)}, ${workload.producers} producer(s), ${workload.consumers} consumer(s); produce: ${produceRecords ?? '–'} records a run (at most ${workload.settings.find((s) => s.kind === 'produce')?.seconds ?? '–'} s), at most ${workload.maxInFlight} unacknowledged per Node producer; e2e: paced producer + tailing consumer in one process, send time in the record; serial: one record in flight`,
    ...(fair
      ? [
          `- ${warmupRuleText(plan)}`,
          `- order: sluice and Kafka up at once (the one not being measured idles); each setting ${plan.fair.produceRuns} measured runs per system for produce, ${plan.fair.probeRuns} for consume and e2e, in alternating order (A B B A ...); the table shows each run and the median; server RSS is the peak over the runs`,
          `- producer settings: defaults = each client's own (Kafka 4 and sluice alike: batch.size 16384, linger.ms 5); tuned = batch.size 131072, linger.ms 5 for both; sluice best = ${describeTuning(workload.settings.find((s) => s.producer?.name === 'sluice best')?.producer)} (sluice only; its ratio is against Kafka tuned); e2e serial = linger.ms 0 on both (EndToEndLatency sets it for Kafka's producer; sluice's Producer alike)`,
          `- consume backlog: each run reads the first ${workload.settings.find((s) => s.kind === 'consume')?.records ?? '–'} records of the tuned acks=all topic (topped up to that count first, unmeasured), timed alike on both sides from the partitions' assignment to the last record: offset lookups, connections to the leaders and the first fetch inside the time, group join (Kafka) and client start-up outside it; MB/s = records read x record size over that time`,
          "- produce rows send keyless records: each client's sticky partitioner (KIP-480) picks the partition, sluice's Producer as ProducerPerformance does; the e2e rows spread records round robin on both sides",
          `- kafkajs (against the same warm Kafka), NATS and Redis: one pass each on their clients' defaults after ${workload.warmupRecords} warm-up records (their clients have no batch.size / linger.ms)`,
          ...(fairOutcome?.warmups ?? []).map((w) => `- warm-up of ${w}`),
        ]
      : [
          `- ${workload.warmupRecords > 0 ? `${workload.warmupRecords} records produced first per driver, not measured` : 'no warm-up'}`,
        ]),
    ...descriptions.map((d) => `- ${d}`),
    "- MB/s = record values (10^6 bytes/s). Server RSS = peak of the summed RSS of the system's server processes (sampled every 200 ms). Server CPU s/GB = their utime+stime over the setting per 10^9 bytes of record values. × Kafka = this row over Apache Kafka's own tools in the same setting (MB/s for produce/consume, p99 for latency settings); rows of several runs: medians.",
  ].join('\n');
  const table = renderTable(rows);
  const runLog =
    fairOutcome === undefined
      ? ''
      : `\n\nEvery run of sluice and Kafka, in the order run (warm-up runs marked, not measured):\n\n${renderRunLog(fairOutcome.runs, fairOutcome.verdicts)}`;
  const tracing = tracingNotes(rows, sink);
  const security = securityNotes(rows);
  const notes = [renderNotes(rows), ...tracing, ...security, ...skipped.map((s) => `- ${s}`)]
    .filter((n) => n !== '')
    .join('\n');
  process.stdout.write(`\n${header}\n\n${table}${runLog}\n\nNotes:\n${notes}\n`);

  const outDir = plan.outputDir ?? resolve(__dirname, '..', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `compare-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), seconds: took, argv: process.argv.slice(2), mode: plan.mode, machine: machineFacts(), loadBefore, loadAfter, workload, fair: plan.fair, systems: descriptions, rows, runs: fairOutcome?.runs ?? [], skipped, table }, null, 2)}\n`,
  );
  note(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  void stopAllChildren(5_000).finally(() => process.exit(1));
});
