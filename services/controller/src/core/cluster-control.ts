/**
 * Broker lifecycle (Kafka's ClusterControlManager plus the broker half of
 * ReplicationControlManager): registration, heartbeats, fencing on lease expiry, controlled
 * shutdown. Each function validates first and touches the soft state only once it has decided,
 * so a refused request changes nothing.
 *
 * Broker epoch: Kafka uses the offset of the registration record. The core cannot know that
 * offset before the shell appends the record, so the shell may pass `nextOffset` (the offset
 * the first returned record will land at); without it the core assumes the record directly
 * follows the image, i.e. `image.provenance.lastContainedOffset + 1`. Either way the epoch is
 * raised to at least the previous epoch + 1, so it strictly increases per broker, and a broker
 * counts as caught up once its metadata offset reaches its epoch.
 *
 * Bounded, incremental moves (as Kafka does not write a fence as one giant atomic batch): an
 * operation that takes brokers out of service (lease expiry, wantFence, re-registration,
 * controlled shutdown) writes its FenceBroker/registration record plus at most
 * `maxPartitionChangesPerOperation` PartitionChange records and says `movesPending` if more
 * remain. Between such chunks a fenced broker may still lead, or sit in the ISR of, partitions
 * not yet moved; `fenceExpiredBrokers` continues the work (the shell calls it again at once,
 * and its periodic lease check also picks up what a failover left behind). Every move pass
 * treats all brokers out of service together (see `leavingBrokerIds`), so no partition is ever
 * handed to a fenced or shutting-down broker.
 *
 * Lost replicas (KIP-858's directory ids, see eligible-leaders.ts): a broker that re-registers
 * without a log directory its previous registration reported is registered `replicasLost`; the
 * moves then take it out of every ISR and ELR (even as a last ISR member), chunk by chunk like
 * a fence, and it is not unfenced while any of those memberships remain, so it can lead
 * nothing it lost. Its UnfenceBroker clears the mark: what it joins afterwards it holds.
 */
import {
  isUuid,
  ZERO_UUID,
  type BrokerRegistration,
  type BrokerRegistrationRecord,
  type FenceBrokerRecord,
  type Listener,
  type MetadataRecord,
  type UnfenceBrokerRecord,
} from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { assert } from './assert';
import {
  electionsForReturningBroker,
  movesOffBrokers,
  type BoundedMoves,
  type ElectionContext,
} from './broker-partitions';
import type { BrokerSession } from './broker-heartbeats';
import { isEligibleBroker, type CoreContext } from './context';
import { brokersWithLostReplicas } from './eligible-leaders';
import { MAX_BROKERS, MAX_LISTENERS, MAX_LOG_DIRS } from './limits';
import type { ControllerResult } from './result';

const MAX_BROKER_ID = 2 ** 31 - 1;
const MAX_PORT = 65_535;
const MAX_HOST_LENGTH = 255;
const MAX_RACK_LENGTH = 255;

export interface RegisterBrokerRequest {
  readonly brokerId: number;
  /** A Kafka-style UUID chosen by the broker process at start-up. */
  readonly incarnationId: string;
  readonly listeners: readonly Listener[];
  readonly rack: string | null;
  readonly clusterId: string;
  /**
   * KIP-858: the directory id of each log directory (meta.properties `directory.id`). Absent: not
   * reported (an older broker), which never counts as a lost directory.
   */
  readonly logDirs?: readonly string[];
  /** Offset the registration record will be written at, when the shell knows it (see file comment). */
  readonly nextOffset?: number;
}

export interface RegisterBrokerResponse {
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface BrokerHeartbeatRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  /** The highest metadata offset the broker has applied; -1 if none. */
  readonly currentMetadataOffset: number;
  readonly wantFence: boolean;
  readonly wantShutDown: boolean;
  /**
   * Log directories the broker took offline after an I/O error (Kafka's log directory failure).
   * A sluice broker keeps every replica in its one log directory, so any offline directory means
   * it can host nothing: it is fenced, and stays fenced while it reports one. Absent: none.
   */
  readonly offlineLogDirs?: readonly string[];
}

export interface BrokerHeartbeatResponse {
  /** Fencing state once the returned records are applied. */
  readonly isFenced: boolean;
  readonly isCaughtUp: boolean;
  readonly shouldShutDown: boolean;
  readonly inControlledShutdown: boolean;
  readonly leaseExpiresAtMs: number;
}

export interface ControlledShutdownRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface ControlledShutdownResponse {
  /** True once the broker leads nothing and is fenced (by these records or before). */
  readonly shouldShutDown: boolean;
  /** Partitions whose leader or ISR these records change. */
  readonly partitionsMoved: number;
}

/**
 * Brokers whose partitions must move, in "leaving order" (the last one out of an ISR stays as
 * its single member): brokers already fenced in the image (a fence still being worked through,
 * or long done), then `newlyFenced` (fenced by the records of this operation), then unfenced
 * brokers in controlled shutdown (alive, holding their data, so they are the ones to stay).
 */
function leavingBrokerIds(ctx: CoreContext, newlyFenced: readonly number[]): number[] {
  const ordered = new Set<number>();
  const newly = new Set(newlyFenced);
  const shuttingDown: number[] = [];
  for (const broker of ctx.image.cluster.brokers()) {
    if (newly.has(broker.brokerId)) continue;
    if (broker.fenced) ordered.add(broker.brokerId);
    else if (ctx.heartbeats.inControlledShutdown(broker.brokerId, broker.brokerEpoch))
      shuttingDown.push(broker.brokerId);
  }
  for (const id of newlyFenced) ordered.add(id);
  for (const id of shuttingDown) ordered.add(id);
  return [...ordered];
}

/** Who may lead and the topic defaults, with `lost` counted as brokers whose replicas are void. */
function electionContext(ctx: CoreContext, lost: ReadonlySet<number>): ElectionContext {
  return {
    isEligible: (id) => isEligibleBroker(ctx, id),
    uncleanDefault: ctx.settings.uncleanLeaderElectionEnable,
    minInsyncDefault: ctx.settings.minInsyncReplicas,
    lostReplicas: lost,
  };
}

/**
 * The next chunk of moves off every broker out of service (see `leavingBrokerIds`), and off every
 * ISR and ELR of brokers with lost replicas (the image's, plus `newlyLost` registering now).
 */
function pendingMoves(
  ctx: CoreContext,
  newlyFenced: readonly number[],
  newlyLost: readonly number[] = [],
): BoundedMoves {
  const lost = brokersWithLostReplicas(ctx.image);
  for (const id of newlyLost) lost.add(id);
  return movesOffBrokers(
    ctx.image,
    leavingBrokerIds(ctx, newlyFenced),
    electionContext(ctx, lost),
    ctx.settings.maxPartitionChangesPerOperation,
    ctx.moveScan,
  );
}

/** Whether `brokerId` is still in an ISR or ELR: a broker with lost replicas stays fenced until it is in none. */
function holdsMemberships(ctx: CoreContext, brokerId: number): boolean {
  for (const topic of ctx.image.topics.topics()) {
    const table = topic.partitions;
    for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++)
      if (table.isrIncludes(partitionId, brokerId) || table.elrIncludes(partitionId, brokerId)) return true;
  }
  return false;
}

/**
 * Whether a registration reporting `logDirs` lacks a directory `existing` reported: the replicas
 * there are gone (a new disk; an emptied or re-formatted directory has a new directory.id).
 * Still lost when the previous registration was, and never unfenced since.
 */
function replicasLostAt(existing: BrokerRegistration | undefined, logDirs: readonly string[] | undefined): boolean {
  if (existing === undefined) return false;
  if (existing.replicasLost === true) return true;
  if (logDirs === undefined || existing.logDirs === undefined) return false;
  return existing.logDirs.some((dir) => !logDirs.includes(dir));
}

export interface FenceExpiredResponse {
  readonly fencedBrokerIds: readonly number[];
  readonly partitionsChanged: number;
  /** More partitions still name a fenced or shutting-down broker: call again once these records are appended. */
  readonly movesPending: boolean;
  /** Earliest lease expiry among brokers still unfenced, so the shell knows when to call again; null if none. */
  readonly nextExpiryMs: number | null;
}

/** How long an offline log directory's path may be (a heartbeat names at most MAX_LOG_DIRS). */
const MAX_LOG_DIR_LENGTH = 4_096;

function checkLogDirs(dirs: readonly string[]): void {
  if (dirs.length > MAX_LOG_DIRS)
    throw new ApiError('INVALID_REQUEST', `${dirs.length} offline log dirs named, at most ${MAX_LOG_DIRS}`);
  for (const dir of dirs)
    if (typeof dir !== 'string' || dir.length === 0 || dir.length > MAX_LOG_DIR_LENGTH)
      throw new ApiError('INVALID_REQUEST', `an offline log dir must be a path of 1..${MAX_LOG_DIR_LENGTH} characters`);
}

function checkRegistrationShape(request: RegisterBrokerRequest): void {
  const { brokerId, incarnationId, listeners, rack } = request;
  if (!(Number.isInteger(brokerId) && brokerId >= 0 && brokerId <= MAX_BROKER_ID)) {
    throw new ApiError('INVALID_REQUEST', `broker id ${brokerId} is not in 0..${MAX_BROKER_ID}`);
  }
  if (typeof incarnationId !== 'string' || !isUuid(incarnationId) || incarnationId === ZERO_UUID) {
    throw new ApiError('INVALID_REQUEST', `incarnation id ${JSON.stringify(incarnationId)} is not a usable UUID`);
  }
  if (listeners.length === 0 || listeners.length > MAX_LISTENERS) {
    throw new ApiError('INVALID_REQUEST', `a broker needs 1..${MAX_LISTENERS} listeners, got ${listeners.length}`);
  }
  const names = new Set<string>();
  for (const listener of listeners) {
    if (listener.name.length === 0 || names.has(listener.name)) {
      throw new ApiError('INVALID_REQUEST', `listener name ${JSON.stringify(listener.name)} is empty or repeated`);
    }
    names.add(listener.name);
    if (listener.host.length === 0 || listener.host.length > MAX_HOST_LENGTH) {
      throw new ApiError('INVALID_REQUEST', `listener ${listener.name} host must be 1..${MAX_HOST_LENGTH} characters`);
    }
    if (!(Number.isInteger(listener.port) && listener.port >= 1 && listener.port <= MAX_PORT)) {
      throw new ApiError('INVALID_REQUEST', `listener ${listener.name} port ${listener.port} is not in 1..${MAX_PORT}`);
    }
  }
  if (rack !== null && (rack.length === 0 || rack.length > MAX_RACK_LENGTH)) {
    throw new ApiError('INVALID_REQUEST', `rack must be null or 1..${MAX_RACK_LENGTH} characters`);
  }
  const { logDirs } = request;
  if (logDirs !== undefined) {
    if (logDirs.length === 0 || logDirs.length > MAX_LOG_DIRS)
      throw new ApiError(
        'INVALID_REQUEST',
        `a broker reports 1..${MAX_LOG_DIRS} log directories, got ${logDirs.length}`,
      );
    for (const dir of logDirs)
      if (typeof dir !== 'string' || !isUuid(dir) || dir === ZERO_UUID)
        throw new ApiError('INVALID_REQUEST', `log directory id ${JSON.stringify(dir)} is not a usable UUID`);
    if (new Set(logDirs).size !== logDirs.length)
      throw new ApiError('INVALID_REQUEST', `log directory ids ${logDirs.join(',')} repeat one`);
  }
}

/** The broker's registration, checked against the epoch it claims. */
export function registeredBroker(ctx: CoreContext, brokerId: number, brokerEpoch: number): BrokerRegistration {
  const broker = ctx.image.cluster.broker(brokerId);
  if (broker === undefined) throw new ApiError('BROKER_ID_NOT_REGISTERED', `broker ${brokerId} is not registered`);
  if (broker.brokerEpoch !== brokerEpoch) {
    throw new ApiError(
      'STALE_BROKER_EPOCH',
      `broker ${brokerId} epoch ${brokerEpoch} does not match the registered epoch ${broker.brokerEpoch}`,
    );
  }
  return broker;
}

export function registerBroker(
  ctx: CoreContext,
  request: RegisterBrokerRequest,
  nowMs: number,
): ControllerResult<RegisterBrokerResponse> {
  const { image, heartbeats, settings } = ctx;
  if (request.clusterId !== settings.clusterId) {
    throw new ApiError(
      'INCONSISTENT_CLUSTER_ID',
      `broker ${request.brokerId} belongs to cluster ${JSON.stringify(request.clusterId)}, this is ${settings.clusterId}`,
    );
  }
  checkRegistrationShape(request);
  const { brokerId } = request;
  const existing = image.cluster.broker(brokerId);
  if (existing === undefined && image.cluster.size >= MAX_BROKERS) {
    throw new ApiError('POLICY_VIOLATION', `the cluster already has the maximum of ${MAX_BROKERS} brokers`);
  }
  if (
    existing !== undefined &&
    existing.incarnationId !== request.incarnationId &&
    heartbeats.hasValidSession(brokerId, existing.brokerEpoch, nowMs)
  ) {
    throw new ApiError(
      'DUPLICATE_BROKER_REGISTRATION',
      `broker ${brokerId} is registered by incarnation ${existing.incarnationId} whose session is still alive`,
    );
  }
  const nextOffset = request.nextOffset ?? image.provenance.lastContainedOffset + 1;
  assert(
    Number.isSafeInteger(nextOffset) && nextOffset > image.provenance.lastContainedOffset,
    `nextOffset ${nextOffset} is not after the image`,
  );
  const brokerEpoch = Math.max(nextOffset, (existing?.brokerEpoch ?? -1) + 1);
  assert(Number.isSafeInteger(brokerEpoch), `broker epoch ${brokerEpoch} overflowed`);

  const replicasLost = replicasLostAt(existing, request.logDirs);
  const registration: BrokerRegistrationRecord = {
    type: 'BrokerRegistration',
    brokerId,
    brokerEpoch,
    incarnationId: request.incarnationId,
    listeners: request.listeners.map((listener) => ({ name: listener.name, host: listener.host, port: listener.port })),
    rack: request.rack,
    fenced: true,
    ...(request.logDirs === undefined ? {} : { logDirs: [...request.logDirs] }),
    ...(replicasLost ? { replicasLost: true as const } : {}),
  };
  // A re-registering broker restarted and lost what it had in memory: it starts fenced, so it
  // must give up leadership and ISR membership now, as if it had been fenced; with lost
  // replicas, every ISR and ELR membership too. Bounded like a fence: the rest follows through
  // fenceExpiredBrokers (`movesPending`).
  const { records: moves, more } =
    existing !== undefined && (!existing.fenced || replicasLost)
      ? pendingMoves(ctx, existing.fenced ? [] : [brokerId], replicasLost ? [brokerId] : [])
      : { records: [], more: false };
  heartbeats.register(brokerId, brokerEpoch, nowMs);
  const again = existing === undefined ? 'registered' : `re-registered (was epoch ${existing.brokerEpoch})`;
  return {
    records: [registration, ...moves],
    response: { brokerId, brokerEpoch },
    summary:
      `broker ${brokerId} ${again} with epoch ${brokerEpoch}, fenced until caught up` +
      (replicasLost ? ', without a log directory it had: its replicas are lost' : '') +
      (moves.length > 0 ? `; ${moves.length} partitions moved off it` : '') +
      (more ? ' (more to move)' : ''),
    ...(more ? { movesPending: true } : {}),
  };
}

/** FenceBroker plus the first chunk of moves off the broker (`more`: the rest follows). */
function fenceRecords(
  ctx: CoreContext,
  broker: BrokerRegistration,
): { records: MetadataRecord[]; moved: number; more: boolean } {
  const fence: FenceBrokerRecord = { type: 'FenceBroker', brokerId: broker.brokerId, brokerEpoch: broker.brokerEpoch };
  const moves = pendingMoves(ctx, [broker.brokerId]);
  return { records: [fence, ...moves.records], moved: moves.records.length, more: moves.more };
}

/**
 * Phase one moves leadership and ISR membership away (records only if there is something to
 * move, at most one chunk per call; `fenceExpiredBrokers` moves the rest without waiting for the
 * broker's next request); once a call finds nothing left to move, it fences the broker and lets
 * it shut down.
 */
function controlledShutdownStep(
  ctx: CoreContext,
  broker: BrokerRegistration,
  session: BrokerSession,
): ControllerResult<ControlledShutdownResponse> {
  session.inControlledShutdown = true;
  const { brokerId } = broker;
  if (broker.fenced) {
    return {
      records: [],
      response: { shouldShutDown: true, partitionsMoved: 0 },
      summary: `broker ${brokerId} is fenced and may shut down`,
    };
  }
  // All brokers out of service move together (this one last), so nothing lands on a fenced one.
  const { records: moves, more } = pendingMoves(ctx, []);
  if (moves.length > 0) {
    return {
      records: moves,
      response: { shouldShutDown: false, partitionsMoved: moves.length },
      summary:
        `broker ${brokerId} controlled shutdown: moving ${moves.length} partitions off it` +
        (more ? ' (more to move)' : ''),
      ...(more ? { movesPending: true } : {}),
    };
  }
  const fence: FenceBrokerRecord = { type: 'FenceBroker', brokerId, brokerEpoch: broker.brokerEpoch };
  return {
    records: [fence],
    response: { shouldShutDown: true, partitionsMoved: 0 },
    summary: `broker ${brokerId} controlled shutdown: leads nothing, fenced, may shut down`,
  };
}

export function controlledShutdown(
  ctx: CoreContext,
  request: ControlledShutdownRequest,
  nowMs: number,
): ControllerResult<ControlledShutdownResponse> {
  const broker = registeredBroker(ctx, request.brokerId, request.brokerEpoch);
  const session = ctx.heartbeats.touch(broker.brokerId, broker.brokerEpoch, nowMs, -1);
  return controlledShutdownStep(ctx, broker, session);
}

export function brokerHeartbeat(
  ctx: CoreContext,
  request: BrokerHeartbeatRequest,
  nowMs: number,
): ControllerResult<BrokerHeartbeatResponse> {
  const broker = registeredBroker(ctx, request.brokerId, request.brokerEpoch);
  const offset = request.currentMetadataOffset;
  if (!(Number.isSafeInteger(offset) && offset >= -1)) {
    throw new ApiError('INVALID_REQUEST', `metadata offset ${offset} is not an offset`);
  }
  const offlineLogDirs = request.offlineLogDirs ?? [];
  checkLogDirs(offlineLogDirs);
  const offline = offlineLogDirs.length > 0;
  const { heartbeats } = ctx;
  const { brokerId, brokerEpoch } = broker;
  const session = heartbeats.touch(brokerId, brokerEpoch, nowMs, offset);
  const isCaughtUp = session.metadataOffset >= brokerEpoch;
  const reply = (
    records: MetadataRecord[],
    isFenced: boolean,
    shouldShutDown: boolean,
    summary: string,
    movesPending = false,
  ): ControllerResult<BrokerHeartbeatResponse> => ({
    records,
    response: {
      isFenced,
      isCaughtUp,
      shouldShutDown,
      inControlledShutdown: session.inControlledShutdown,
      leaseExpiresAtMs: heartbeats.leaseExpiresAtMs(session),
    },
    summary,
    ...(movesPending ? { movesPending: true } : {}),
  });

  if (broker.fenced) {
    if (request.wantShutDown) return reply([], true, true, `broker ${brokerId} is fenced and may shut down`);
    if (request.wantFence || offline || !isCaughtUp || session.inControlledShutdown) {
      const why = offline ? ` (log dirs offline: ${offlineLogDirs.join(', ')})` : '';
      return reply([], true, false, `broker ${brokerId} heartbeat: stays fenced${why}`);
    }
    if (broker.replicasLost === true && holdsMemberships(ctx, brokerId)) {
      // The moves off its lost replicas are still being written (fenceExpiredBrokers continues them).
      return reply(
        [],
        true,
        false,
        `broker ${brokerId} heartbeat: stays fenced until its lost replicas have left every ISR and ELR`,
      );
    }
    const unfence: UnfenceBrokerRecord = { type: 'UnfenceBroker', brokerId, brokerEpoch };
    // The UnfenceBroker in this batch clears its own lost mark; it is in no ISR or ELR by now.
    const lost = brokersWithLostReplicas(ctx.image);
    lost.delete(brokerId);
    const elections = electionsForReturningBroker(ctx.image, brokerId, {
      ...electionContext(ctx, lost),
      isEligible: (id) => id === brokerId || isEligibleBroker(ctx, id),
    });
    const elected = elections.length > 0 ? `; elected leaders for ${elections.length} leaderless partitions` : '';
    return reply(
      [unfence, ...elections],
      false,
      false,
      `broker ${brokerId} caught up to offset ${offset}: unfenced${elected}`,
    );
  }
  if (request.wantShutDown || session.inControlledShutdown) {
    const step = controlledShutdownStep(ctx, broker, session);
    return reply(
      [...step.records],
      step.response.shouldShutDown,
      step.response.shouldShutDown,
      step.summary,
      step.movesPending === true,
    );
  }
  if (request.wantFence || offline) {
    const { records, moved, more } = fenceRecords(ctx, broker);
    const rest = more ? ' (more to move)' : '';
    const why = offline ? `reported log dirs offline (${offlineLogDirs.join(', ')})` : 'asked to be fenced';
    return reply(
      records,
      true,
      false,
      `broker ${brokerId} ${why}: fenced, ${moved} partitions moved off it${rest}`,
      more,
    );
  }
  return reply([], false, false, `broker ${brokerId} heartbeat`);
}

/**
 * Fences every unfenced broker whose lease expired and moves leadership and ISR membership off
 * every broker out of service (expired now, fenced earlier with moves still to do, or in
 * controlled shutdown) in one pass, so no partition is handed to a broker fenced in the same
 * batch. The FenceBroker records always come whole; the moves are bounded by
 * `maxPartitionChangesPerOperation`, and `movesPending` says to call again for the rest. With
 * no lease expired, a call only continues pending moves (none: no records). A leaderless
 * partition whose single fenced ISR member is its last hope gets an unclean leader here if the
 * topic allows it and an eligible replica exists (Kafka's periodic unclean election).
 */
export function fenceExpiredBrokers(ctx: CoreContext, nowMs: number): ControllerResult<FenceExpiredResponse> {
  const { image, heartbeats } = ctx;
  heartbeats.sync(image, nowMs);
  const expired: BrokerRegistration[] = [];
  let nextExpiryMs: number | null = null;
  for (const broker of image.cluster.brokers()) {
    if (broker.fenced) continue;
    const session = heartbeats.peek(broker.brokerId, broker.brokerEpoch);
    if (session === undefined) continue; // a newer registration is in flight; it starts fenced anyway
    if (heartbeats.isExpired(session, nowMs)) expired.push(broker);
    else nextExpiryMs = Math.min(nextExpiryMs ?? Infinity, heartbeats.leaseExpiresAtMs(session) + 1);
  }
  const ids = expired.map((broker) => broker.brokerId);
  const { records: moves, more } = pendingMoves(ctx, ids);
  const response: FenceExpiredResponse = {
    fencedBrokerIds: ids,
    partitionsChanged: moves.length,
    movesPending: more,
    nextExpiryMs,
  };
  const rest = more ? ' (more to move)' : '';
  if (expired.length === 0) {
    const summary =
      moves.length === 0
        ? 'no broker lease expired'
        : `moved ${moves.length} partitions off fenced or shutting-down brokers${rest}`;
    return { records: moves, response, summary, ...(more ? { movesPending: true } : {}) };
  }
  const fences: FenceBrokerRecord[] = expired.map((broker) => ({
    type: 'FenceBroker',
    brokerId: broker.brokerId,
    brokerEpoch: broker.brokerEpoch,
  }));
  return {
    records: [...fences, ...moves],
    response,
    summary: `fenced broker${ids.length === 1 ? '' : 's'} ${ids.join(', ')} (lease expired); ${moves.length} partitions changed${rest}`,
    ...(more ? { movesPending: true } : {}),
  };
}
