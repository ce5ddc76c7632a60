/**
 * `pnpm bench:chaos`: the network-fault soak, never run in CI. The cluster of the e2e test
 * (three controllers, three brokers, a fault proxy in front of every listener), then one seeded
 * chaos run per seed (packages/local-cluster/src/chaos: a fresh topic, the idempotent acks=all
 * workload and a tailing consumer, the seed's schedule of faults, the history checker), and the
 * table: per fault kind, runs, records acknowledged while it was on, lost, duplicated, verdict.
 * Exits 1 if any run fails the checker; each failing seed replays alone with --seeds <seed>.
 *
 * Flags: --seeds 5,6,7 (default: --first-seed 1 --count 20), --steps <n> (default 7: every kind
 * once per seed), --partitions <n> (default 6), --dir <path> (default the OS temp dir),
 * --keep (keep the data directory and process logs).
 */
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chaosRows, chaosTable, FAULT_KINDS, LocalCluster, runChaos, type ChaosRun } from '@sluice/local-cluster';

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function positiveInt(name: string, fallback: number): number {
  const text = flag(name);
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} ${text}: expected a positive integer`);
  return value;
}

function seedsToRun(): number[] {
  const listed = flag('--seeds');
  if (listed !== undefined) {
    const seeds = listed.split(',').map((seed) => Number(seed.trim()));
    if (seeds.some((seed) => !Number.isSafeInteger(seed))) throw new RangeError(`--seeds ${listed}: expected integers`);
    return seeds;
  }
  const first = Number(flag('--first-seed') ?? 1);
  if (!Number.isSafeInteger(first)) throw new RangeError(`--first-seed ${flag('--first-seed')}: expected an integer`);
  return Array.from({ length: positiveInt('--count', 20) }, (_, i) => first + i);
}

async function main(): Promise<void> {
  const seeds = seedsToRun();
  const steps = positiveInt('--steps', FAULT_KINDS.length);
  const partitions = positiveInt('--partitions', 6);
  const baseDir = mkdtempSync(join(flag('--dir') ?? tmpdir(), 'sluice-bench-chaos-'));
  const cluster = await LocalCluster.start({
    baseDir,
    networkFaults: true,
    roles: {
      controller: { count: 3, config: { 'broker.session.timeout.ms': 2_000 } },
      broker: {
        config: {
          'broker.heartbeat.interval.ms': 200,
          'min.insync.replicas': 2,
          'replica.fetch.wait.max.ms': 200,
          'replica.lag.time.max.ms': 3_000,
        },
      },
      coordinator: { count: 0 },
    },
  });
  const release = cluster.stopOnSignals(2_000);
  const runs: ChaosRun[] = [];
  const startedAt = Date.now();
  try {
    for (const seed of seeds) {
      runs.push(
        await runChaos({
          cluster,
          seed,
          steps,
          topic: `chaos-${seed}`,
          partitions,
          log: (line) => process.stderr.write(`${line}\n`),
        }),
      );
    }
  } finally {
    release();
    await cluster.stop({ removeBaseDir: !process.argv.includes('--keep') });
  }
  const minutes = (Date.now() - startedAt) / 60_000;
  process.stdout.write(
    `\n## Network faults (${runs.length} seeds x ${steps} faults, 3 controllers + 3 brokers on loopback behind fault proxies, ` +
      `${cpus().length} cores, ${minutes.toFixed(1)} min)\n\n${chaosTable(chaosRows(runs))}\n\n`,
  );
  const failed = runs.filter((run) => !run.verdict.ok).map((run) => run.seed);
  if (failed.length > 0) {
    process.stdout.write(`Failing seeds (replay one with --seeds <seed>): ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
