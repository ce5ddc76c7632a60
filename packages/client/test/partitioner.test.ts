import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { murmur2, partitionForKey, toPositive } from '../src/murmur2';
import { Partitioner, type PartitionAvailability } from '../src/partitioner';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const allAvailable = (count: number): PartitionAvailability[] =>
  Array.from({ length: count }, (_, partition) => ({ partition, hasLeader: true }));

/** A deterministic int source for the sticky and random choices. */
function seededInts(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) | 0;
    return state;
  };
}

describe('murmur2', () => {
  it("matches Kafka's UtilsTest vectors (signed Java ints)", () => {
    expect(murmur2(bytes('21'))).toBe(-973932308);
    expect(murmur2(bytes('foobar'))).toBe(-790332482);
    expect(murmur2(bytes('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(bytes('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(bytes('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
    expect(murmur2(Uint8Array.from([0x61, 0x62, 0x63]))).toBe(479470107);
  });

  it('matches values other Kafka-compatible ports pin (every tail length)', () => {
    expect(murmur2(bytes('1'))).toBe(-1993445489);
    expect(murmur2(bytes('12'))).toBe(126087238);
    expect(murmur2(bytes('123'))).toBe(-267702483);
    expect(murmur2(bytes('1234'))).toBe(-1614185708);
    expect(murmur2(bytes('12345'))).toBe(-1188365604);
  });

  it('clears the sign bit for toPositive, unlike Math.abs', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
    expect(() => partitionForKey(bytes('k'), 0)).toThrow(RangeError);
  });

  it("picks the same partition as kafkajs's Java-compatible DefaultPartitioner for random keys", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const metadata = (count: number): PartitionMetadata[] =>
      Array.from({ length: count }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
      }));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.integer({ min: 1, max: 1_000 }), (key, count) => {
        const expected = kafkajs({
          topic: 't',
          partitionMetadata: metadata(count),
          message: { key: Buffer.from(key), value: null },
        });
        expect(partitionForKey(key, count)).toBe(expected);
      }),
      propertyOptions({ numRuns: 5_000 }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (key, count) => {
        const expected = kafkajs({ topic: 't', partitionMetadata: metadata(count), message: { key, value: null } });
        expect(new Partitioner().partition({ topic: 't', key: bytes(key) }, allAvailable(count))).toBe(expected);
      }),
      propertyOptions({ numRuns: 2_000 }),
    );
  });
});

describe('partitioner', () => {
  it('uses an explicit partition and refuses one outside the topic', () => {
    const partitioner = new Partitioner();
    expect(partitioner.partition({ topic: 't', key: bytes('k'), partition: 2 }, allAvailable(3))).toBe(2);
    expect(() => partitioner.partition({ topic: 't', key: null, partition: 3 }, allAvailable(3))).toThrow(RangeError);
    expect(() => partitioner.partition({ topic: 't', key: null }, [])).toThrow(RangeError);
  });

  it('hashes keys over all partitions, even unavailable ones', () => {
    const partitions = allAvailable(12).map((p) => ({ ...p, hasLeader: p.partition % 2 === 0 }));
    const key = bytes('foobar');
    expect(new Partitioner().partition({ topic: 't', key }, partitions)).toBe(toPositive(-790332482) % 12);
  });

  it('sticks to one partition for keyless records until a new batch, then moves to another available one', () => {
    const partitioner = new Partitioner({ nextInt: seededInts(7) });
    const partitions = allAvailable(6).map((p) => ({ ...p, hasLeader: p.partition !== 4 }));
    const first = partitioner.partition({ topic: 't', key: null }, partitions);
    for (let i = 0; i < 20; i++) expect(partitioner.partition({ topic: 't', key: null }, partitions)).toBe(first);
    const visited = new Set<number>([first]);
    let current = first;
    for (let i = 0; i < 50; i++) {
      const next = partitioner.onNewBatch('t', partitions, current);
      expect(next).not.toBe(current);
      expect(next).not.toBe(4);
      expect(partitioner.partition({ topic: 't', key: null }, partitions)).toBe(next);
      visited.add(next);
      current = next;
    }
    expect(visited.size).toBe(5);
    // A stale onNewBatch (another record already moved the partition) does not move it again.
    expect(partitioner.onNewBatch('t', partitions, 99)).toBe(current);
  });

  it('falls back to any partition when none has a leader, and to the only available one', () => {
    const none = allAvailable(3).map((p) => ({ ...p, hasLeader: false }));
    const choice = new Partitioner({ nextInt: seededInts(1) }).partition({ topic: 't', key: null }, none);
    expect(choice).toBeGreaterThanOrEqual(0);
    expect(choice).toBeLessThan(3);
    const one = allAvailable(3).map((p) => ({ ...p, hasLeader: p.partition === 1 }));
    const partitioner = new Partitioner({ nextInt: seededInts(1) });
    expect(partitioner.partition({ topic: 't', key: null }, one)).toBe(1);
    expect(partitioner.onNewBatch('t', one, 1)).toBe(1);
  });

  it('cycles over available partitions for round-robin, per topic', () => {
    const partitioner = new Partitioner({ kind: 'round-robin' });
    const partitions = allAvailable(4).map((p) => ({ ...p, hasLeader: p.partition !== 2 }));
    const picks = Array.from({ length: 6 }, () => partitioner.partition({ topic: 'a', key: null }, partitions));
    expect(picks).toEqual([0, 1, 3, 0, 1, 3]);
    expect(partitioner.partition({ topic: 'b', key: null }, partitions)).toBe(0);
    expect(() => partitioner.onNewBatch('a', partitions, 0)).toThrow();
  });

  it('chooses alike from a shared frozen list (its available partitions kept) and from fresh copies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.constantFrom<'sticky' | 'round-robin'>('sticky', 'round-robin'),
        fc.integer(),
        (leadersBefore, leadersAfter, kind, seed) => {
          const listOf = (leaders: boolean[]) => leaders.map((hasLeader, partition) => ({ partition, hasLeader }));
          const frozen = (leaders: boolean[]) => Object.freeze(listOf(leaders).map((p) => Object.freeze(p)));
          const shared = new Partitioner({ kind, nextInt: seededInts(seed) });
          const copied = new Partitioner({ kind, nextInt: seededInts(seed) });
          // A Metadata answer moves leaders half way: a new frozen list, never the old one's picks.
          for (const leaders of [leadersBefore, leadersAfter]) {
            const list = frozen(leaders);
            let sharedPick = shared.partition({ topic: 't', key: null }, list);
            let copiedPick = copied.partition({ topic: 't', key: null }, listOf(leaders));
            for (let i = 0; i < 20; i++) {
              expect(sharedPick).toBe(copiedPick);
              if (leaders.some(Boolean) && kind === 'sticky') {
                sharedPick = shared.onNewBatch('t', list, sharedPick);
                copiedPick = copied.onNewBatch('t', listOf(leaders), copiedPick);
                // A new batch goes to a partition the current list says has a leader.
                expect(list[sharedPick]!.hasLeader).toBe(true);
              } else {
                sharedPick = shared.partition({ topic: 't', key: null }, list);
                copiedPick = copied.partition({ topic: 't', key: null }, listOf(leaders));
              }
            }
          }
        },
      ),
      propertyOptions({ numRuns: 200 }),
    );
  });

  it('remembers a bounded number of topics', () => {
    const partitioner = new Partitioner({ kind: 'round-robin', maxTopics: 2 });
    partitioner.partition({ topic: 'a', key: null }, allAvailable(4));
    partitioner.partition({ topic: 'b', key: null }, allAvailable(4));
    partitioner.partition({ topic: 'c', key: null }, allAvailable(4));
    // 'a' was forgotten: its counter starts over.
    expect(partitioner.partition({ topic: 'a', key: null }, allAvailable(4))).toBe(0);
    expect(partitioner.partition({ topic: 'c', key: null }, allAvailable(4))).toBe(1);
  });
});
