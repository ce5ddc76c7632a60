import fc from 'fast-check';
import { propertyOptions } from '../../../../test-support/property';
import { ApiError } from '@sluice/protocol';
import { placeReplicas, seededRng, type PlacementBroker } from '../../src/core';

const cases = fc
  .record({
    brokerCount: fc.integer({ min: 1, max: 12 }),
    rackCount: fc.integer({ min: 0, max: 5 }),
    rackSeed: fc.integer(),
    numPartitions: fc.integer({ min: 1, max: 80 }),
    rf: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer(),
    idOffset: fc.integer({ min: 0, max: 1000 }),
  })
  .map((c) => {
    const rackRng = seededRng(c.rackSeed);
    const brokers: PlacementBroker[] = Array.from({ length: c.brokerCount }, (_, i) => ({
      brokerId: c.idOffset + i * 3,
      rack: c.rackCount === 0 ? null : `rack-${Math.floor(rackRng() * c.rackCount)}`,
    }));
    return { ...c, brokers, replicationFactor: Math.min(c.rf, c.brokerCount) };
  });

describe('placeReplicas', () => {
  it('distinct brokers, rack spread when racks >= RF, leaders balanced within one, deterministic', () => {
    fc.assert(
      fc.property(cases, ({ brokers, numPartitions, replicationFactor, seed }) => {
        const placed = placeReplicas({ brokers, numPartitions, replicationFactor, rng: seededRng(seed) });
        expect(placed).toEqual(placeReplicas({ brokers, numPartitions, replicationFactor, rng: seededRng(seed) }));
        expect(placed.length).toBe(numPartitions);
        const rackOf = new Map(brokers.map((b) => [b.brokerId, b.rack]));
        const racks = new Set(brokers.map((b) => b.rack));
        const leaders = new Map(brokers.map((b) => [b.brokerId, 0]));
        for (const replicas of placed) {
          if (replicas.length !== replicationFactor || new Set(replicas).size !== replicationFactor)
            throw new Error(`bad replicas ${replicas.join(',')}`);
          if (!replicas.every((id) => rackOf.has(id))) throw new Error(`unknown broker in ${replicas.join(',')}`);
          const spread = new Set(replicas.map((id) => rackOf.get(id))).size;
          if (spread !== Math.min(replicationFactor, racks.size))
            throw new Error(`replicas ${replicas.join(',')} span ${spread} of ${racks.size} racks`);
          const leader = replicas[0] as number;
          leaders.set(leader, (leaders.get(leader) ?? 0) + 1);
        }
        const counts = [...leaders.values()];
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
      propertyOptions({ numRuns: 300 }),
    );
  });

  it('refuses replication factors the brokers cannot hold', () => {
    const brokers = [
      { brokerId: 1, rack: null },
      { brokerId: 2, rack: null },
    ];
    expect(() => placeReplicas({ brokers, numPartitions: 1, replicationFactor: 3, rng: seededRng(1) })).toThrow(
      ApiError,
    );
    expect(() => placeReplicas({ brokers: [], numPartitions: 1, replicationFactor: 1, rng: seededRng(1) })).toThrow(
      /no live unfenced brokers/,
    );
    expect(() => placeReplicas({ brokers, numPartitions: 1, replicationFactor: 0, rng: seededRng(1) })).toThrow(
      ApiError,
    );
  });

  it('spreads followers too: with no racks, every broker holds a near-equal share of replicas', () => {
    const brokers = Array.from({ length: 6 }, (_, i) => ({ brokerId: i, rack: null }));
    const placed = placeReplicas({ brokers, numPartitions: 600, replicationFactor: 3, rng: seededRng(7) });
    const held = new Map<number, number>();
    for (const replicas of placed) for (const id of replicas) held.set(id, (held.get(id) ?? 0) + 1);
    for (const count of held.values()) expect(Math.abs(count - 300)).toBeLessThanOrEqual(30);
  });
});
