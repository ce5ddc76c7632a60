/**
 * How much disk a `bench:compare` plan fills at most, to say before it starts whether the machine
 * has room. Every system's data stays until the bench ends (topics are never deleted between
 * settings), so the bytes add up over the whole run. Section 42: a full fair run writes about
 * 60-70 GB on this machine's ~66 GiB of free disk; a system whose disk fills mid-run stops
 * answering (Kafka's producer stalled 600 s), which is far more costly to find than this line.
 * Pure: a plan in, bytes out.
 */
import type { Plan, Setting, SystemName } from './compare-workload';

/**
 * Bytes on disk per byte of record value, per replica: measured 3,102 bytes for a 1 KiB record at
 * RF 3 on both sluice and Kafka (section 42), i.e. 1.0098; rounded up for the index files.
 */
export const DISK_OVERHEAD = 1.02;

const FAIR_DRIVERS: readonly SystemName[] = ['sluice', 'kafka'];

function runsBy(setting: Setting, plan: Plan): number {
  return setting.kind === 'produce' ? plan.fair.produceRuns : plan.fair.probeRuns;
}

/** Records one fair contender writes: warm-up at its cap, every run of every setting it plays, the consume top-up. */
function fairRecords(plan: Plan, driver: SystemName): number {
  const produce = plan.workload.settings.find((s) => s.kind === 'produce');
  let records = plan.fair.warmup.maxRuns * (produce?.records ?? 300_000);
  let backlog = 0;
  for (const setting of plan.workload.settings) {
    if (setting.onlySystems !== undefined && !setting.onlySystems.includes(driver)) continue;
    if (setting.kind === 'consume') {
      records += Math.max(0, setting.records - backlog);
      continue;
    }
    const written = setting.records * runsBy(setting, plan);
    records += written;
    if (setting.kind === 'produce' && setting.acks === 'all' && setting.producer?.name === 'tuned') backlog = written;
  }
  return records;
}

/** Records a one-pass system writes (kafkajs, NATS, Redis, the quick pass): its warm-up and each setting once. */
function onePassRecords(plan: Plan, settings: readonly Setting[]): number {
  let records = plan.workload.warmupRecords;
  let firstProduce: number | undefined;
  for (const setting of settings) {
    if (setting.kind === 'consume') {
      // Reads what the first produce setting left, or fills its own backlog.
      if (firstProduce === undefined) records += setting.records;
      continue;
    }
    records += setting.records;
    if (setting.kind === 'produce' && firstProduce === undefined) firstProduce = setting.records;
  }
  return records;
}

/**
 * An upper bound of the bytes the plan leaves on disk (record values x replication x overhead):
 * the fair contenders with their warm-ups at the cap; the peers' one pass on producer defaults; the
 * quick pass once per system. The tracing and security rows (produce and e2e, sluice) are counted
 * as one more quick pass each. The scaling table is not estimated (0).
 */
export function planDiskBytes(plan: Plan): number {
  if (plan.mode === 'scaling') return 0;
  const { workload } = plan;
  const sluiceOwnRuns = plan.systems.includes('sluice') ? plan.tracingPercents.length + (plan.security ? 1 : 0) : 0;
  let records = 0;
  if (plan.mode === 'fair') {
    for (const driver of FAIR_DRIVERS) if (plan.systems.includes(driver)) records += fairRecords(plan, driver);
    const peerSettings = workload.settings.filter(
      (s) => s.onlySystems === undefined && (s.kind !== 'produce' || s.producer?.name !== 'tuned'),
    );
    const peers = plan.systems.filter((s) => !FAIR_DRIVERS.includes(s)).length;
    records += peers * onePassRecords(plan, peerSettings);
  } else {
    const quickSettings = workload.settings.filter((s) => s.onlySystems === undefined);
    records += plan.systems.length * onePassRecords(plan, quickSettings);
  }
  const traced = workload.settings.filter((s) => s.kind === 'produce' || s.kind === 'latency');
  records += sluiceOwnRuns * onePassRecords(plan, traced);
  return Math.ceil(records * workload.recordBytes * workload.replication * DISK_OVERHEAD);
}

/** The log line: the estimate against what is free, with a warning when it does not fit. */
export function describeDisk(estimateBytes: number, freeBytes: number): string {
  const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(1)} GB`;
  const fits = estimateBytes <= freeBytes;
  return `disk: this plan leaves at most about ${gb(estimateBytes)} of data (warm-ups at their cap, kept to the end); ${gb(freeBytes)} free where it writes${fits ? '' : ' — WARNING: it may fill the disk mid-run, and a system whose disk fills stops answering (section 42); free some, or run fewer settings'}`;
}
