/**
 * Seeded schedules of network faults, and what each fault means for the links of a cluster as
 * it is when the fault starts. Pure: the same seed always gives the same schedule (kinds, order,
 * partitions, durations, magnitudes), printed by the tests so a failure replays with its seed;
 * which brokers a fault hits follows the leaders of that moment (`faultLinks`).
 */
import { CLIENT_ENDPOINT, endpointName, type LinkFault } from '../faults/link-faults';
import { seededRng } from './seeded-rng';

export const FAULT_KINDS = [
  /** The leader of a partition cannot reach the other brokers, nor they it. */
  'leader-from-followers',
  /** The leader of a partition cannot reach any controller, nor they it. */
  'leader-from-controllers',
  /** The active controller cannot reach any other process, nor they it (clients still can). */
  'isolate-controller-leader',
  /** What the leader of a partition sends its followers is lost; what they send arrives. */
  'leader-to-followers-lost',
  /** What the followers send the leader of a partition is lost; what it sends arrives. */
  'followers-to-leader-lost',
  /** Added latency on every link of the leader of a partition, both ways. */
  'slow-leader',
  /** A bandwidth limit on every link of the leader of a partition, both ways. */
  'narrow-leader',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ScheduledFault {
  /** 1-based position in the schedule. */
  readonly step: number;
  readonly kind: FaultKind;
  /** Whose leader the fault is about (controller faults ignore it). */
  readonly partition: number;
  readonly durationMs: number;
  /** For slow-leader: the one-way latency added. */
  readonly latencyMs: number;
  /** For narrow-leader: the bandwidth of each link, each way. */
  readonly bytesPerSecond: number;
}

export interface ScheduleOptions {
  readonly seed: number;
  readonly steps: number;
  readonly partitions: number;
  /** Kinds to draw from (default all); each is used once before any repeats, in seeded order. */
  readonly kinds?: readonly FaultKind[];
  /** Bounds of a fault's duration; default 3000..6000 ms. */
  readonly minDurationMs?: number;
  readonly maxDurationMs?: number;
}

export const MAX_SCHEDULE_STEPS = 1_000;

export function faultSchedule(options: ScheduleOptions): ScheduledFault[] {
  const { seed, steps, partitions } = options;
  const kinds = options.kinds ?? FAULT_KINDS;
  const minDurationMs = options.minDurationMs ?? 3_000;
  const maxDurationMs = options.maxDurationMs ?? 6_000;
  if (!(Number.isSafeInteger(steps) && steps >= 1 && steps <= MAX_SCHEDULE_STEPS))
    throw new RangeError(`steps ${steps}: expected 1..${MAX_SCHEDULE_STEPS}`);
  if (!(Number.isSafeInteger(partitions) && partitions >= 1))
    throw new RangeError(`partitions ${partitions}: expected >= 1`);
  if (kinds.length === 0) throw new RangeError('no fault kinds to draw from');
  if (!(Number.isSafeInteger(minDurationMs) && minDurationMs >= 1 && minDurationMs <= maxDurationMs))
    throw new RangeError(`durations ${minDurationMs}..${maxDurationMs} ms: expected 1 <= min <= max`);
  const rng = seededRng(seed);
  const order: FaultKind[] = [];
  while (order.length < steps) order.push(...rng.shuffle(kinds));
  return order.slice(0, steps).map((kind, i) => ({
    step: i + 1,
    kind,
    partition: rng.int(0, partitions - 1),
    durationMs: rng.int(minDurationMs, maxDurationMs),
    latencyMs: rng.int(20, 200),
    bytesPerSecond: rng.int(64, 512) * 1024,
  }));
}

/** The cluster as a fault finds it: who leads the partition, and the quorum. */
export interface ClusterView {
  /** Broker id, or -1 when the partition has no leader. */
  readonly partitionLeader: number;
  readonly partitionReplicas: readonly number[];
  /** Node id, or -1 when there is none. */
  readonly controllerLeader: number;
  readonly controllers: readonly number[];
  readonly brokers: readonly number[];
  readonly coordinators: readonly number[];
}

/** Every link from an endpoint of `from` to one of `to` gets `fault`. */
export interface LinkChange {
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly fault: Partial<LinkFault>;
}

export interface ResolvedFault {
  /** What it hit, for the printed schedule: `broker 2 (leader of p3) | brokers 1, 3`. */
  readonly target: string;
  readonly links: readonly LinkChange[];
}

const both = (a: readonly string[], b: readonly string[], fault: Partial<LinkFault>): LinkChange[] => [
  { from: a, to: b, fault },
  { from: b, to: a, fault },
];

/** The links `fault` changes in a cluster that looks like `view`; throws when it has no target (no leader). */
export function faultLinks(fault: ScheduledFault, view: ClusterView): ResolvedFault {
  const broker = (id: number): string => endpointName('broker', id);
  const controllers = view.controllers.map((id) => endpointName('controller', id));
  const everyone = [
    ...controllers,
    ...view.brokers.map(broker),
    ...view.coordinators.map((id) => endpointName('coordinator', id)),
    CLIENT_ENDPOINT,
  ];
  if (fault.kind === 'isolate-controller-leader') {
    if (view.controllerLeader < 0) throw new Error(`step ${fault.step}: no controller leader to isolate`);
    const leader = endpointName('controller', view.controllerLeader);
    const others = everyone.filter((name) => name !== leader && name !== CLIENT_ENDPOINT);
    return { target: `controller ${view.controllerLeader} (active)`, links: both([leader], others, { blocked: true }) };
  }
  if (view.partitionLeader < 0) throw new Error(`step ${fault.step}: partition ${fault.partition} has no leader`);
  const leader = broker(view.partitionLeader);
  const followerIds = view.partitionReplicas.filter((id) => id !== view.partitionLeader);
  const followers = followerIds.map(broker);
  const about = `broker ${view.partitionLeader} (leader of p${fault.partition})`;
  const others = everyone.filter((name) => name !== leader);
  switch (fault.kind) {
    case 'leader-from-followers':
      return {
        target: `${about} | brokers ${followerIds.join(', ')}`,
        links: both([leader], followers, { blocked: true }),
      };
    case 'leader-from-controllers':
      return {
        target: `${about} | controllers ${view.controllers.join(', ')}`,
        links: both([leader], controllers, { blocked: true }),
      };
    case 'leader-to-followers-lost':
      return {
        target: `${about} -> brokers ${followerIds.join(', ')}`,
        links: [{ from: [leader], to: followers, fault: { blocked: true } }],
      };
    case 'followers-to-leader-lost':
      return {
        target: `brokers ${followerIds.join(', ')} -> ${about}`,
        links: [{ from: followers, to: [leader], fault: { blocked: true } }],
      };
    case 'slow-leader':
      return {
        target: `${about} +${fault.latencyMs} ms`,
        links: both([leader], others, { latencyMs: fault.latencyMs }),
      };
    case 'narrow-leader':
      return {
        target: `${about} ${Math.round(fault.bytesPerSecond / 1024)} KiB/s`,
        links: both([leader], others, { bytesPerSecond: fault.bytesPerSecond }),
      };
  }
}

/** `step 2: leader-from-followers p3 for 4210 ms`: the schedule's line, before targets are known. */
export function describeScheduledFault(fault: ScheduledFault): string {
  const magnitude =
    fault.kind === 'slow-leader'
      ? ` +${fault.latencyMs} ms`
      : fault.kind === 'narrow-leader'
        ? ` ${Math.round(fault.bytesPerSecond / 1024)} KiB/s`
        : '';
  const about = fault.kind === 'isolate-controller-leader' ? '' : ` p${fault.partition}`;
  return `step ${fault.step}: ${fault.kind}${about}${magnitude} for ${fault.durationMs} ms`;
}
