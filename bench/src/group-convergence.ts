/**
 * `pnpm bench:groups`: how fast a KIP-848 consumer group converges, in process. Simulated
 * members drive the real GroupShard (see group-convergence-sim.ts) and the table reports, per
 * scenario, the rounds of heartbeats until every member is STABLE with its target assignment,
 * the heartbeats that took, and the wall and process CPU time the coordinator spent on them
 * (the heartbeat logic plus encoding the records to persist, as CoordinatorNode does; not the
 * network, not the broker's write).
 *
 * Scenarios: 1,000 members joining an empty group; 10,000 members joining an empty group; one
 * member joining a stable 10,000-member group (the stable group is built first, unmeasured).
 *
 * Topic layout (default): 100 topics, 10 partitions per member in all, every member subscribed
 * to all of them: the middle of Kafka's own group-coordinator JMH benchmarks
 * (ServerSideAssignorBenchmark / TargetAssignmentBuilderBenchmark: memberCount up to 10,000,
 * partitionsToMemberRatio 5/10/50, topicCount 10/100/1000, homogeneous subscriptions). Each
 * scenario sizes its topics for its own group (1,000 members: 10,000 partitions; 10,000 members
 * and the stable group: 100,000).
 *
 * The target: the seed documents claim rebalances of 10,000-member groups drop from about 60 s
 * (classic protocol, stop-the-world) to under 1 s with this protocol; "meets" compares the
 * coordinator's wall time with 1 s. The simulated rounds stand for heartbeat intervals
 * (5 s by default), which a real group also waits between rounds; that waiting is not CPU and is
 * not counted (the column "rounds" says how many).
 *
 * Assignment batching: each joining scenario runs with group.consumer.assignment.interval.ms
 * 1000 (Kafka 4.3's default, KIP-1263: at most one target assignment per interval) and 0 (one on
 * every group epoch bump, as before Kafka 4.3). Unbatched, every join runs the assignor over the
 * whole group, so the unbatched runs stop at 1,000 members unless --unbatched-max-members says
 * otherwise; the line under the table gives the batched/unbatched ratio.
 *
 * Flags: --quick (100 and 1,000 members, 1 joining 1,000), --assignors uniform,range (default
 * both), --assignment-interval-ms <n,n> (1000,0), --unbatched-max-members <n> (1000; 100 with --quick),
 * --ratio <partitions per member> (10), --topics <n> (100), --seed <n> (1),
 * --max-rounds <n> (30), --members <n,n> (the joining-group sizes, default 1000,10000),
 * --stable <n> (the stable group's size, default the largest of --members), --json <path>,
 * --no-metadata-version (the topics view offers no metadata version, so every heartbeat looks
 * the subscribed topics up, as a view without a change signal makes the coordinator do).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import type { AssignorName } from '@sluice/coordinator';
import { runScenario, type ScenarioResult, type TopicLayout } from './group-convergence-sim';
import { flag, intFlag, intListFlag } from './flags';
import { formatNumber, markdownTable } from './table';

const quick = process.argv.includes('--quick');
const metadataVersion = !process.argv.includes('--no-metadata-version');
const joiningSizes = intListFlag('--members', quick ? [100, 1_000] : [1_000, 10_000]);
const stableSize = intFlag('--stable', Math.max(...joiningSizes));
const ratio = intFlag('--ratio', 10);
const topicCount = intFlag('--topics', 100);
const seed = intFlag('--seed', 1);
const maxRounds = intFlag('--max-rounds', 30);
/** Kafka 4.3's default group.consumer.assignment.interval.ms, and 0 (an assignment on every epoch bump, Kafka before 4.3). */
const intervals = intListFlag('--assignment-interval-ms', [1_000, 0], 0);
/** Without an interval every join runs the assignor over the whole group: quadratic, so the larger groups are left out unless asked for. */
const unbatchedMaxMembers = intFlag('--unbatched-max-members', quick ? 100 : 1_000);
const assignorNames = (flag('--assignors') ?? 'uniform,range').split(',').map((name) => {
  if (name !== 'uniform' && name !== 'range') throw new RangeError(`--assignors: ${name} is not uniform or range`);
  return name as AssignorName;
});
/** The claimed rebalance time of a 10,000-member group with this protocol, and with the classic one. */
const TARGET_MS = 1_000;
const CLASSIC_CLAIM_MS = 60_000;
/** message.max.bytes' default in @sluice/runtime (Kafka's: 1 MiB + 12). */
const BROKER_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;

const out = (text: string): boolean => process.stdout.write(text);
const note = (text: string): boolean => process.stderr.write(`${text}\n`);
const count = (value: number): string => formatNumber(value, 0);

/** Partitions for a group of `members`: `ratio` per member, over `topicCount` topics. */
function layoutFor(members: number): TopicLayout {
  const topics = Math.min(topicCount, members * ratio);
  return { topics, partitionsPerTopic: Math.max(1, Math.round((members * ratio) / topics)) };
}

function main(): void {
  const loadBefore = loadavg();
  const startedAt = new Date().toISOString();
  const results: ScenarioResult[] = [];
  const skipped: string[] = [];
  // The stable group is built with batching (without it, building 10,000 members is the slow
  // case itself); the measured single join then runs the assignor once either way.
  const stableInterval = Math.max(...intervals);
  for (const assignor of assignorNames) {
    for (const assignmentIntervalMs of intervals) {
      for (const members of joiningSizes) {
        if (assignmentIntervalMs === 0 && members > unbatchedMaxMembers) {
          skipped.push(`${assignor}, ${count(members)} join, interval 0`);
          continue;
        }
        note(
          `${assignor}, assignment interval ${assignmentIntervalMs} ms: ${count(members)} members join an empty group`,
        );
        results.push(
          runScenario(`${count(members)} join`, {
            layout: layoutFor(members),
            assignor,
            assignmentIntervalMs,
            seed,
            stableMembers: 0,
            joiningMembers: members,
            maxRounds,
            metadataVersion,
          }),
        );
      }
    }
    note(`${assignor}: 1 member joins a stable ${count(stableSize)}-member group (building the group first)`);
    results.push(
      runScenario(`1 joins stable ${count(stableSize)}`, {
        layout: layoutFor(stableSize),
        assignor,
        assignmentIntervalMs: stableInterval,
        seed,
        stableMembers: stableSize,
        joiningMembers: 1,
        maxRounds,
        metadataVersion,
      }),
    );
  }
  const loadAfter = loadavg();

  out(`## Consumer group convergence (KIP-848, in process: simulated members against the real GroupShard)\n\n`);
  out(
    `Topics: ${count(topicCount)} per scenario with ${ratio} partitions per member in all (the group's size at the end of the scenario; every member subscribes to all). ` +
      `Topics view: ${metadataVersion ? 'with a metadata version (heartbeats skip the metadata check while it stays put)' : 'without a metadata version (--no-metadata-version: every heartbeat looks the subscribed topics up)'}. ` +
      `Coordinator time = heartbeat handling + encoding the records each outcome persists (RecordBatch, as CoordinatorNode writes it); no network, no broker write.\n\n`,
  );
  const rows = results.map((r) => {
    const p = r.phase;
    return [
      r.scenario,
      r.assignor,
      r.stableMembers > 0 ? `${count(r.assignmentIntervalMs)} (any: 1 run)` : count(r.assignmentIntervalMs),
      count(p.members),
      count(p.partitions),
      p.converged ? String(p.rounds) : `not in ${p.rounds}`,
      count(p.heartbeats),
      count(p.assignorRuns),
      count(p.records),
      formatNumber(p.batchBytes / 1_048_576, 1),
      `${formatNumber(p.maxBatchBytes / 1_024, 0)} (${count(p.maxBatchRecords)} rec)`,
      formatNumber(p.coordinatorWallMs, 0),
      formatNumber(p.coordinatorCpuMs, 0),
      formatNumber((p.coordinatorCpuMs * 1_000) / p.heartbeats, 1),
      `${p.minOwned}-${p.maxOwned}`,
      `${p.converged && p.coordinatorWallMs < TARGET_MS ? 'yes' : 'no'} / ${p.converged && p.coordinatorCpuMs < TARGET_MS ? 'yes' : 'no'}`,
    ];
  });
  out(
    `${markdownTable(
      [
        'scenario',
        'assignor',
        'assignment interval ms',
        'members',
        'partitions',
        'rounds',
        'heartbeats',
        'assignor runs',
        'records',
        'written MiB',
        'largest write KiB',
        'wall ms',
        'CPU ms',
        'CPU µs/heartbeat',
        'owned min-max',
        'meets < 1 s? (wall / CPU)',
      ],
      rows,
    )}\n\n`,
  );
  if (skipped.length > 0) {
    out(
      `Not run (an assignor run per join makes them quadratic; --unbatched-max-members ${unbatchedMaxMembers} to raise the limit): ${skipped.join('; ')}.\n`,
    );
  }
  for (const assignor of assignorNames) {
    for (const members of joiningSizes) {
      const batched = results.find(
        (r) =>
          r.assignor === assignor &&
          r.stableMembers === 0 &&
          r.joiningMembers === members &&
          r.assignmentIntervalMs > 0,
      );
      const unbatched = results.find(
        (r) =>
          r.assignor === assignor &&
          r.stableMembers === 0 &&
          r.joiningMembers === members &&
          r.assignmentIntervalMs === 0,
      );
      if (batched === undefined || unbatched === undefined) continue;
      out(
        `${assignor}, ${count(members)} join: an assignment every ${count(batched.assignmentIntervalMs)} ms instead of on every epoch bump: ` +
          `${formatNumber(unbatched.phase.coordinatorCpuMs / batched.phase.coordinatorCpuMs, 1)}x less coordinator CPU (${count(unbatched.phase.assignorRuns)} -> ${count(batched.phase.assignorRuns)} assignor runs), rounds ${unbatched.phase.rounds} -> ${batched.phase.rounds}.\n`,
      );
    }
  }
  const tooLarge = results.filter((r) => r.phase.maxBatchBytes > BROKER_MAX_MESSAGE_BYTES);
  if (tooLarge.length > 0) {
    out(
      `Largest writes over the broker's default message.max.bytes (${count(BROKER_MAX_MESSAGE_BYTES)} bytes; __consumer_offsets is created without a max.message.bytes override): ` +
        `${tooLarge.map((r) => `${r.scenario} ${r.assignor} (${formatNumber(r.phase.maxBatchBytes / 1_024, 0)} KiB)`).join('; ')}. The real node would have that write refused (MESSAGE_TOO_LARGE).\n`,
    );
  }
  const refused = results.reduce((sum, r) => sum + r.phase.refused, 0);
  out(
    `Refused heartbeats (fenced/unknown member): ${refused}. Double ownership is checked at every response and at convergence (the run throws on any).\n`,
  );
  const big = results.find(
    (r) => r.stableMembers === 0 && r.joiningMembers === Math.max(...joiningSizes) && r.phase.converged,
  );
  if (big !== undefined) {
    out(
      `Against the seed documents' claim for ${count(big.joiningMembers)} members (${big.assignor}): coordinator wall ${formatNumber(big.phase.coordinatorWallMs, 0)} ms vs the ${formatNumber(TARGET_MS, 0)} ms aim ` +
        `(${formatNumber(big.phase.coordinatorWallMs / TARGET_MS, 2)}x) and the ~${formatNumber(CLASSIC_CLAIM_MS / 1_000, 0)} s classic rebalance (${formatNumber(CLASSIC_CLAIM_MS / big.phase.coordinatorWallMs, 1)}x less). ` +
        `A real group also waits ${big.phase.rounds - 1} heartbeat interval(s) between its ${big.phase.rounds} rounds (members that just revoked or received partitions heartbeat at once, so that is an upper bound).\n`,
    );
  }
  out(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), shared; load average (1/5/15 min) ${loadBefore.map((v) => formatNumber(v, 2)).join('/')} before, ${loadAfter
      .map((v) => formatNumber(v, 2))
      .join('/')} after. Node ${process.version}.\n`,
  );

  const jsonPath =
    flag('--json') ?? join(__dirname, '..', 'results', `group-convergence-${startedAt.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ startedAt, node: process.version, quick, topics: topicCount, partitionsPerMember: ratio, seed, maxRounds, intervals, loadBefore, loadAfter, skipped, results }, null, 2)}\n`,
  );
  note(`results: ${jsonPath}`);
  if (results.some((r) => !r.phase.converged)) process.exitCode = 1;
}

try {
  main();
} catch (error) {
  process.stderr.write(
    `group convergence bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
