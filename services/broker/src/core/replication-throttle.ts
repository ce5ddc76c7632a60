/**
 * Kafka's replication throttle (KIP-73), as a pure core: which replicas are throttled on this
 * broker and the byte rate they share, per side.
 *
 * - Leader side: `leader.replication.throttled.rate` bounds the bytes this broker serves to
 *   followers of the partitions `leader.replication.throttled.replicas` lists with this broker's
 *   id, all of them together.
 * - Follower side: `follower.replication.throttled.rate` bounds the bytes this broker fetches for
 *   the partitions `follower.replication.throttled.replicas` lists with this broker's id.
 * - Rates are dynamic broker configs: this broker's own (`broker <id>`), else the cluster default
 *   (Kafka's `<default>`, stored as the cluster resource), else unlimited. A list is a topic
 *   config. Without a rate on a side, nothing on that side is throttled.
 * - Only a replica that is not in the ISR is throttled (Kafka's shouldLeaderThrottle /
 *   shouldFollowerThrottle): a throttle is for replicas catching up (a reassignment), and an
 *   in-sync follower held back would stall acks=all and the high watermark.
 *
 * As Kafka, the check comes before a read and the bytes are counted after it: a throttled read
 * goes only while nothing is owed (`waitMs` is 0), and its bytes are then charged to the side's
 * ByteRateLimiter. Unlike Kafka (which reads up to replica.fetch.max.bytes), a throttled read is
 * bounded by one second's worth of the rate, so the rate holds to within a second at any moment,
 * not to within one 10 MiB fetch. Another difference: Kafka measures the rate over sampled
 * windows; the limiter here banks no idle time, so a throttled copy never bursts above the rate.
 *
 * The shells (fetch-path.ts on the leader, replica-fetcher.ts on the follower) ask it and hold a
 * partition's read back while its side owes; unthrottled partitions in the same request are read
 * as always.
 */
import {
  FOLLOWER_THROTTLED_RATE,
  FOLLOWER_THROTTLED_REPLICAS,
  isReplicaThrottled,
  LEADER_THROTTLED_RATE,
  LEADER_THROTTLED_REPLICAS,
  NO_THROTTLED_REPLICAS,
  parseThrottledReplicas,
  type ConfigsImage,
  type ThrottledReplicas,
} from '@sluice/metadata';
import { ByteRateLimiter } from '@sluice/tiering';
import { assert } from './assert';

export type ThrottleSide = 'leader' | 'follower';

export const THROTTLE_SIDES: readonly ThrottleSide[] = ['leader', 'follower'];

const RATE_CONFIG: Readonly<Record<ThrottleSide, string>> = {
  leader: LEADER_THROTTLED_RATE,
  follower: FOLLOWER_THROTTLED_RATE,
};
const REPLICAS_CONFIG: Readonly<Record<ThrottleSide, string>> = {
  leader: LEADER_THROTTLED_REPLICAS,
  follower: FOLLOWER_THROTTLED_REPLICAS,
};

/** Cumulative counts of one side (for /metrics). */
export interface ThrottleCounts {
  /** Bytes of throttled replicas' reads charged to the rate. */
  readonly throttledBytes: number;
  /** Partition reads held back because the side owed bytes. */
  readonly heldBackReads: number;
}

class Side {
  limiter: ByteRateLimiter | null = null;
  /** Topic -> its throttled-replica list; topics without one are absent. */
  lists = new Map<string, ThrottledReplicas>();
  throttledBytes = 0;
  heldBackReads = 0;
}

export class ReplicationThrottle {
  private readonly sides: Readonly<Record<ThrottleSide, Side>> = { leader: new Side(), follower: new Side() };
  /** The configs image applied last; images are immutable, so the same object means no change. */
  private appliedConfigs: ConfigsImage | null = null;

  constructor(readonly brokerId: number) {
    assert(Number.isSafeInteger(brokerId) && brokerId >= 0, `broker id ${brokerId} must be a non-negative integer`);
  }

  /** Takes the rates and lists of a metadata image's configs; the bytes still owed carry over. */
  applyConfigs(configs: ConfigsImage, nowMs: number): void {
    if (configs === this.appliedConfigs) return;
    this.appliedConfigs = configs;
    const broker = String(this.brokerId);
    for (const side of THROTTLE_SIDES) {
      const state = this.sides[side];
      const rate = parseRate(
        configs.value('broker', broker, RATE_CONFIG[side]) ?? configs.value('cluster', '', RATE_CONFIG[side]),
      );
      if (rate === null) state.limiter = null;
      else if (state.limiter === null) state.limiter = new ByteRateLimiter(rate);
      else if (state.limiter.maxBytesPerSecond !== rate) state.limiter.setRate(rate, nowMs);
      state.lists = new Map();
    }
    for (const resource of configs.sortedResources()) {
      if (resource.resourceType !== 'topic') continue;
      for (const side of THROTTLE_SIDES) {
        const list = parseList(resource.entries.get(REPLICAS_CONFIG[side]));
        if (list !== NO_THROTTLED_REPLICAS) this.sides[side].lists.set(resource.resourceName, list);
      }
    }
  }

  /**
   * Whether this broker throttles a read of `topic`-`partition` on `side`: a rate is set, the
   * topic's list names the partition with this broker, and the replica being caught up (the
   * fetching follower on the leader side, this broker on the follower side) is not in the ISR.
   */
  /**
   * Whether `isThrottled` can say yes for some replica of `topic` on `side` (a rate and a list for
   * the topic): callers skip finding out whether the replica is in sync (a metadata lookup) when not.
   */
  mayThrottle(side: ThrottleSide, topic: string): boolean {
    const state = this.sides[side];
    return state.limiter !== null && state.lists.has(topic);
  }

  isThrottled(side: ThrottleSide, topic: string, partition: number, replicaInSync: boolean): boolean {
    const state = this.sides[side];
    if (state.limiter === null || replicaInSync) return false;
    const list = state.lists.get(topic);
    return list !== undefined && isReplicaThrottled(list, partition, this.brokerId);
  }

  /** How long (ms) a throttled read on `side` must wait now: 0 when it may go. */
  waitMs(side: ThrottleSide, nowMs: number): number {
    return this.sides[side].limiter?.waitMs(nowMs) ?? 0;
  }

  /** The most a throttled read may ask for: one second's worth of the rate (at least 1 byte). */
  maxReadBytes(side: ThrottleSide): number {
    const limiter = this.sides[side].limiter;
    return limiter === null ? Number.MAX_SAFE_INTEGER : limiter.maxBytesPerSecond;
  }

  /** A throttled read held back (it asked while the side owed). */
  heldBack(side: ThrottleSide): void {
    this.sides[side].heldBackReads++;
  }

  /** Charges a throttled read's bytes to the side's rate. */
  record(side: ThrottleSide, bytes: number, nowMs: number): void {
    assert(Number.isSafeInteger(bytes) && bytes >= 0, `throttled bytes ${bytes} must be a non-negative integer`);
    const state = this.sides[side];
    if (state.limiter === null || bytes === 0) return;
    state.limiter.admit(bytes, nowMs);
    state.throttledBytes += bytes;
  }

  /** The rate in force on `side` (bytes/s), or null when unlimited. */
  rateBytesPerSecond(side: ThrottleSide): number | null {
    return this.sides[side].limiter?.maxBytesPerSecond ?? null;
  }

  counts(side: ThrottleSide): ThrottleCounts {
    const { throttledBytes, heldBackReads } = this.sides[side];
    return { throttledBytes, heldBackReads };
  }
}

/**
 * A rate as the controller validated it (a long >= 1); null for unlimited. Kafka's default,
 * Long.MAX_VALUE, and anything beyond a safe integer are unlimited in practice. A value this
 * broker cannot read (written by a newer controller) throttles nothing rather than stall.
 */
function parseRate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (!/^\+?\d{1,19}$/.test(trimmed)) return null;
  const rate = Number(trimmed);
  return Number.isSafeInteger(rate) && rate >= 1 ? rate : null;
}

/** A list as the controller validated it; one this broker cannot read throttles nothing. */
function parseList(value: string | undefined): ThrottledReplicas {
  if (value === undefined) return NO_THROTTLED_REPLICAS;
  try {
    const list = parseThrottledReplicas(value);
    return list.all || list.brokersByPartition.size > 0 ? list : NO_THROTTLED_REPLICAS;
  } catch (error) {
    if (error instanceof RangeError) return NO_THROTTLED_REPLICAS;
    throw error;
  }
}
