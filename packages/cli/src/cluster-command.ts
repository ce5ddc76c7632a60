import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { ClusterInfo } from '@sluice/client';
import {
  removeBootstrapFile,
  removeCoordinatorsFile,
  withAdmin,
  withConnectionOptions,
  writeBootstrapFile,
  writeCoordinatorsFile,
} from './bootstrap';
import type { ConnectionOptions } from './bootstrap';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';
import type { LocalBrokerCluster } from '@sluice/broker';
import type { ControllerClient } from '@sluice/controller';
import type { LocalCoordinatorCluster } from '@sluice/coordinator';

/** How long `cluster up` waits for the quorum to elect a leader before giving up. */
const LEADER_WAIT_MS = 30_000;
const BROKER_WAIT_MS = 30_000;
/** Broker ids start here so they never collide with controller node ids (1, 2, 3, ...). */
const FIRST_BROKER_ID = 101;

/** Bounded wait until every started broker is registered and unfenced; names any that died. */
async function waitForUnfencedBrokers(
  client: Pick<ControllerClient, 'call'>,
  brokers: LocalBrokerCluster,
  baseDir: string,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const ids = brokers.brokerIds;
  const deadline = Date.now() + timeoutMs;
  let unfenced = new Set<number>();
  while (Date.now() < deadline) {
    const dead = ids.find((id) => !brokers.isRunning(id));
    if (dead !== undefined)
      throw new Error(`broker ${dead} exited during start-up (see ${join(baseDir, `broker-${dead}.out`)})`);
    const cluster = await client.call('DescribeCluster', {});
    unfenced = new Set(cluster.brokers.filter((b) => !b.fenced).map((b) => b.brokerId));
    if (ids.every((id) => unfenced.has(id))) return;
    await sleep(100);
  }
  const missing = ids.filter((id) => !unfenced.has(id));
  throw new Error(`brokers ${missing.join(', ')} not registered and unfenced within ${timeoutMs} ms`);
}

function positiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 9)
    throw new UsageError(`${flag} must be an integer from 1 to 9, got ${JSON.stringify(text)}`);
  return Number(text);
}

interface UpOptions {
  readonly controllers: string;
  readonly brokers: string;
  readonly dir?: string;
  readonly for?: string;
}

/**
 * `sluice cluster up`: starts a local controller quorum as real child processes on loopback
 * (formatted in a temporary directory, or in --dir, which is kept and reused), prints the
 * endpoints, and stops them all on Ctrl-C. Brokers do not exist yet; the command says so.
 */
export function clusterCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const cluster = new Command('cluster').description('run and inspect a local sluice cluster');
  cluster
    .command('up')
    .description('start a local cluster of real processes (controllers, brokers, group coordinators) until Ctrl-C')
    .option('--controllers <n>', 'number of controller processes', '3')
    .option('--brokers <n>', 'number of broker processes', '3')
    .option('--dir <path>', 'data directory for the local cluster (kept; reused on the next run)')
    .option('--for <seconds>', 'stop by itself after this many seconds (smoke runs)')
    .action(async (options: UpOptions) => {
      setExitCode(await clusterUp(options, io));
    });
  withConnectionOptions(
    cluster
      .command('describe')
      .description('cluster id, the active controller, controllers and registered brokers')
      .option('--json', 'one JSON document instead of text'),
  ).action(async (options: ConnectionOptions & { json?: boolean }) => {
    setExitCode(
      await withAdmin(options, io, async (admin) => {
        const info = await admin.describeCluster();
        io.out(options.json === true ? `${JSON.stringify(info, null, 2)}\n` : formatCluster(info));
        return ExitCode.OK;
      }),
    );
  });
  return cluster;
}

export function formatCluster(info: ClusterInfo): string {
  const lines = [
    `ClusterId: ${info.clusterId}`,
    `Controller: ${info.controllerId < 0 ? 'none' : `${info.controllerId} at ${info.controllerAddress}`}\tTerm: ${info.raftTerm}\tMetadataOffset: ${info.metadataOffset}`,
    `Controllers: ${info.controllers.map((c) => `${c.nodeId}@${c.address}`).join(',')}`,
    `Brokers: ${info.brokers.length}`,
    ...info.brokers.map(
      (b) =>
        `\tBroker: ${b.brokerId}\tEpoch: ${b.brokerEpoch}\tState: ${b.fenced ? 'fenced' : 'unfenced'}\tRack: ${b.rack ?? 'none'}\tListeners: ${b.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(',')}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

async function clusterUp(options: UpOptions, io: CliIo): Promise<ExitCode> {
  const controllers = positiveInt(options.controllers, '--controllers');
  const brokers = Number(options.brokers);
  if (!Number.isSafeInteger(brokers) || brokers < 0 || brokers > 64)
    throw new UsageError(`--brokers must be an integer from 0 to 64, got ${JSON.stringify(options.brokers)}`);
  const runForMs = options.for === undefined ? undefined : Number(options.for) * 1000;
  if (runForMs !== undefined && !(Number.isFinite(runForMs) && runForMs >= 0))
    throw new UsageError(`--for must be a number of seconds, got ${JSON.stringify(options.for)}`);
  // Loaded here, not at the top: the controller pulls in NestJS, which other commands do not need.
  const { LocalControllerCluster, sleep } = await import('@sluice/controller');
  const { LocalBrokerCluster } = await import('@sluice/broker');
  const { LocalCoordinatorCluster } = await import('@sluice/coordinator');
  const keep = options.dir !== undefined;
  const baseDir = options.dir ?? mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  mkdirSync(baseDir, { recursive: true });
  // A kept directory remembers its cluster id, so its controllers' data stays theirs.
  const idFile = join(baseDir, 'cluster.id');
  const clusterId = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : undefined;
  const local = await LocalControllerCluster.create({
    baseDir,
    nodeCount: controllers,
    ...(clusterId === undefined ? {} : { clusterId }),
  });
  writeFileSync(idFile, `${local.clusterId}\n`);
  local.startAll();
  const client = local.client(5_000);
  let stopped = false;
  let brokerProcesses: LocalBrokerCluster | null = null;
  let coordinatorProcesses: LocalCoordinatorCluster | null = null;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Coordinators, then brokers while the controllers can still move their leaderships (controlled shutdown).
    if (coordinatorProcesses !== null) removeCoordinatorsFile(coordinatorProcesses.addresses());
    await coordinatorProcesses?.stopAll(10_000);
    await brokerProcesses?.stopAll(10_000);
    client.close();
    removeBootstrapFile(local.addresses());
    await local.stopAll(5_000);
    if (!keep) rmSync(baseDir, { recursive: true, force: true });
  };
  try {
    const leader = await local.waitForLeader(client, LEADER_WAIT_MS);
    const controllerVoters = local.nodeIds.map((id) => `${id}@${local.address(id)}`).join(',');
    const brokerIds = Array.from({ length: brokers }, (_, i) => FIRST_BROKER_ID + i);
    const started = await LocalBrokerCluster.create({
      baseDir,
      clusterId: local.clusterId,
      controllerVoters,
      brokerIds,
    });
    brokerProcesses = started;
    // One group coordinator per broker, owning the __consumer_offsets and __share_group_state
    // partitions its broker leads; the brokers keep share group state through them.
    if (brokers > 0) {
      const replicationFactor = Math.min(3, brokers);
      coordinatorProcesses = await LocalCoordinatorCluster.create({
        baseDir,
        controllerVoters,
        brokers: new Map(started.brokerIds.map((id) => [id, started.address(id)])),
        config: {
          'offsets.topic.replication.factor': replicationFactor,
          'share.coordinator.state.topic.replication.factor': replicationFactor,
          'share.coordinator.state.topic.min.isr': Math.min(2, replicationFactor),
        },
      });
      started.setShareCoordinators(coordinatorProcesses.addresses());
    }
    started.startAll();
    await waitForUnfencedBrokers(client, started, baseDir, BROKER_WAIT_MS, sleep);
    if (coordinatorProcesses !== null) {
      coordinatorProcesses.startAll();
      writeCoordinatorsFile(coordinatorProcesses.addresses());
    }
    const bootstrapPath = writeBootstrapFile(local.addresses());
    const lines = [
      `sluice cluster up: cluster.id ${local.clusterId}, data in ${baseDir}${keep ? '' : ' (temporary)'}`,
      ...local.nodeIds.map(
        (id) =>
          `  controller ${id}: ${local.address(id)}  pid ${local.pid(id)}${id === leader ? '  (active controller)' : ''}  log ${join(baseDir, `controller-${id}.out`)}`,
      ),
      `  bootstrap (Controller gRPC API): ${local.addresses().join(',')}  (written to ${bootstrapPath}; other sluice commands use it by default)`,
      ...(brokers > 0
        ? started.brokerIds.map(
            (id) =>
              `  broker ${id}: ${started.address(id)}  pid ${started.pid(id) ?? '?'}  log ${join(baseDir, `broker-${id}.out`)}`,
          )
        : ['  brokers: none asked for']),
      ...(coordinatorProcesses === null
        ? []
        : coordinatorProcesses.ids.map(
            (id) =>
              `  coordinator ${id} (paired with broker ${id}): ${coordinatorProcesses!.address(id)}  pid ${coordinatorProcesses!.pid(id) ?? '?'}  log ${join(baseDir, `coordinator-${id}.out`)}`,
          )),
      '  try: sluice topic create demo; seq 10 | sluice produce demo; sluice consume demo --from-beginning   (sluice = npx -y pnpm@12 sluice)',
      runForMs === undefined ? 'Press Ctrl-C to stop every process.' : `Stopping after ${runForMs / 1000} s.`,
      '',
    ];
    io.out(lines.join('\n'));
    await new Promise<void>((resolve) => {
      // A timer, not sleep(): stopped by Ctrl-C it must not keep the process alive until --for ends.
      const timer = runForMs === undefined ? undefined : setTimeout(() => done(), runForMs);
      const done = (): void => {
        clearTimeout(timer);
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    io.out('stopping coordinators, brokers (controlled shutdown), then controllers...\n');
    await stopAll();
    io.out('stopped.\n');
    return ExitCode.OK;
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}; process output is in ${baseDir}\n`);
    await stopAll();
    return ExitCode.FAILURE;
  }
}
