/**
 * A controller that lags behind a large snapshot catches up: two of three controllers start
 * from a seeded snapshot of N partitions (metadata-seed.ts) and elect a leader; the third starts
 * with an empty metadata log, so the leader must send it the whole snapshot (RaftPeer
 * SendSnapshot, chunked). Measured from the third's start to the moment it reports the
 * snapshot's offset as applied; the leader's and the follower's logs say how long the transfer
 * itself took and how big it was.
 */
import { readFileSync } from 'node:fs';
import { LocalCluster, sleep } from '@sluice/local-cluster';
import { buildSeedImage, SEED_SNAPSHOT_INDEX, seedController, seedSnapshotBytes } from './metadata-seed';

export interface CatchUpOptions {
  readonly baseDir: string;
  readonly partitions: number;
  /** Another built checkout whose controllers run (the baseline); undefined: this build. */
  readonly workspace?: string;
  readonly timeoutMs: number;
  readonly controllerConfig: Readonly<Record<string, string>>;
  readonly note: (text: string) => void;
}

export interface CatchUpResult {
  readonly partitions: number;
  readonly snapshotBytes: number;
  /** From the lagging controller's start to its applied offset reaching the snapshot; a string if it did not. */
  readonly catchUpMs: number | string;
  /** The leader's own figure for the transfer ('raft snapshot delivered to peer'), when it logged one. */
  readonly transferMs: number | undefined;
  readonly transfers: number;
  readonly leaderStartMs: number;
}

/** pino JSON lines of a log file carrying `msg`, parsed. */
function logLines(file: string, msg: string): Record<string, unknown>[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.includes(msg))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

export async function measureCatchUp(options: CatchUpOptions): Promise<CatchUpResult> {
  const { note } = options;
  note(`catch-up: seeding ${options.partitions} partitions on two of three controllers`);
  let data: Buffer | undefined = seedSnapshotBytes(buildSeedImage(options.partitions).image);
  const snapshotBytes = data.length;
  const cluster = await LocalCluster.create({
    baseDir: options.baseDir,
    roles: {
      controller: {
        count: 3,
        config: options.controllerConfig,
        ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
      },
      broker: { count: 0 },
    },
  });
  const controllers = cluster.controllers;
  const [first, second, laggard] = controllers.nodeIds as [number, number, number];
  seedController(controllers.dataDir(first), controllers.nodeIds, data);
  seedController(controllers.dataDir(second), controllers.nodeIds, data);
  data = undefined;
  const releaseSignals = cluster.stopOnSignals(2_000);
  try {
    let started = performance.now();
    controllers.start(first);
    controllers.start(second);
    const leaderId = await cluster.waitForControllerLeader(300_000);
    const leaderStartMs = performance.now() - started;
    note(`catch-up: controller ${leaderId} leads; starting controller ${laggard} with an empty log`);
    started = performance.now();
    controllers.start(laggard);
    let catchUpMs: number | string = `not within ${Math.round(options.timeoutMs / 1000)} s`;
    while (performance.now() - started < options.timeoutMs) {
      if (!controllers.isRunning(laggard)) {
        catchUpMs = `controller ${laggard} exited (see ${controllers.logFile(laggard)})`;
        break;
      }
      const view = await cluster.describeController(laggard, 2_000);
      if (view !== undefined && view.metadataOffset >= SEED_SNAPSHOT_INDEX) {
        catchUpMs = performance.now() - started;
        break;
      }
      await sleep(100);
    }
    const delivered = logLines(controllers.logFile(leaderId), 'raft snapshot delivered to peer');
    const transfers = logLines(controllers.logFile(leaderId), 'streaming raft snapshot to peer').length;
    const durationMs = delivered.at(-1)?.durationMs;
    return {
      partitions: options.partitions,
      snapshotBytes,
      catchUpMs,
      transferMs: typeof durationMs === 'number' ? durationMs : undefined,
      transfers,
      leaderStartMs,
    };
  } finally {
    await cluster.stop();
    releaseSignals();
  }
}
