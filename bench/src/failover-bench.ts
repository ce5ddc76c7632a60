/**
 * `pnpm bench:failover`: three real controller processes on loopback; 20 times, kill -9 the
 * leader, and measure (a) until a surviving node reports itself leader and (b) until a write
 * (CreateTopics) proposed through the redirect-following client has committed on the new
 * leader. The killed node is restarted and the quorum settles before the next round. Each round
 * also counts its Raft elections (the highest `sluice_controller_raft_term` on /metrics, before
 * the kill and after the restarted node caught up): one per kill is the floor, more are split
 * votes or spurious elections.
 *
 * Flags: --kills <n> (default 20), --dir <path> (default: the OS temp dir), --keep-dir (keep the
 * controllers' logs and data), --set key=value
 * (repeatable; extra controller configuration, e.g. --set controller.quorum.election.timeout.ms=200).
 */
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerClient } from '@sluice/controller';
import { LocalCluster, sleep } from '@sluice/local-cluster';
import { formatNumber, markdownTable, median } from './table';

const kills = Number(flag('--kills') ?? 20);
const baseDir = mkdtempSync(join(flag('--dir') ?? tmpdir(), 'sluice-bench-failover-'));

/** Extra controller configuration from --set key=value. */
function settings(): Record<string, string> {
  const out: Record<string, string> = {};
  process.argv.forEach((arg, i) => {
    const value = process.argv[i + 1];
    if (arg === '--set' && value !== undefined && value.includes('='))
      out[value.slice(0, value.indexOf('='))] = value.slice(value.indexOf('=') + 1);
  });
  return out;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

async function main(): Promise<void> {
  const extra = settings();
  const cluster = await LocalCluster.create({
    baseDir,
    roles: {
      controller: { count: 3, config: { 'broker.session.timeout.ms': 600_000, ...extra } },
      broker: { count: 0 },
    },
  });
  const controllers = cluster.controllers;
  cluster.stopOnSignals(2_000);
  const client = new ControllerClient(controllers.addresses(), {
    timeoutMs: 15_000,
    attemptTimeoutMs: 1_000,
    retryBackoffMs: 20,
  });
  const electMs: number[] = [];
  const commitMs: number[] = [];
  /** Raft elections (term increments) per round, from just before the kill until the restarted node caught up. */
  const electionsPerRound: number[] = [];
  try {
    await cluster.start({ leaderTimeoutMs: 30_000 });
    // One broker, so a replication-factor-1 topic can be placed.
    const { brokerEpoch } = await client.call('RegisterBroker', {
      brokerId: 1,
      clusterId: cluster.clusterId,
      incarnationId: 'AAAAAAAAAAAAAAAAAAAABA',
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19092 }],
      rack: '',
    });
    await client.call('BrokerHeartbeat', {
      brokerId: 1,
      brokerEpoch,
      currentMetadataOffset: '1000000000',
      wantFence: false,
      wantShutdown: false,
    });
    for (let round = 0; round < kills; round++) {
      const leader = await cluster.waitForControllerLeader(10_000);
      // A committed write before the kill, so the new leader has something to carry over.
      await createTopic(client, `pre-${round}`);
      const termBefore = await highestTerm(cluster);
      const killedAt = performance.now();
      await controllers.kill(leader, 'SIGKILL');
      const elected = cluster
        .waitForControllerLeader(10_000, { notNodeId: leader, pollMs: 2 })
        .then(() => performance.now() - killedAt);
      await createTopic(client, `post-${round}`);
      const committed = performance.now() - killedAt;
      electMs.push(await elected);
      commitMs.push(committed);
      process.stderr.write(
        `round ${round + 1}/${kills}: killed ${leader}, leader after ${electMs[round]?.toFixed(0)} ms, write committed after ${committed.toFixed(0)} ms\n`,
      );
      controllers.start(leader);
      // Let the restarted node catch up before the next kill, so every round starts from 3 healthy voters.
      await waitCaughtUp(cluster, leader);
      electionsPerRound.push((await highestTerm(cluster)) - termBefore);
    }
  } finally {
    client.close();
    await controllers.stopAll(3_000);
    await cluster.stop({ removeBaseDir: !process.argv.includes('--keep-dir') });
  }
  const row = (label: string, values: number[]): string[] => [
    label,
    String(values.length),
    formatNumber(median(values), 0),
    formatNumber(percentile(values, 99), 0),
    formatNumber(Math.max(...values), 0),
    formatNumber(Math.min(...values), 0),
  ];
  process.stdout.write(
    `\n## Controller failover (${kills} kill -9 of the leader, 3 controllers on loopback, ${cpus().length} cores)\n\n`,
  );
  process.stdout.write(
    `${markdownTable(
      ['from kill -9 until', 'n', 'p50 ms', 'p99 ms', 'max ms', 'min ms'],
      [row('a surviving node reports itself leader', electMs), row('a write (CreateTopics) has committed', commitMs)],
    )}\n\n`,
  );
  const elections = electionsPerRound.reduce((sum, n) => sum + n, 0);
  process.stdout.write(
    `Raft elections: ${elections} over ${kills} kills (${elections - kills} beyond one per kill: split votes or spurious elections, e.g. a restarted node disrupting; per round: ${electionsPerRound.join(' ')}).\n`,
  );
  const overrides = Object.entries(extra).map(([key, value]) => `${key}=${value}`);
  process.stdout.write(
    `Configuration: ${overrides.length === 0 ? 'runtime defaults' : overrides.join(', ')} (defaults: election timeout 300 ms, randomized in [300, 600), an unfinished campaign retries after [150, 300); Raft heartbeat 50 ms; tick 25 ms; a follower whose connection to the leader closes campaigns at once, the next survivor half a timeout later). Target: p99 < 300 ms.\n`,
  );
}

async function createTopic(client: ControllerClient, name: string): Promise<void> {
  const response = await client.call('CreateTopics', {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }],
  });
  const result = response.topics[0];
  // A retry after an ambiguous failover may find its own earlier attempt committed.
  if (result === undefined || (result.errorName !== '' && result.errorName !== 'TOPIC_ALREADY_EXISTS')) {
    throw new Error(`create ${name}: ${result?.errorName} ${result?.errorMessage}`);
  }
}

/** The highest Raft term any running controller reports on /metrics (`sluice_controller_raft_term`). */
async function highestTerm(cluster: LocalCluster): Promise<number> {
  const terms = await Promise.all(
    cluster.controllers.running().map(async (nodeId) => {
      const response = await fetch(`http://${cluster.controllers.metricsAddress(nodeId)}/metrics`, {
        signal: AbortSignal.timeout(2_000),
      });
      const match = /^sluice_controller_raft_term(?:\{[^}]*\})? (\d+)$/m.exec(await response.text());
      return match === null ? 0 : Number(match[1]);
    }),
  );
  return Math.max(0, ...terms);
}

async function waitCaughtUp(cluster: LocalCluster, nodeId: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const leaderId = await cluster.waitForControllerLeader(10_000);
    const [node, leader] = await Promise.all([
      cluster.describeController(nodeId),
      cluster.describeController(leaderId),
    ]);
    if (node !== undefined && leader !== undefined && node.metadataOffset >= leader.metadataOffset - 1) return;
    await sleep(20);
  }
  throw new Error(`controller ${nodeId} did not catch up within 20 s`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `failover bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
