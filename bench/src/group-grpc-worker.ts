/**
 * One worker process of `bench:groups-grpc` (group-grpc-bench.ts): runs a share of the group's
 * members as real KIP-848 clients over gRPC, each one the SDK's own `GroupMembership` (the
 * protocol half of `Consumer` with a group id: FindCoordinator, ConsumerGroupHeartbeat with its
 * subscription and what it owns, revocation before new partitions, OffsetFetch of newly
 * assigned partitions). The consumer half only records what it owns: no records are fetched,
 * as the bench measures membership, not reading.
 *
 * Protocol with the parent (IPC messages):
 * - in `start`: create `memberCount` members and subscribe them all at once (each sends its
 *   first heartbeat, the join, on the next turn of the event loop);
 * - out `progress` every `reportIntervalMs`: members with an epoch, partitions owned, the lowest
 *   and highest member epoch, and `lastChangeAtMs` (wall clock of the last change of any member's
 *   epoch or ownership: the parent's convergence time, exact to the millisecond);
 * - in `owned`: out `owned` with every member's owned partitions (for the parent's check that the
 *   members together own each partition exactly once);
 * - in `leave`: every member leaves (epoch -1), then out `left`; the parent then disconnects.
 *
 * With `cpuProfileDir` in `start` the worker runs V8's CPU profiler from its members' first join
 * until `leave` arrives and writes `CPU.<pid>.cpuprofile` there: the join and convergence, not the
 * process's start-up or the leaves (read it with `pnpm bench:profile <dir>`).
 */
import { writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { join } from 'node:path';
import { GroupMembership, type TopicPartition } from '@sluice/client';

export interface StartMessage {
  readonly type: 'start';
  readonly coordinators: readonly string[];
  readonly groupId: string;
  readonly assignor: string;
  readonly memberCount: number;
  readonly topics: readonly string[];
  readonly reportIntervalMs: number;
  /** Prefix of every member's client.id, so the coordinator's describe tells workers apart. */
  readonly clientIdPrefix: string;
  /** Whether members hold the coordinator's wake-up stream (GroupOptions.wakeups). */
  readonly wakeups: boolean;
  /** Where to write this worker's CPU profile of the join and convergence; absent: no profile. */
  readonly cpuProfileDir?: string;
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly members: number;
  /** Members with a member epoch above 0 (joined). */
  readonly joined: number;
  readonly ownedPartitions: number;
  readonly minEpoch: number;
  readonly maxEpoch: number;
  readonly lastChangeAtMs: number;
  /** Wall clock when this worker's members subscribed (sent their first joins). */
  readonly subscribedAtMs: number;
  readonly heartbeats: number;
  readonly fenced: number;
  /** Wake-ups the members heard from the coordinator. */
  readonly wakeups: number;
  /** Members whose last heartbeat failed, and one of their errors. */
  readonly failing: number;
  /** Failed calls to the coordinators by `method error`, over all members (GroupMembership.stats). */
  readonly failedCalls: Readonly<Record<string, number>>;
  readonly sampleError: string;
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

export interface OwnedMessage {
  readonly type: 'owned';
  /** Per member: its partitions as `topic:partition`. */
  readonly ownedByMember: Readonly<Record<string, readonly string[]>>;
}

type ParentMessage = StartMessage | { readonly type: 'owned' } | { readonly type: 'leave' };

const members: { membership: GroupMembership; owned: readonly TopicPartition[] }[] = [];
let lastChangeAtMs = 0;
let subscribedAtMs = 0;
let reportTimer: NodeJS.Timeout | undefined;
/** Per member, the epoch last seen by the reporter (a change of epoch is a change of state). */
const seenEpochs: number[] = [];
/** The profiler's session while it runs (start's cpuProfileDir), and where its profile goes. */
let profiling: { readonly session: Session; readonly dir: string } | null = null;

function startProfile(dir: string): void {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  profiling = { session, dir };
}

/** Stops the profiler and writes its profile (an in-thread session answers synchronously). */
function stopProfile(): void {
  const running = profiling;
  profiling = null;
  running?.session.post('Profiler.stop', (error: Error | null, result: Profiler.StopReturnType) => {
    if (error === null)
      writeFileSync(join(running.dir, `CPU.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    running.session.disconnect();
  });
}

function send(message: ProgressMessage | OwnedMessage | { readonly type: 'left' }): void {
  process.send?.(message);
}

function progress(): ProgressMessage {
  let joined = 0;
  let ownedPartitions = 0;
  let minEpoch = Number.MAX_SAFE_INTEGER;
  let maxEpoch = 0;
  let heartbeats = 0;
  let fenced = 0;
  let wakeups = 0;
  let failing = 0;
  let sampleError = '';
  const failedCalls: Record<string, number> = {};
  members.forEach((member, index) => {
    const epoch = member.membership.epoch;
    if (seenEpochs[index] !== epoch) {
      seenEpochs[index] = epoch;
      // Epoch changes are seen at report time at worst; ownership changes are timed exactly (below).
      lastChangeAtMs = Math.max(lastChangeAtMs, Date.now());
    }
    if (epoch > 0) joined++;
    minEpoch = Math.min(minEpoch, epoch);
    maxEpoch = Math.max(maxEpoch, epoch);
    ownedPartitions += member.owned.length;
    heartbeats += member.membership.stats.heartbeats;
    fenced += member.membership.stats.fenced;
    wakeups += member.membership.stats.wakeups;
    for (const [failed, times] of member.membership.stats.failedCalls)
      failedCalls[failed] = (failedCalls[failed] ?? 0) + times;
    const error = member.membership.error;
    if (error !== null) {
      failing++;
      sampleError ||= `${error.errorName}: ${error.message}`;
    }
  });
  const cpu = process.cpuUsage();
  return {
    type: 'progress',
    members: members.length,
    joined,
    ownedPartitions,
    minEpoch: members.length === 0 ? 0 : minEpoch,
    maxEpoch,
    lastChangeAtMs,
    subscribedAtMs,
    heartbeats,
    fenced,
    wakeups,
    failing,
    sampleError,
    failedCalls,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssBytes: process.memoryUsage().rss,
  };
}

function start(message: StartMessage): void {
  if (members.length > 0) throw new Error('group-grpc-worker: started twice');
  if (message.cpuProfileDir !== undefined) startProfile(message.cpuProfileDir);
  for (let i = 0; i < message.memberCount; i++) {
    const member: { membership: GroupMembership; owned: readonly TopicPartition[] } = {
      owned: [],
      membership: undefined as unknown as GroupMembership,
    };
    member.membership = new GroupMembership(
      {
        groupId: message.groupId,
        coordinators: message.coordinators,
        groupRemoteAssignor: message.assignor,
        clientId: `${message.clientIdPrefix}-${i}`,
        // Joins of thousands of members at once queue behind each other on the coordinator.
        requestTimeoutMs: 60_000,
        wakeups: message.wakeups,
      },
      {
        setAssignment(owned) {
          member.owned = [...owned];
          lastChangeAtMs = Date.now();
        },
        positions: () => [],
        autoCommit: false,
        // Always "polling": the bench measures membership, and a member must not time out on poll.
        lastPollMs: () => Date.now(),
      },
    );
    members.push(member);
  }
  subscribedAtMs = Date.now();
  lastChangeAtMs = subscribedAtMs;
  for (const member of members) member.membership.subscribe(message.topics);
  reportTimer = setInterval(() => send(progress()), message.reportIntervalMs);
}

async function leaveAll(): Promise<void> {
  clearInterval(reportTimer);
  stopProfile();
  // Bounded concurrency: 10,000 leaves at once would only queue on the coordinator.
  const LEAVES_IN_FLIGHT = 200;
  for (let at = 0; at < members.length; at += LEAVES_IN_FLIGHT)
    await Promise.all(members.slice(at, at + LEAVES_IN_FLIGHT).map((m) => m.membership.leave()));
  send({ type: 'left' });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'start') start(message);
  else if (message.type === 'owned') {
    const ownedByMember: Record<string, string[]> = {};
    for (const member of members)
      ownedByMember[member.membership.memberId] = member.owned.map((tp) => `${tp.topic}:${tp.partition}`);
    send({ type: 'owned', ownedByMember });
  } else if (message.type === 'leave') void leaveAll();
});
process.on('disconnect', () => process.exit(0));
