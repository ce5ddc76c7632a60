/**
 * The controller's soft state about broker liveness (Kafka's BrokerHeartbeatManager): when
 * each broker last heartbeated, how far its metadata has caught up, and whether it asked for a
 * controlled shutdown. This is NOT in the metadata log: a new controller leader starts every
 * registered broker with a fresh lease (`sync`), exactly as Kafka does on failover.
 */
import type { MetadataImage } from '@sluice/metadata';
import { assert } from './assert';
import { MAX_BROKERS } from './limits';

export interface BrokerSession {
  readonly brokerId: number;
  /** The registration this session belongs to; a new epoch starts a new session. */
  readonly brokerEpoch: number;
  lastContactMs: number;
  /** Highest metadata offset the broker reported; -1 before its first heartbeat. */
  metadataOffset: number;
  /** Set by a controlled-shutdown request; cleared only by re-registering. */
  inControlledShutdown: boolean;
}

export class BrokerHeartbeatManager {
  private readonly sessions = new Map<number, BrokerSession>();

  constructor(readonly sessionTimeoutMs: number) {
    assert(
      Number.isSafeInteger(sessionTimeoutMs) && sessionTimeoutMs > 0,
      `session timeout ${sessionTimeoutMs}ms must be a positive integer`,
    );
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The session of this registration, if the core has seen it. Never creates one. */
  peek(brokerId: number, brokerEpoch: number): BrokerSession | undefined {
    const session = this.sessions.get(brokerId);
    return session !== undefined && session.brokerEpoch === brokerEpoch ? session : undefined;
  }

  /** The session of this registration, starting a lease at `nowMs` if it is new to the core. */
  session(brokerId: number, brokerEpoch: number, nowMs: number): BrokerSession {
    checkTime(nowMs);
    const existing = this.sessions.get(brokerId);
    if (existing !== undefined && existing.brokerEpoch === brokerEpoch) return existing;
    if (existing !== undefined && existing.brokerEpoch > brokerEpoch) {
      // The broker re-registered and the new registration is not in this image yet: answer the
      // old epoch from a throwaway session rather than clobber the newer one.
      return { brokerId, brokerEpoch, lastContactMs: nowMs, metadataOffset: -1, inControlledShutdown: false };
    }
    assert(this.sessions.size < MAX_BROKERS || this.sessions.has(brokerId), `more than ${MAX_BROKERS} broker sessions`);
    const created: BrokerSession = {
      brokerId,
      brokerEpoch,
      lastContactMs: nowMs,
      metadataOffset: -1,
      inControlledShutdown: false,
    };
    this.sessions.set(brokerId, created);
    return created;
  }

  /** A new registration: a fresh session whose lease starts now. */
  register(brokerId: number, brokerEpoch: number, nowMs: number): BrokerSession {
    this.sessions.delete(brokerId);
    return this.session(brokerId, brokerEpoch, nowMs);
  }

  touch(brokerId: number, brokerEpoch: number, nowMs: number, metadataOffset: number): BrokerSession {
    const session = this.session(brokerId, brokerEpoch, nowMs);
    // A clock that steps back must not shorten a lease; offsets only move forward.
    session.lastContactMs = Math.max(session.lastContactMs, nowMs);
    session.metadataOffset = Math.max(session.metadataOffset, metadataOffset);
    return session;
  }

  /** Each broker's last reported applied metadata offset (-1: none yet), for the active controller's metrics. */
  metadataOffsets(): Map<number, number> {
    const offsets = new Map<number, number>();
    for (const [brokerId, session] of this.sessions) offsets.set(brokerId, session.metadataOffset);
    return offsets;
  }

  leaseExpiresAtMs(session: BrokerSession): number {
    return session.lastContactMs + this.sessionTimeoutMs;
  }

  /** Kafka's rule: stale once strictly more than the session timeout has passed since last contact. */
  isExpired(session: BrokerSession, nowMs: number): boolean {
    return nowMs > this.leaseExpiresAtMs(session);
  }

  /** Is a broker with this registration alive: seen and not expired. */
  hasValidSession(brokerId: number, brokerEpoch: number, nowMs: number): boolean {
    const session = this.peek(brokerId, brokerEpoch);
    return session !== undefined && !this.isExpired(session, nowMs);
  }

  inControlledShutdown(brokerId: number, brokerEpoch: number): boolean {
    return this.peek(brokerId, brokerEpoch)?.inControlledShutdown ?? false;
  }

  /**
   * Aligns the sessions with the image: registrations the core has not seen get a lease from
   * `nowMs`; sessions of brokers gone from the image (or superseded by a newer epoch) are dropped.
   */
  sync(image: MetadataImage, nowMs: number): void {
    checkTime(nowMs);
    for (const [brokerId, session] of this.sessions) {
      const registration = image.cluster.broker(brokerId);
      // A session newer than the image is a registration not yet committed: keep it.
      if (registration === undefined || registration.brokerEpoch > session.brokerEpoch) this.sessions.delete(brokerId);
    }
    for (const broker of image.cluster.brokers()) {
      const session = this.sessions.get(broker.brokerId);
      if (session === undefined) this.session(broker.brokerId, broker.brokerEpoch, nowMs);
    }
    assert(this.sessions.size <= MAX_BROKERS, `${this.sessions.size} sessions exceed ${MAX_BROKERS}`);
  }

  /** Forgets everything, e.g. when this controller loses leadership. */
  clear(): void {
    this.sessions.clear();
  }
}

function checkTime(nowMs: number): void {
  assert(Number.isFinite(nowMs), `nowMs ${nowMs} is not a finite number`);
}
