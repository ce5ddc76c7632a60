/** Test harness: a ControllerCore plus the image it decides on, advanced through MetadataDelta as the shell would. */
import { imageRecords, MetadataDelta, MetadataImage, type MetadataRecord } from '@sluice/metadata';
import { ApiError, type ApiErrorName } from '@sluice/protocol';
import {
  clusterInvariantViolations,
  ControllerCore,
  randomUuid,
  seededRng,
  type ControllerCoreOptions,
  type ControllerResult,
  type FenceExpiredResponse,
} from '../../src/core';

export const CLUSTER_ID = 'sluice-test-cluster';
export const SESSION_MS = 9_000;

export function incarnation(seed: number): string {
  return randomUuid(seededRng(seed + 1_000_003));
}

/** Replays records at consecutive offsets after the image, as the shell does after commit. */
export function applyAt(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  const delta = new MetadataDelta(image);
  let offset = image.provenance.lastContainedOffset + 1;
  for (const record of records) delta.replay(record, { offset: offset++, epoch: 1 });
  return delta.apply();
}

export function sameImage(a: MetadataImage, b: MetadataImage): boolean {
  return JSON.stringify([...imageRecords(a)]) === JSON.stringify([...imageRecords(b)]);
}

/**
 * Whether moves off fenced brokers are still pending after `result`: set by any result with
 * `movesPending`, cleared by a fenceExpiredBrokers answer without it (that call continues all
 * pending moves, so its "no more" covers everything).
 */
export function nextMovesPending(pending: boolean, result: ControllerResult<unknown>): boolean {
  if (result.movesPending === true) return true;
  const response = result.response as { movesPending?: unknown } | null;
  if (typeof response === 'object' && response !== null && response.movesPending === false) return false;
  return pending;
}

export class Harness {
  readonly core: ControllerCore;
  image: MetadataImage = MetadataImage.EMPTY;
  nowMs = 1_000_000;
  readonly epochs = new Map<number, number>();
  /**
   * A result said `movesPending` and no fenceExpiredBrokers call has answered without it since:
   * a fenced broker may still lead or sit in ISRs (checked with `pendingMovesAllowed`).
   */
  movesPending = false;

  constructor(options: Partial<ControllerCoreOptions> = {}) {
    this.core = new ControllerCore({
      clusterId: CLUSTER_ID,
      rng: seededRng(42),
      brokerSessionTimeoutMs: SESSION_MS,
      ...options,
    });
    this.commit(this.core.bootstrapRecords(this.image));
  }

  /** Applies a result's records and checks the cluster invariants (relaxed while moves are pending). */
  commit<R>(result: ControllerResult<R>): R {
    this.image = applyAt(this.image, result.records);
    this.movesPending = nextMovesPending(this.movesPending, result);
    const problems = clusterInvariantViolations(this.image, { pendingMovesAllowed: this.movesPending });
    if (problems.length > 0) throw new Error(`invariants broken: ${problems.join('; ')}`);
    return result.response;
  }

  /** Calls fenceExpiredBrokers until no moves are pending; returns the results (each committed). */
  drainMoves(maxCalls = 10_000): ControllerResult<FenceExpiredResponse>[] {
    const results: ControllerResult<FenceExpiredResponse>[] = [];
    do {
      if (results.length >= maxCalls) throw new Error(`moves still pending after ${maxCalls} calls`);
      const result = this.core.fenceExpiredBrokers(this.image, this.nowMs);
      this.commit(result);
      results.push(result);
    } while (this.movesPending);
    return results;
  }

  /** `logDirs`: the directory ids it reports (KIP-858); none by default. */
  register(brokerId: number, rack: string | null = null, seed = brokerId, logDirs?: readonly string[]): number {
    const { brokerEpoch } = this.commit(
      this.core.registerBroker(
        this.image,
        {
          brokerId,
          incarnationId: incarnation(seed),
          listeners: [{ name: 'PLAINTEXT', host: `b${brokerId}`, port: 9092 }],
          rack,
          clusterId: CLUSTER_ID,
          ...(logDirs === undefined ? {} : { logDirs }),
        },
        this.nowMs,
      ),
    );
    this.epochs.set(brokerId, brokerEpoch);
    return brokerEpoch;
  }

  epoch(brokerId: number): number {
    const epoch = this.epochs.get(brokerId);
    if (epoch === undefined) throw new Error(`broker ${brokerId} not registered in harness`);
    return epoch;
  }

  heartbeat(
    brokerId: number,
    extra: { wantFence?: boolean; wantShutDown?: boolean; offlineLogDirs?: readonly string[] } = {},
  ) {
    return this.commit(
      this.core.brokerHeartbeat(
        this.image,
        {
          brokerId,
          brokerEpoch: this.epoch(brokerId),
          currentMetadataOffset: this.image.provenance.lastContainedOffset,
          wantFence: extra.wantFence ?? false,
          wantShutDown: extra.wantShutDown ?? false,
          ...(extra.offlineLogDirs === undefined ? {} : { offlineLogDirs: extra.offlineLogDirs }),
        },
        this.nowMs,
      ),
    );
  }

  /** Registers and unfences brokers 0..count-1 (racks assigned round-robin when given). */
  brokers(count: number, racks: readonly string[] = []): this {
    for (let id = 0; id < count; id++)
      this.register(id, racks.length > 0 ? (racks[id % racks.length] as string) : null);
    for (let id = 0; id < count; id++) this.heartbeat(id);
    return this;
  }

  topic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string> = {}): string {
    const response = this.commit(
      this.core.createTopics(this.image, [{ name, numPartitions, replicationFactor, configs }]),
    );
    const result = response.topics[0];
    if (result?.topicId === undefined) throw new Error(`topic ${name} not created: ${result?.error?.message}`);
    return result.topicId;
  }

  partition(name: string, partitionId: number) {
    const plain = this.image.topics.topicByName(name)?.partitions.getPlain(partitionId);
    if (plain === undefined) throw new Error(`no partition ${name}-${partitionId}`);
    return plain;
  }

  /** Expects `action` to throw the named ApiError; the image must not change. */
  refuses(errorName: ApiErrorName, action: () => ControllerResult<unknown>): ApiError {
    const before = this.image;
    let caught: unknown;
    try {
      action();
    } catch (error) {
      caught = error;
    }
    if (!(caught instanceof ApiError)) throw new Error(`expected ApiError ${errorName}, got ${String(caught)}`);
    expect(caught.errorName).toBe(errorName);
    expect(sameImage(before, this.image)).toBe(true);
    return caught;
  }
}
