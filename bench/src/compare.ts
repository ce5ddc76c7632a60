/**
 * `pnpm bench:compare [--quick]`: sluice side by side with Apache Kafka 4 (its own tools, and
 * kafkajs), NATS JetStream and Redis Streams on this machine, one workload (compare-workload)
 * for all. Starts each system in turn (compare-sluice, compare-kafka, compare-nats,
 * compare-redis), runs every setting in a load process (compare-load; Kafka's tools for the
 * Kafka rows) while sampling the system's server processes from /proc, stops the system by pid,
 * and prints one markdown table (compare-table) with each row's ratio to Kafka; the same as JSON
 * under bench/results/. --quick runs sluice and Kafka only (the others when named in --systems),
 * with short settings; progress lines on stderr carry the seconds since the start.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoadResult, LoadSpec } from './compare-load';
import { ProcSampler, runTracked, stopAllChildren, type RunningSystem } from './compare-procs';
import { renderNotes, renderTable, type ResultRow } from './compare-table';
import { startKafka, runKafkaTool } from './compare-kafka';
import { startNats } from './compare-nats';
import { startRedis } from './compare-redis';
import { startBenchIssuer } from './bench-issuer';
import { startSluice, type BenchIssuer } from './compare-sluice';
import { startOtlpSink, tracingEnv, type OtlpSink } from './otlp-sink';
import { parsePlan, USAGE, UsageError, type Plan, type Setting, type SystemName } from './compare-workload';

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

const DRIVER_LABEL: Record<SystemName, string> = {
  sluice: '@sluice/client',
  kafka: 'kafka-tools',
  kafkajs: 'kafkajs 2.2.4',
  nats: 'nats.js',
  redis: 'ioredis',
};

function groups(
  systems: readonly SystemName[],
  tracingPercents: readonly number[],
  sink: OtlpSink | undefined,
  issuer: BenchIssuer | undefined,
): Group[] {
  const out: Group[] = [];
  if (systems.includes('sluice')) out.push({ drivers: ['sluice'], start: (dir, rf) => startSluice(dir, rf) });
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
  if (kafkaDrivers.length > 0) out.push({ drivers: kafkaDrivers, start: startKafka });
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

async function runLoadProcess(spec: LoadSpec, env: Readonly<Record<string, string>> = {}): Promise<LoadResult> {
  // With --cpu-prof the load process (the client side) is profiled too, into <dir>/client.
  const profileDir = process.env.SLUICE_COMPARE_CPU_PROFILE;
  const profile =
    profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'client')}`];
  const run = await runTracked(
    process.execPath,
    [...profile, join(__dirname, 'compare-load.js'), JSON.stringify(spec)],
    900_000,
    { env: { ...process.env, ...env } },
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (run.code !== 0 || line === undefined)
    throw new Error(
      `load process (${spec.system}, ${spec.kind}) exited with ${run.code}:\n${run.stderr.trim().split('\n').slice(-15).join('\n')}`,
    );
  return JSON.parse(line.slice('RESULT '.length)) as LoadResult;
}

function topicName(driver: SystemName, setting: Setting): string {
  return `cmp-${driver}-${setting.kind}-${setting.acks}`;
}

/** Runs every setting of one driver against a running system; one row each. */
async function runDriver(
  plan: Plan,
  system: RunningSystem,
  driver: SystemName,
  rows: ResultRow[],
  skipped: string[],
  kinds?: readonly Setting['kind'][],
): Promise<void> {
  const { workload } = plan;
  const clientEnv = system.clientEnv ?? {};
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
      if (driver === 'kafka') await runKafkaTool(system.connect.bootstrap ?? '', topic, workload, warmup);
      else
        await runLoadProcess(
          {
            system: driver,
            connect: system.connect,
            topic,
            partitions: workload.partitions,
            recordBytes: workload.recordBytes,
            kind: 'produce',
            acks: 'all',
            records: warmup.records,
            rate: 0,
            seconds: warmup.seconds,
            producers: workload.producers,
            consumers: workload.consumers,
            maxInFlight: workload.maxInFlight,
          },
          clientEnv,
        );
    } catch (error) {
      note(`    warm-up failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  let backlogTopic: string | undefined;
  let backlogRecords = 0;
  for (const planned of workload.settings.filter((setting) => kinds === undefined || kinds.includes(setting.kind))) {
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
      let spec: LoadSpec = {
        system: driver === 'kafka' ? 'kafkajs' : driver,
        connect: system.connect,
        topic,
        partitions: workload.partitions,
        recordBytes: workload.recordBytes,
        kind: setting.kind,
        acks: setting.acks,
        records: setting.records,
        rate: setting.rate,
        seconds: setting.seconds,
        producers: workload.producers,
        consumers: workload.consumers,
        maxInFlight: workload.maxInFlight,
      };
      if (setting.kind === 'consume' && backlogTopic === undefined) {
        note(`  ${setting.label}: filling ${topic} with ${setting.records} records first`);
        const filled =
          driver === 'kafka'
            ? await runKafkaTool(system.connect.bootstrap ?? '', topic, workload, {
                ...setting,
                kind: 'produce',
                acks: 'all',
              })
            : await runLoadProcess({ ...spec, kind: 'produce', acks: 'all', seconds: 0 }, clientEnv);
        spec = { ...spec, records: filled.records };
        setting = { ...setting, records: filled.records };
      }
      note(`  ${DRIVER_LABEL[driver]}: ${setting.label}`);
      const sampler = new ProcSampler(system.serverPids()).start();
      let row: ResultRow;
      try {
        if (driver === 'kafka') {
          const result = await runKafkaTool(system.connect.bootstrap ?? '', topic, workload, setting);
          const sample = sampler.stop();
          row = {
            system: system.name,
            driver: DRIVER_LABEL[driver],
            setting: setting.label,
            kind: setting.kind,
            records: result.records,
            bytes: result.records * workload.recordBytes,
            seconds: result.seconds,
            rssMiB: sample.peakRssMiB,
            serverCpuSeconds: sample.cpuSeconds,
            note: result.note,
            reference: true,
            ...(result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs }),
          };
        } else {
          const result = await runLoadProcess(spec, clientEnv);
          const sample = sampler.stop();
          const problems = [
            result.errors > 0 ? `${result.errors} failed (first: ${result.firstError ?? '?'})` : '',
            (result.missing ?? 0) > 0 ? `${result.missing} not seen by the consumer` : '',
          ].filter((p) => p !== '');
          row = {
            system: system.name,
            driver: DRIVER_LABEL[driver],
            setting: setting.label,
            kind: setting.kind,
            records: result.records,
            bytes: result.bytes,
            seconds: result.seconds,
            rssMiB: sample.peakRssMiB,
            serverCpuSeconds: sample.cpuSeconds,
            ...(result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs }),
            ...(problems.length === 0 ? {} : { note: problems.join('; ') }),
          };
        }
      } finally {
        sampler.stop();
      }
      rows.push(row);
      note(
        `    ${(row.bytes / 1e6 / row.seconds).toFixed(1)} MB/s, ${(row.records / row.seconds).toFixed(0)} records/s${row.latencyMs === undefined ? '' : `, p50 ${row.latencyMs.p50.toFixed(2)} p99 ${row.latencyMs.p99.toFixed(2)} ms`}, server RSS ${row.rssMiB.toFixed(0)} MiB, server CPU ${row.serverCpuSeconds.toFixed(1)} s`,
      );
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

function machineFacts(): string[] {
  const cpu = cpus();
  const facts = [`${cpu.length} cores (${cpu[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`];
  try {
    const df = execFileSync('df', ['-hT', '/tmp'], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
    const [device, type, size] = df.split(/\s+/);
    const name = (device ?? '').replace(/^\/dev\//, '').replace(/\d+$/, '');
    let rotational = '?';
    try {
      rotational =
        execFileSync('cat', [`/sys/block/${name}/queue/rotational`], { encoding: 'utf8' }).trim() === '0'
          ? 'non-rotational'
          : 'rotational';
    } catch {
      // not a block device we can see
    }
    facts.push(`data in /tmp on ${device} (${type}, ${size}, ${rotational}) for every system`);
  } catch {
    facts.push('data in /tmp for every system');
  }
  const javaVersion = spawnSync('java', ['-version'], { encoding: 'utf8' });
  facts.push(
    `node ${process.version}, java ${/version "([^"]+)"/.exec(`${javaVersion.stderr ?? ''}${javaVersion.stdout ?? ''}`)?.[1] ?? '?'}`,
  );
  return facts;
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
  const startedAt = new Date();
  const loadBefore = loadavg();
  const baseDir = mkdtempSync(join('/tmp', 'sluice-compare-'));
  if (plan.cpuProfileDir !== undefined) {
    mkdirSync(plan.cpuProfileDir, { recursive: true });
    process.env.SLUICE_COMPARE_CPU_PROFILE = resolve(plan.cpuProfileDir);
  }
  const rows: ResultRow[] = [];
  const skipped: string[] = [];
  const descriptions: string[] = [];
  let current: RunningSystem | undefined;
  const sink = plan.systems.includes('sluice') && plan.tracingPercents.length > 0 ? await startOtlpSink() : undefined;
  mkdirSync(baseDir, { recursive: true });
  const issuer = plan.systems.includes('sluice') && plan.security ? await startBenchIssuer(baseDir) : undefined;
  const cleanup = async (): Promise<void> => {
    await current?.stop().catch(() => undefined);
    await sink?.stop();
    await issuer?.stop();
    await stopAllChildren(5_000);
    if (!plan.keep) rmSync(baseDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    note('interrupted: stopping every process this bench started');
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    for (const group of groups(plan.systems, plan.tracingPercents, sink, issuer)) {
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
      for (const driver of group.drivers) await runDriver(plan, current, driver, rows, skipped, group.kinds);
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
  const header = [
    `## sluice side by side${workload.quick ? ' (--quick)' : ''}: ${startedAt.toISOString()}, ${took.toFixed(0)} s`,
    '',
    `Command: \`pnpm bench:compare ${process.argv.slice(2).join(' ')}\``.replace(/ `$/, '`'),
    '',
    ...machineFacts().map((fact) => `- ${fact}`),
    `- load average before / after: ${loadBefore.map((v) => v.toFixed(2)).join(' ')} / ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`,
    `- workload: ${workload.recordBytes}-byte records, ${workload.partitions} partitions, replication ${workload.replication}, ${workload.producers} producer(s), ${workload.consumers} consumer(s); produce: ${workload.settings.find((s) => s.kind === 'produce')?.records ?? '–'} records, at most ${workload.maxInFlight} unacknowledged per producer; ${workload.warmupRecords > 0 ? `${workload.warmupRecords} records produced first per driver, not measured` : 'no warm-up'}; e2e: paced producer + tailing consumer in one process, send time in the record; serial: one record in flight`,
    ...descriptions.map((d) => `- ${d}`),
    "- MB/s = record values (10^6 bytes/s). Server RSS = peak of the summed RSS of the system's server processes (sampled every 200 ms). Server CPU s/GB = their utime+stime over the setting per 10^9 bytes of record values. × Kafka = this row over Apache Kafka's own tools in the same setting (MB/s for produce/consume, p99 for latency settings).",
  ].join('\n');
  const table = renderTable(rows);
  const tracing = tracingNotes(rows, sink);
  const security = securityNotes(rows);
  const notes = [renderNotes(rows), ...tracing, ...security, ...skipped.map((s) => `- ${s}`)]
    .filter((n) => n !== '')
    .join('\n');
  process.stdout.write(`\n${header}\n\n${table}\n\nNotes:\n${notes}\n`);

  const outDir = plan.outputDir ?? resolve(__dirname, '..', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `compare-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), seconds: took, argv: process.argv.slice(2), machine: machineFacts(), loadBefore, loadAfter, workload, systems: descriptions, rows, skipped, table }, null, 2)}\n`,
  );
  note(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  void stopAllChildren(5_000).finally(() => process.exit(1));
});
