/**
 * Broker processes for `sluice cluster up`: writes each broker's .properties next to the
 * controllers', formats its log directory, spawns `node services/broker/dist/main.js`, stops it
 * with SIGTERM (controlled shutdown) and SIGKILL after a bound. Every child is killed by pid when
 * this process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatLogDirs } from '@sluice/runtime';

/** Broker ids start here so they never collide with controller node ids (1, 2, 3, ...). */
export const FIRST_BROKER_ID = 101;

export interface LocalBroker {
  readonly brokerId: number;
  readonly address: string;
  readonly configFile: string;
  readonly outputFile: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

export interface StartBrokersOptions {
  readonly baseDir: string;
  readonly clusterId: string;
  /** `id@host:port,...` of the controller quorum. */
  readonly controllerVoters: string;
  readonly count: number;
  readonly host: string;
  readonly freePort: (host: string) => Promise<number>;
}

/** services/broker/dist/main.js, found from the workspace root above this file. */
export function brokerMainPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return join(dir, 'services', 'broker', 'dist', 'main.js');
    dir = dirname(dir);
  }
  throw new Error(`cannot find the workspace root above ${__dirname}; is this a sluice checkout?`);
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const running of live) {
      try {
        if (running.pid !== undefined) process.kill(running.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export async function startLocalBrokers(options: StartBrokersOptions): Promise<LocalBroker[]> {
  const mainPath = brokerMainPath();
  if (!existsSync(mainPath)) throw new Error(`${mainPath} is missing: run \`npx -y pnpm@12 build\` first`);
  const brokers: LocalBroker[] = [];
  for (let i = 0; i < options.count; i++) {
    const brokerId = FIRST_BROKER_ID + i;
    const port = await options.freePort(options.host);
    const logDir = join(options.baseDir, `broker-${brokerId}`);
    const configFile = join(options.baseDir, `broker-${brokerId}.properties`);
    const outputFile = join(options.baseDir, `broker-${brokerId}.out`);
    mkdirSync(logDir, { recursive: true });
    const lines = [
      `node.id=${brokerId}`,
      'process.roles=broker',
      `controller.quorum.voters=${options.controllerVoters}`,
      `listeners=PLAINTEXT://${options.host}:${port}`,
      `log.dirs=${logDir}`,
      `metrics.host=${options.host}`,
      'metrics.port=0',
    ];
    writeFileSync(configFile, `${lines.join('\n')}\n`);
    formatLogDirs({ clusterId: options.clusterId, nodeId: brokerId, logDirs: [logDir], ignoreFormatted: true });
    const fd = openSync(outputFile, 'a');
    const child = spawn(process.execPath, [mainPath, '--config', configFile], { stdio: ['ignore', fd, fd], env: { ...process.env } });
    closeSync(fd);
    killOnExit(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    brokers.push({ brokerId, address: `${options.host}:${port}`, configFile, outputFile, child, exited });
  }
  return brokers;
}

function isRunning(broker: LocalBroker): boolean {
  return broker.child.exitCode === null && broker.child.signalCode === null;
}

/** SIGTERM (controlled shutdown), then SIGKILL whatever is still running after `timeoutMs`. */
export async function stopLocalBrokers(brokers: readonly LocalBroker[], timeoutMs: number): Promise<void> {
  const bounded = (broker: LocalBroker): Promise<unknown> => Promise.race([broker.exited, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  await Promise.all(
    brokers.map(async (broker) => {
      if (!isRunning(broker) || broker.child.pid === undefined) return;
      process.kill(broker.child.pid, 'SIGTERM');
      await bounded(broker);
      if (isRunning(broker)) {
        process.kill(broker.child.pid, 'SIGKILL');
        await bounded(broker);
      }
    }),
  );
}
