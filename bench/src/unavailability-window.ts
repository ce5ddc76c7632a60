/**
 * The unavailability window after a broker dies, through a real 3-controller quorum: from the
 * moment the broker stops (kill -9: no heartbeat after its last answered one) to the moment the
 * last of its partitions has a live leader and an ISR without it, as the committed metadata log
 * shows it to any follower (the FetchMetadata feed of the leader, which brokers follow too).
 *
 * The quorum starts from a seeded snapshot (metadata-seed.ts) of N partitions; this process plays
 * the six brokers (heartbeats every `heartbeatMs` with the seeded epochs). Broker 5 is the one
 * that dies: it leads 1/6 of the partitions and sits in the ISR of 1/2. Reported, each from the
 * kill: the FenceBroker record, the last leadership moved off it, the last ISR cleaned, and how
 * many metadata entries the moves took.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ControllerClient } from '@sluice/controller';
import { LocalCluster, sleep } from '@sluice/local-cluster';
import { decodeRecord } from '@sluice/metadata';
import type { FetchMetadataResponse__Output } from '@sluice/proto';
import {
  buildSeedImage,
  SEED_BROKERS,
  SEED_PARTITIONS_PER_TOPIC,
  seedBrokerEpoch,
  seedController,
  seedReplicas,
  seedSnapshotBytes,
  seedTopicId,
} from './metadata-seed';

export const VICTIM = SEED_BROKERS - 1;
const LED = 1;
const IN_ISR = 2;

export interface WindowOptions {
  readonly baseDir: string;
  readonly partitions: number;
  /** Another built checkout whose controllers run (the baseline); undefined: this build. */
  readonly workspace?: string;
  readonly heartbeatMs: number;
  /** Bound on the wait for the last move after the kill. */
  readonly timeoutMs: number;
  readonly controllerConfig: Readonly<Record<string, string>>;
  readonly note: (text: string) => void;
}

export interface WindowResult {
  readonly partitions: number;
  readonly ledByVictim: number;
  readonly isrWithVictim: number;
  /** Milliseconds from the kill; a string when it did not happen within the timeout. */
  readonly fenceMs: number | string;
  readonly lastLeaderMs: number | string;
  readonly lastIsrMs: number | string;
  readonly windowMs: number | string;
  /** Metadata entries (feed batches) carrying the moves. */
  readonly moveEntries: number;
  readonly quorumStartMs: number;
}

/** Partitions naming the victim, per topic: bit LED (it leads), bit IN_ISR (in the ISR). */
function victimFlags(partitions: number): { flags: Map<string, Uint8Array>; led: number; inIsr: number } {
  const flags = new Map<string, Uint8Array>();
  let led = 0;
  let inIsr = 0;
  const topics = Math.ceil(partitions / SEED_PARTITIONS_PER_TOPIC);
  for (let t = 0; t < topics; t++) {
    const count = Math.min(SEED_PARTITIONS_PER_TOPIC, partitions - t * SEED_PARTITIONS_PER_TOPIC);
    const bits = new Uint8Array(count);
    for (let p = 0; p < count; p++) {
      const replicas = seedReplicas(t, p);
      if (replicas[0] === VICTIM) {
        bits[p] = (bits[p] as number) | LED;
        led++;
      }
      if (replicas.includes(VICTIM)) {
        bits[p] = (bits[p] as number) | IN_ISR;
        inIsr++;
      }
    }
    flags.set(seedTopicId(t), bits);
  }
  return { flags, led, inIsr };
}

/** The six seeded brokers, heartbeating; `kill()` stops the victim right after an answered heartbeat. */
class SeededBrokers {
  private running = true;
  private loop: Promise<void> | undefined;
  private killWanted: ((atMs: number) => void) | null = null;
  private killed = false;
  heartbeats = 0;
  errors = 0;

  constructor(
    private readonly client: ControllerClient,
    private readonly intervalMs: number,
    private readonly note: (text: string) => void,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (this.running) {
        const started = performance.now();
        await Promise.all(
          Array.from({ length: SEED_BROKERS }, (_, brokerId) => brokerId)
            .filter((brokerId) => !(brokerId === VICTIM && this.killed))
            .map(async (brokerId) => {
              try {
                await this.client.call('BrokerHeartbeat', {
                  brokerId,
                  brokerEpoch: seedBrokerEpoch(brokerId),
                  currentMetadataOffset: '1000000000',
                  wantFence: false,
                  wantShutdown: false,
                });
                this.heartbeats++;
                if (brokerId === VICTIM && this.killWanted !== null) {
                  // kill -9 right after this answer: its lease runs from this contact.
                  this.killed = true;
                  this.killWanted(performance.now());
                  this.killWanted = null;
                }
              } catch (error) {
                this.errors++;
                this.note(`heartbeat of broker ${brokerId} failed: ${(error as Error).message}`);
              }
            }),
        );
        await sleep(Math.max(0, this.intervalMs - (performance.now() - started)));
      }
    })();
  }

  /** Resolves with the kill time (performance.now()) once the victim's next heartbeat was answered. */
  kill(): Promise<number> {
    return new Promise((resolve) => (this.killWanted = resolve));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

export async function measureWindow(options: WindowOptions): Promise<WindowResult> {
  const { note } = options;
  mkdirSync(options.baseDir, { recursive: true });
  note(`window: seeding ${options.partitions} partitions`);
  let data: Buffer | undefined = seedSnapshotBytes(buildSeedImage(options.partitions).image);
  const { flags, led, inIsr } = victimFlags(options.partitions);
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
  for (const id of controllers.nodeIds) seedController(controllers.dataDir(id), controllers.nodeIds, data);
  data = undefined;
  const releaseSignals = cluster.stopOnSignals(2_000);
  const client = new ControllerClient(controllers.addresses(), {
    timeoutMs: 30_000,
    attemptTimeoutMs: 10_000,
    retryBackoffMs: 50,
  });
  const brokers = new SeededBrokers(client, options.heartbeatMs, note);
  try {
    const started = performance.now();
    controllers.startAll();
    const leaderId = await cluster.waitForControllerLeader(300_000);
    const quorumStartMs = performance.now() - started;
    brokers.start();
    // Two heartbeat rounds after the leader's activation: every lease is fresh and steady.
    await sleep(2 * options.heartbeatMs + 1_000);
    const leaderAddress = controllers.address(leaderId);
    const view = await cluster.describeController(leaderId, 30_000);
    const from = Number(view?.metadataOffset ?? 0) + 1;
    let fenceAt: number | undefined;
    let lastLeaderAt: number | undefined;
    let lastIsrAt: number | undefined;
    let leadersLeft = led;
    let isrsLeft = inIsr;
    let moveEntries = 0;
    const stream = client.fetchMetadata(leaderAddress, from, 'bench-unavailability-window');
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (message: FetchMetadataResponse__Output) => {
        const batch = message.batch;
        if (batch === null || batch === undefined) return;
        const nowMs = performance.now();
        let moves = 0;
        for (const frame of batch.records) {
          const { record } = decodeRecord(frame);
          if (record.type === 'FenceBroker' && record.brokerId === VICTIM) fenceAt ??= nowMs;
          if (record.type !== 'PartitionChange') continue;
          const bits = flags.get(record.topicId);
          const current = bits?.[record.partitionId] ?? 0;
          if (bits === undefined || current === 0) continue;
          moves++;
          let next = current;
          if ((current & LED) !== 0 && record.leader !== undefined && record.leader !== VICTIM && record.leader >= 0) {
            next &= ~LED;
            leadersLeft--;
            if (leadersLeft === 0) lastLeaderAt = nowMs;
          }
          if ((current & IN_ISR) !== 0 && record.isr !== undefined && !record.isr.includes(VICTIM)) {
            next &= ~IN_ISR;
            isrsLeft--;
            if (isrsLeft === 0) lastIsrAt = nowMs;
          }
          bits[record.partitionId] = next;
        }
        if (moves > 0) moveEntries++;
        if (leadersLeft === 0 && isrsLeft === 0) resolve();
      });
      stream.on('error', (error: Error) => reject(error));
    });
    done.catch(() => undefined);
    const killAt = await brokers.kill();
    note(`window: broker ${VICTIM} killed; waiting for its ${led} leaderships and ${inIsr} ISR places to move`);
    const timeout = sleep(options.timeoutMs).then(() => 'timeout' as const);
    const outcome = await Promise.race([done.then(() => 'done' as const), timeout]);
    stream.cancel();
    const since = (at: number | undefined): number | string =>
      at === undefined ? `not within ${Math.round(options.timeoutMs / 1000)} s` : at - killAt;
    const windowEnd = outcome === 'done' ? Math.max(lastLeaderAt ?? 0, lastIsrAt ?? 0) : undefined;
    return {
      partitions: options.partitions,
      ledByVictim: led,
      isrWithVictim: inIsr,
      fenceMs: since(fenceAt),
      lastLeaderMs: since(led === 0 ? killAt : lastLeaderAt),
      lastIsrMs: since(lastIsrAt),
      windowMs: since(windowEnd),
      moveEntries,
      quorumStartMs,
    };
  } finally {
    await brokers.stop();
    client.close();
    await cluster.stop();
    releaseSignals();
  }
}

export function windowDir(baseDir: string, build: string, partitions: number): string {
  return join(baseDir, `window-${build}-${partitions}`);
}
