/**
 * The fair part of `pnpm bench:compare` (issue 19): sluice and Apache Kafka up side by side for
 * the whole run, so neither restarts cold between settings; each warmed on the same produce
 * setting until its throughput stops rising (fair-warmup); then every setting run several times
 * per system in alternating order (fair-runs: A B B A ...), every run kept. The scaling table
 * (compare-scaling) runs its cells through the same session. The caller starts and stops the
 * systems and renders the runs and their medians.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSystem } from './compare-procs';
import { describeRow, DRIVER_LABEL, fillBacklog, measureSetting } from './compare-measure';
import { PRODUCER_TUNED, type Plan, type Setting, type Workload } from './compare-workload';
import { alternatingOrder, type RunRecord } from './fair-runs';
import { warmupVerdict, type WarmupRun } from './fair-warmup';

export type FairDriver = 'sluice' | 'kafka';

export interface Contender {
  readonly driver: FairDriver;
  readonly system: RunningSystem;
}

export interface FairOutcome {
  readonly runs: RunRecord[];
  /** What the warm-up rule said after each warm-up run, by run sequence. */
  readonly verdicts: Map<number, string>;
  /** Per system: how its warm-up ended. */
  readonly warmups: string[];
  readonly failures: string[];
}

/** The produce setting both systems warm up on: acks=all, tuned the same way (the headline row). */
export function warmupSetting(plan: Plan): Setting {
  return {
    kind: 'produce',
    acks: 'all',
    records: plan.workload.settings.find((s) => s.kind === 'produce')?.records ?? 300_000,
    rate: 0,
    seconds: 0,
    label: 'warm-up: produce acks=all · tuned',
    producer: PRODUCER_TUNED,
    clientPartitioner: true,
  };
}

const slug = (label: string): string => label.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');

/** Every run of one fair session, numbered in the order run. */
export class FairSession {
  readonly outcome: FairOutcome = { runs: [], verdicts: new Map(), warmups: [], failures: [] };
  private sequence = 0;
  private readonly created = new Set<string>();

  constructor(
    private readonly plan: Plan,
    private readonly note: (text: string) => void,
  ) {}

  /** Creates `fair-<driver>-<label>` once (with the workload's partitions) and names it. */
  async topicFor(contender: Contender, setting: Setting, workload: Workload = this.plan.workload): Promise<string> {
    const topic = `fair-${contender.driver}-${slug(setting.label)}`;
    if (!this.created.has(topic)) {
      await contender.system.createTopic(topic, workload.partitions, workload.replication, {
        durable: setting.acks === 'durable',
      });
      this.created.add(topic);
    }
    return topic;
  }

  async runOnce(
    contender: Contender,
    setting: Setting,
    topic: string,
    phase: RunRecord['phase'],
    workload: Workload = this.plan.workload,
  ): Promise<RunRecord> {
    const row = await measureSetting(contender.driver, contender.system, topic, workload, setting);
    const record: RunRecord = { ...row, sequence: ++this.sequence, phase };
    this.outcome.runs.push(record);
    this.note(`    #${record.sequence} ${contender.system.name} ${phase}: ${describeRow(row)}`);
    return record;
  }

  /** Repeats the warm-up setting on one system until the rule says warm (or the cap). */
  async warmUp(contender: Contender): Promise<void> {
    const warmup = warmupSetting(this.plan);
    this.note(`  ${contender.system.name}: warm-up on ${warmup.label}, ${warmup.records} records a run`);
    const topic = await this.topicFor(contender, warmup);
    const history: WarmupRun[] = [];
    for (;;) {
      const record = await this.runOnce(contender, warmup, topic, 'warm-up');
      history.push({ records: record.records, throughput: record.records / record.seconds });
      const verdict = warmupVerdict(history, this.plan.fair.warmup);
      this.outcome.verdicts.set(record.sequence, verdict.done ? `warm: ${verdict.why}` : `continue: ${verdict.why}`);
      if (verdict.done) {
        this.outcome.warmups.push(
          `${contender.system.name}: ${history.length} warm-up runs, ${verdict.reason}: ${verdict.why}`,
        );
        this.note(`    warm (${verdict.reason}): ${verdict.why}`);
        return;
      }
    }
  }

  /** A run that failed is kept as a failure line, and the other runs go on. */
  async attempt(contender: Contender, setting: Setting, run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.note(`    ${contender.system.name} failed: ${message}`);
      this.outcome.failures.push(
        `${contender.system.name} / ${DRIVER_LABEL[contender.driver]} / ${setting.label}: a run failed: ${message.split('\n').slice(0, 3).join(' ').trim()}`,
      );
    }
  }
}

/** Warms every contender, then runs each setting of the plan in alternating order. */
export async function runFair(
  plan: Plan,
  contenders: readonly Contender[],
  note: (text: string) => void,
): Promise<FairOutcome> {
  const session = new FairSession(plan, note);
  for (const contender of contenders) await session.warmUp(contender);
  // Consume reads the backlog of produce acks=all · tuned (each run appended `records` to it),
  // topped up to the records a consume run reads, the same count on every system.
  const backlogOf = new Map<FairDriver, string>();
  const recordsIn = new Map<string, number>();
  for (const setting of plan.workload.settings) {
    const players = contenders.filter(
      (c) => setting.onlySystems === undefined || setting.onlySystems.includes(c.driver),
    );
    const perSystem = setting.kind === 'produce' ? plan.fair.produceRuns : plan.fair.probeRuns;
    note(`  ${setting.label}: ${perSystem} runs per system, alternating`);
    for (const contender of alternatingOrder(players, perSystem))
      await session.attempt(contender, setting, async () => {
        let topic = backlogOf.get(contender.driver);
        if (setting.kind !== 'consume' || topic === undefined) topic = await session.topicFor(contender, setting);
        if (setting.kind === 'consume') {
          const missing = setting.records - (recordsIn.get(topic) ?? 0);
          if (missing > 0) {
            note(
              `    ${contender.system.name}: adding ${missing} records to ${topic} for a ${setting.records}-record read`,
            );
            const added = await fillBacklog(contender.driver, contender.system, topic, plan.workload, {
              ...setting,
              records: missing,
            });
            recordsIn.set(topic, (recordsIn.get(topic) ?? 0) + added);
          }
          backlogOf.set(contender.driver, topic);
        }
        const record = await session.runOnce(contender, setting, topic, 'measured');
        if (setting.kind !== 'produce') return;
        recordsIn.set(topic, (recordsIn.get(topic) ?? 0) + record.records);
        const tunedAcksAll = setting.acks === 'all' && setting.producer?.name === 'tuned';
        if (tunedAcksAll || (setting.acks === 'all' && !backlogOf.has(contender.driver)))
          backlogOf.set(contender.driver, topic);
      });
  }
  return session.outcome;
}

/** Starts sluice and Kafka (those of `plan.systems`), each to stay up for the whole run. */
export async function startContenders(
  plan: Plan,
  baseDir: string,
  note: (text: string) => void,
  skipped: string[],
  starters: Record<FairDriver, (dir: string, replication: number) => Promise<RunningSystem>>,
): Promise<Contender[]> {
  const contenders: Contender[] = [];
  for (const driver of ['sluice', 'kafka'] as const) {
    if (!plan.systems.includes(driver)) continue;
    const dir = join(baseDir, `fair-${driver}`);
    mkdirSync(dir, { recursive: true });
    note(`${driver}: starting (stays up for the whole run)`);
    const startedMs = Date.now();
    try {
      const system = await starters[driver](dir, plan.workload.replication);
      contenders.push({ driver, system });
      note(`  ${system.name} up in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      note(`  could not start: ${message}`);
      skipped.push(`${driver}: not run: ${message.split('\n')[0]}`);
    }
  }
  return contenders;
}
