/**
 * `pnpm bench:compare --scaling` (issue 19): produce throughput and server RSS of sluice and
 * Apache Kafka as partitions (6, 60, 600, 6,000) and producers (1, 4, 16) grow, so the way cost
 * grows is visible. Both systems up at once and warmed by the fair run's rule (compare-fair),
 * then each cell (scaling-plan) on its own topic, the systems alternating (A B B A); every run
 * printed, the table of medians with the RSS once the cell's topic exists and at the peak of its
 * runs. Produce acks=all, tuned the same way for both (batch.size 131072, linger.ms 5).
 * `--cpu-prof DIR [--heap-prof]` profiles sluice's processes as in the other modes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startKafka } from './compare-kafka';
import { readProc, stopAllChildren } from './compare-procs';
import { startSluice } from './compare-sluice';
import { cpuSecondsPerGB, mbPerSecond, recordsPerSecond } from './compare-table';
import { PRODUCER_TUNED, produceLabel, type Plan, type Setting, type Workload } from './compare-workload';
import { FairSession, startContenders, type Contender } from './compare-fair';
import { alternatingOrder } from './fair-runs';
import { renderRunLog } from './fair-table';
import { machineFacts } from './machine-facts';
import { profileBenchInto } from './cpu-profile-env';
import { cellLabel, renderScalingTable, scalingCells, type ScalingResult } from './scaling-plan';

function summedRssMiB(pids: readonly number[]): number {
  let bytes = 0;
  for (const pid of pids) bytes += readProc(pid)?.rssBytes ?? 0;
  return bytes / (1024 * 1024);
}

export async function runScalingMain(plan: Plan, note: (text: string) => void): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadavg();
  const baseDir = mkdtempSync(join('/tmp', 'sluice-scaling-'));
  const skipped: string[] = [];
  let contenders: Contender[] = [];
  const cleanup = async (): Promise<void> => {
    for (const contender of contenders.splice(0)) await contender.system.stop().catch(() => undefined);
    await stopAllChildren(5_000);
    if (!plan.keep) rmSync(baseDir, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    note('interrupted: stopping every process this bench started');
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // --cpu-prof DIR: brokers, controllers and the load process profile the whole run (warm-up and
  // every cell), so profile one cell at a time (--scaling-partitions 6000 --scaling-producers 1).
  profileBenchInto(plan.cpuProfileDir, plan.heapProfile);
  const session = new FairSession(plan, note);
  const results: ScalingResult[] = [];
  const descriptions: string[] = [];
  const cells = scalingCells(plan.scaling, plan.workload.partitions);
  const records = plan.workload.settings.find((s) => s.kind === 'produce')?.records ?? 300_000;
  try {
    contenders = await startContenders(plan, baseDir, note, skipped, {
      sluice: (dir, rf) => startSluice(dir, rf),
      kafka: startKafka,
    });
    descriptions.push(...contenders.map((contender) => contender.system.description));
    for (const contender of contenders) await session.warmUp(contender);
    for (const cell of cells) {
      const workload: Workload = { ...plan.workload, partitions: cell.partitions, producers: cell.producers };
      const setting: Setting = {
        kind: 'produce',
        acks: 'all',
        records,
        rate: 0,
        seconds: plan.workload.settings.find((s) => s.kind === 'produce')?.seconds ?? 60,
        label: `${produceLabel('all', PRODUCER_TUNED)} · ${cellLabel(cell)}`,
        producer: PRODUCER_TUNED,
        clientPartitioner: true,
      };
      note(`  ${cellLabel(cell)}`);
      const topics = new Map<Contender, { topic: string; createSeconds: number; idleRssMiB: number }>();
      for (const contender of contenders)
        await session.attempt(contender, setting, async () => {
          const topic = `scale-${contender.driver}-p${cell.partitions}-n${cell.producers}`;
          const createdMs = Date.now();
          await contender.system.createTopic(topic, cell.partitions, workload.replication);
          const createSeconds = (Date.now() - createdMs) / 1000;
          const idleRssMiB = summedRssMiB(contender.system.serverPids());
          note(
            `    ${contender.system.name}: ${topic} led in ${createSeconds.toFixed(1)} s, server RSS ${idleRssMiB.toFixed(0)} MiB`,
          );
          topics.set(contender, { topic, createSeconds, idleRssMiB });
        });
      const ready = contenders.filter((contender) => topics.has(contender));
      const before = session.outcome.runs.length;
      for (const contender of alternatingOrder(ready, plan.scaling.runs))
        await session.attempt(contender, setting, async () => {
          await session.runOnce(contender, setting, topics.get(contender)?.topic ?? '', 'measured', workload);
        });
      const cellRuns = session.outcome.runs.slice(before);
      for (const contender of contenders) {
        const made = topics.get(contender);
        const runs = cellRuns.filter((run) => run.system === contender.system.name);
        results.push({
          cell,
          system: contender.system.name,
          reference: contender.driver === 'kafka',
          mbPerSecondByRun: runs.map(mbPerSecond),
          recordsPerSecondByRun: runs.map(recordsPerSecond),
          peakRssMiB: Math.max(0, ...runs.map((run) => run.rssMiB)),
          idleRssMiB: made?.idleRssMiB ?? 0,
          cpuSecondsPerGBByRun: runs.map(cpuSecondsPerGB),
          createSeconds: made?.createSeconds ?? 0,
        });
      }
    }
  } finally {
    await cleanup();
  }

  const loadAfter = loadavg();
  const took = (Date.now() - startedAt.getTime()) / 1000;
  const rule = plan.fair.warmup;
  const header = [
    `## sluice scaling: ${startedAt.toISOString()}, ${took.toFixed(0)} s`,
    '',
    `Command: \`pnpm bench:compare ${process.argv.slice(2).join(' ')}\``,
    '',
    ...machineFacts().map((fact) => `- ${fact}`),
    `- load average before / after: ${loadBefore.map((v) => v.toFixed(2)).join(' ')} / ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`,
    `- every cell: produce acks=all, ${plan.workload.recordBytes}-byte records, replication ${plan.workload.replication}, min.insync.replicas ${Math.min(2, plan.workload.replication)}, batch.size 131072 and linger.ms 5 for both, ${records} records a run spread over the producers round robin over the partitions, ${plan.scaling.runs} runs per system in alternating order; its own topic, created before its runs (topic create s: CreateTopics to every partition led with a full ISR)`,
    `- sluice's producers: that many Producer instances in one Node load process; Kafka's: that many ProducerPerformance JVMs at once (records summed over the longest one's own time). Keyless records on both sides, the partition picked by each client's sticky partitioner (KIP-480). A sluice run stops sending after ${plan.workload.settings.find((s) => s.kind === 'produce')?.seconds ?? 60} s (--produce-seconds; said in the notes when it did); ProducerPerformance has no such bound`,
    `- both systems up for the whole run and warmed first (${rule.minRecords} records at least, until two consecutive runs within ${(rule.tolerance * 100).toFixed(0)}%, cap ${rule.maxRuns} runs); topics of earlier cells stay on the cluster, idle (small cells first)`,
    ...session.outcome.warmups.map((w) => `- warm-up of ${w}`),
    ...descriptions.map((d) => `- ${d}`),
    "- server RSS peak: the peak of the summed RSS of the server processes during the cell's runs; idle: right after its topic was created, before its first record. × Kafka: medians over Kafka's in the same cell.",
  ].join('\n');
  const table = renderScalingTable(results);
  const log = renderRunLog(session.outcome.runs, session.outcome.verdicts);
  // Kafka's rows always carry the tool's note; the others only what went wrong or ended early.
  const runNotes = session.outcome.runs
    .filter((run) => run.note !== undefined && run.reference !== true)
    .map((run) => `#${run.sequence} ${run.system}, ${run.setting}: ${run.note}`);
  const notes = [...runNotes, ...skipped, ...session.outcome.failures].map((s) => `- ${s}`).join('\n');
  process.stdout.write(
    `\n${header}\n\n${table}\n\nEvery run, in the order run (warm-up runs marked, not measured):\n\n${log}\n${notes === '' ? '' : `\nNotes:\n${notes}\n`}`,
  );
  const outDir = plan.outputDir ?? resolve(__dirname, '..', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `scaling-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), seconds: took, argv: process.argv.slice(2), machine: machineFacts(), loadBefore, loadAfter, scaling: plan.scaling, warmup: plan.fair.warmup, systems: descriptions, results, runs: session.outcome.runs, skipped, table }, null, 2)}\n`,
  );
  note(`wrote ${file}`);
}
