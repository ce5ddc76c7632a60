/**
 * Network faults between real processes on loopback: three controllers, three brokers, and a
 * fault proxy in front of every listener (LocalCluster `networkFaults`), so every process dials
 * every other through one. For each seed, a topic of 6 partitions (replication factor 3,
 * min.insync.replicas 2) takes an idempotent acks=all producer and a tailing consumer while the
 * seed's schedule of faults runs: a partition's leader cut off from its followers or from the
 * controllers, the active controller isolated, one direction of the leader's links lost,
 * latency, a bandwidth limit. Then the history checker: no acknowledged record lost, none
 * twice, send order per partition, nothing a consumer saw rolled back.
 *
 * The seeds are fixed and printed, and together they run every kind of fault; replay or explore
 * with SLUICE_CHAOS_SEEDS=5,6 (and SLUICE_CHAOS_STEPS=7). `pnpm bench:chaos` soaks more seeds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chaosRows,
  chaosTable,
  describeVerdict,
  FAULT_KINDS,
  LocalCluster,
  runChaos,
  type ChaosRun,
} from '@sluice/local-cluster';

/** Between them, every fault kind (checked below). */
const CI_SEEDS = [1, 2, 4];
const CI_STEPS = 3;
const PARTITIONS = 6;

const seeds = (process.env.SLUICE_CHAOS_SEEDS ?? CI_SEEDS.join(','))
  .split(',')
  .filter((seed) => seed.trim() !== '')
  .map(Number);
const steps = Number(process.env.SLUICE_CHAOS_STEPS ?? CI_STEPS);
/** A replay runs the seeds it was given, which need not cover every kind. */
const replaying = process.env.SLUICE_CHAOS_SEEDS !== undefined;

jest.setTimeout(120_000 + seeds.length * steps * 60_000);

describe('network faults through a proxy between every pair of processes', () => {
  let cluster: LocalCluster;
  const runs: ChaosRun[] = [];

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-network-faults-')),
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
  });

  afterAll(async () => {
    if (runs.length > 0) process.stdout.write(`network faults:\n${chaosTable(chaosRows(runs))}\n`);
    await cluster?.stop({ removeBaseDir: true });
  });

  it.each(seeds)(
    'seed %i: no acknowledged record lost, none twice, order kept, nothing a consumer saw rolled back',
    async (seed) => {
      const run = await runChaos({
        cluster,
        seed,
        steps,
        topic: `chaos-${seed}`,
        partitions: PARTITIONS,
        log: (line) => process.stdout.write(`${line}\n`),
      });
      runs.push(run);
      expect(describeVerdict(run.verdict)).toMatch(/^PASS/);
      expect(run.verdict.lost.examples).toEqual([]);
      expect(run.verdict.duplicated.examples).toEqual([]);
      expect(run.verdict.outOfOrder.examples).toEqual([]);
      expect(run.verdict.rolledBack.examples).toEqual([]);
      expect(run.verdict.outOfSequence.examples).toEqual([]);
      expect(run.verdict.failed).toBe(0);
      expect(run.verdict.observed).toBeGreaterThan(0);
      expect(run.steps).toHaveLength(steps);
    },
  );

  (replaying ? it.skip : it)('ran every kind of fault', () => {
    expect(new Set(runs.flatMap((run) => run.steps.map((step) => step.fault.kind)))).toEqual(new Set(FAULT_KINDS));
  });

  it('named every caller: each process reached each other through the proxy in front of it', () => {
    // Who was named over the whole run, not who happens to be connected at this instant: a
    // broker that leads nothing after the faults has no followers fetching from it, and a
    // connection that keepalive closed during a fault is reopened only by the next call.
    const callers = (name: string): string[] => [...cluster.network.proxy(name).namedCallers().keys()].sort();
    // Brokers follow the quorum as observers and replicate from one another; controllers talk Raft.
    for (const broker of ['broker-1', 'broker-2', 'broker-3'])
      expect(callers(broker)).toEqual(
        expect.arrayContaining(['broker-1', 'broker-2', 'broker-3'].filter((b) => b !== broker)),
      );
    const toControllers = new Set(['controller-1', 'controller-2', 'controller-3'].flatMap(callers));
    expect([...toControllers].sort()).toEqual(
      expect.arrayContaining(['broker-1', 'broker-2', 'broker-3', 'controller-1', 'controller-2', 'controller-3']),
    );
  });
});
