/** Seeded fault schedules replay exactly, and each fault resolves to the links it names. */
import {
  CLIENT_ENDPOINT,
  describeScheduledFault,
  FAULT_KINDS,
  faultLinks,
  faultSchedule,
  seededRng,
  type ClusterView,
  type ScheduledFault,
} from '@sluice/local-cluster';

const VIEW: ClusterView = {
  partitionLeader: 2,
  partitionReplicas: [2, 3, 1],
  controllerLeader: 1,
  controllers: [1, 2, 3],
  brokers: [1, 2, 3],
  coordinators: [],
};

const fault = (kind: ScheduledFault['kind']): ScheduledFault => ({
  step: 1,
  kind,
  partition: 4,
  durationMs: 3_000,
  latencyMs: 80,
  bytesPerSecond: 65_536,
});

describe('faultSchedule', () => {
  it('is a function of the seed: the same seed, the same schedule; another seed, another', () => {
    const a = faultSchedule({ seed: 7, steps: 10, partitions: 6 });
    expect(faultSchedule({ seed: 7, steps: 10, partitions: 6 })).toEqual(a);
    expect(faultSchedule({ seed: 8, steps: 10, partitions: 6 })).not.toEqual(a);
    for (const step of a) {
      expect(step.partition).toBeGreaterThanOrEqual(0);
      expect(step.partition).toBeLessThan(6);
      expect(step.durationMs).toBeGreaterThanOrEqual(3_000);
      expect(step.durationMs).toBeLessThanOrEqual(6_000);
    }
    expect(a.map((step) => step.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('uses every kind once before any repeats', () => {
    for (let seed = 0; seed < 50; seed++) {
      const kinds = faultSchedule({ seed, steps: FAULT_KINDS.length, partitions: 1 }).map((step) => step.kind);
      expect(new Set(kinds)).toEqual(new Set(FAULT_KINDS));
    }
  });

  it('keeps the kinds it is given, and refuses bounds that make no schedule', () => {
    const only = faultSchedule({ seed: 1, steps: 4, partitions: 2, kinds: ['slow-leader'] });
    expect(only.map((step) => step.kind)).toEqual(['slow-leader', 'slow-leader', 'slow-leader', 'slow-leader']);
    expect(() => faultSchedule({ seed: 1, steps: 0, partitions: 2 })).toThrow(RangeError);
    expect(() => faultSchedule({ seed: 1, steps: 2, partitions: 0 })).toThrow(RangeError);
    expect(() => faultSchedule({ seed: 1, steps: 2, partitions: 2, kinds: [] })).toThrow(RangeError);
    expect(() => faultSchedule({ seed: 1, steps: 2, partitions: 2, minDurationMs: 5, maxDurationMs: 4 })).toThrow(
      RangeError,
    );
    expect(describeScheduledFault(only[0]!)).toMatch(/^step 1: slow-leader p\d \+\d+ ms for \d+ ms$/);
  });

  it('draws from a generator that replays and stays in bounds', () => {
    const a = seededRng(99);
    const b = seededRng(99);
    const draws = Array.from({ length: 1_000 }, () => a.int(-3, 3));
    expect(Array.from({ length: 1_000 }, () => b.int(-3, 3))).toEqual(draws);
    expect(new Set(draws)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    expect(seededRng(5).shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('faultLinks', () => {
  it('cuts the leader from its followers, both ways', () => {
    const resolved = faultLinks(fault('leader-from-followers'), VIEW);
    expect(resolved.target).toBe('broker 2 (leader of p4) | brokers 3, 1');
    expect(resolved.links).toEqual([
      { from: ['broker-2'], to: ['broker-3', 'broker-1'], fault: { blocked: true } },
      { from: ['broker-3', 'broker-1'], to: ['broker-2'], fault: { blocked: true } },
    ]);
  });

  it('cuts the leader from the controllers, and isolates the active controller from every process but clients', () => {
    expect(faultLinks(fault('leader-from-controllers'), VIEW).links[0]).toEqual({
      from: ['broker-2'],
      to: ['controller-1', 'controller-2', 'controller-3'],
      fault: { blocked: true },
    });
    const isolated = faultLinks(fault('isolate-controller-leader'), VIEW);
    expect(isolated.target).toBe('controller 1 (active)');
    expect(isolated.links[0]).toEqual({
      from: ['controller-1'],
      to: ['controller-2', 'controller-3', 'broker-1', 'broker-2', 'broker-3'],
      fault: { blocked: true },
    });
  });

  it('loses one direction only', () => {
    expect(faultLinks(fault('leader-to-followers-lost'), VIEW).links).toEqual([
      { from: ['broker-2'], to: ['broker-3', 'broker-1'], fault: { blocked: true } },
    ]);
    expect(faultLinks(fault('followers-to-leader-lost'), VIEW).links).toEqual([
      { from: ['broker-3', 'broker-1'], to: ['broker-2'], fault: { blocked: true } },
    ]);
  });

  it('slows and narrows every link of the leader, clients included', () => {
    const slow = faultLinks(fault('slow-leader'), VIEW).links;
    expect(slow[0]).toEqual({
      from: ['broker-2'],
      to: ['controller-1', 'controller-2', 'controller-3', 'broker-1', 'broker-3', CLIENT_ENDPOINT],
      fault: { latencyMs: 80 },
    });
    expect(faultLinks(fault('narrow-leader'), VIEW).links[1]?.fault).toEqual({ bytesPerSecond: 65_536 });
  });

  it('refuses a fault with nothing to hit', () => {
    expect(() => faultLinks(fault('leader-from-followers'), { ...VIEW, partitionLeader: -1 })).toThrow(/no leader/);
    expect(() => faultLinks(fault('isolate-controller-leader'), { ...VIEW, controllerLeader: -1 })).toThrow(
      /no controller leader/,
    );
  });
});
