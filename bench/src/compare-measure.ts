/**
 * One setting measured once on one running system: the load process (compare-load) or Kafka's own
 * tools drive it while the system's server processes are sampled from /proc (RSS peak, CPU).
 * Shared by the quick pass (compare.ts), the fair run (compare-fair) and the scaling table
 * (compare-scaling), so every row of every table is measured the same way.
 */
import { join } from 'node:path';
import type { LoadResult, LoadSpec } from './compare-load';
import { CPU_PROFILE_HOOK } from './cpu-profile-env';
import { LOAD_PROCESS_NODE_FLAGS } from './load-process-flags';
import { ProcSampler, runTracked, type RunningSystem } from './compare-procs';
import type { ResultRow } from './compare-table';
import { runKafkaTool } from './compare-kafka';
import { describeTuning, type Setting, type SystemName, type Workload } from './compare-workload';

export const DRIVER_LABEL: Record<SystemName, string> = {
  sluice: '@sluice/client',
  kafka: 'kafka-tools',
  kafkajs: 'kafkajs 2.2.4',
  nats: 'nats.js',
  redis: 'ioredis',
};

/** Runs one LoadSpec in its own Node process (the client side), optionally profiled. */
export async function runLoadProcess(spec: LoadSpec, env: Readonly<Record<string, string>> = {}): Promise<LoadResult> {
  // With --cpu-prof the load process (the client side) is profiled too, into <dir>/client.
  const profileDir = process.env.SLUICE_COMPARE_CPU_PROFILE;
  const profiled = profileDir !== undefined && profileDir !== '';
  const profile = profiled ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'client')}`] : [];
  // --heap-prof: the hook samples the load process's allocations too (its CPU profile is --cpu-prof's).
  const heap = profiled && process.env.SLUICE_COMPARE_HEAP_PROFILE === '1';
  if (heap) profile.push('--require', CPU_PROFILE_HOOK);
  const run = await runTracked(
    process.execPath,
    [...LOAD_PROCESS_NODE_FLAGS, ...profile, join(__dirname, 'compare-load.js'), JSON.stringify(spec)],
    900_000,
    { env: { ...process.env, ...env, ...(heap ? { SLUICE_BENCH_HEAP_PROFILE_DIR: join(profileDir, 'client') } : {}) } },
  );
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (run.code !== 0 || line === undefined)
    throw new Error(
      `load process (${spec.system}, ${spec.kind}) exited with ${run.code}:\n${run.stderr.trim().split('\n').slice(-15).join('\n')}`,
    );
  return JSON.parse(line.slice('RESULT '.length)) as LoadResult;
}

/** The load process's spec for a setting on a topic (kafka's rows run Kafka's tools instead). */
export function loadSpecFor(
  driver: SystemName,
  system: RunningSystem,
  topic: string,
  workload: Workload,
  setting: Setting,
): LoadSpec {
  return {
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
    ...(setting.producer === undefined ? {} : { producerTuning: setting.producer }),
    ...(setting.clientPartitioner === true && setting.kind === 'produce' ? { clientPartitioner: true } : {}),
  };
}

/** Produces `setting.records` (acks=all) into `topic` unmeasured: the backlog a consume row reads. */
export async function fillBacklog(
  driver: SystemName,
  system: RunningSystem,
  topic: string,
  workload: Workload,
  setting: Setting,
): Promise<number> {
  // A consume setting's `seconds` is 0 (no bound); a warm-up's keeps its own bound.
  const fill: Setting = { ...setting, kind: 'produce', acks: 'all' };
  if (driver === 'kafka') return (await runKafkaTool(system.connect.bootstrap ?? '', topic, workload, fill)).records;
  const result = await runLoadProcess(loadSpecFor(driver, system, topic, workload, fill), system.clientEnv ?? {});
  return result.records;
}

/** Measures one setting once: the row it makes. Kafka's own tools' rows are the reference. */
export async function measureSetting(
  driver: SystemName,
  system: RunningSystem,
  topic: string,
  workload: Workload,
  setting: Setting,
): Promise<ResultRow> {
  const sampler = new ProcSampler(system.serverPids()).start();
  const producer = setting.kind === 'produce' ? { producer: describeTuning(setting.producer) } : {};
  const compareTo = setting.compareTo === undefined ? {} : { compareTo: setting.compareTo };
  try {
    if (driver === 'kafka') {
      const result = await runKafkaTool(system.connect.bootstrap ?? '', topic, workload, setting);
      const sample = sampler.stop();
      return {
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
        ...producer,
        ...compareTo,
        ...(result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs }),
      };
    }
    const result = await runLoadProcess(loadSpecFor(driver, system, topic, workload, setting), system.clientEnv ?? {});
    const sample = sampler.stop();
    const stoppedEarly = setting.kind === 'produce' && result.records + result.errors < setting.records;
    const problems = [
      result.errors > 0 ? `${result.errors} failed (first: ${result.firstError ?? '?'})` : '',
      (result.missing ?? 0) > 0 ? `${result.missing} not seen by the consumer` : '',
      stoppedEarly
        ? `stopped sending at the ${setting.seconds} s bound (--produce-seconds): ${result.records} of ${setting.records} records`
        : '',
      setting.kind === 'produce' && setting.clientPartitioner === true && driver !== 'sluice'
        ? 'round robin over the partitions (this client has no sticky partitioner here)'
        : '',
    ].filter((p) => p !== '');
    return {
      system: system.name,
      driver: DRIVER_LABEL[driver],
      setting: setting.label,
      kind: setting.kind,
      records: result.records,
      bytes: result.bytes,
      seconds: result.seconds,
      rssMiB: sample.peakRssMiB,
      serverCpuSeconds: sample.cpuSeconds,
      ...producer,
      ...compareTo,
      ...(result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs }),
      ...(problems.length === 0 ? {} : { note: problems.join('; ') }),
    };
  } finally {
    sampler.stop();
  }
}

/** `35.2 MB/s, 34,400 records/s, p50 .. p99 .. ms, server RSS .. MiB, server CPU .. s`: a progress line. */
export function describeRow(row: ResultRow): string {
  return `${(row.bytes / 1e6 / row.seconds).toFixed(1)} MB/s, ${(row.records / row.seconds).toFixed(0)} records/s${row.latencyMs === undefined ? '' : `, p50 ${row.latencyMs.p50.toFixed(2)} p99 ${row.latencyMs.p99.toFixed(2)} p99.9 ${row.latencyMs.p999.toFixed(2)} ms`}, server RSS ${row.rssMiB.toFixed(0)} MiB, server CPU ${row.serverCpuSeconds.toFixed(1)} s`;
}
