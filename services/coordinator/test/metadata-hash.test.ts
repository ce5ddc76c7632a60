/**
 * The group epoch's metadata hash (KIP-1101): a heartbeat bumps the epoch when the subscribed
 * topics' partition counts change, with and without a metadata version on the topics view; the
 * record carries the hash (version 2) and a version 1 record with the counts map still reads;
 * a reload leaves nothing to bump.
 */
import { DEFAULT_GROUP_SHARD_CONFIG, GroupShard, type TopicsView } from '../src/core/group-shard';
import { decodeGroupRecord, recordKey, recordValue, type GroupRecord } from '../src/core/group-records';
import { topicsMetadataHash } from '../src/core/metadata-hash';
import { roundRobinAssignor, SimClient } from './support/group-sim';

const G = 'metadata-group';

/** A topics view over mutable counts; `version` (when given) is what metadataVersion answers. */
function mutableView(
  counts: Record<string, number>,
  withVersion: boolean,
): { view: TopicsView; version: { value: number } } {
  const version = { value: 0 };
  const view: TopicsView = { partitionCount: (topic) => counts[topic], topicNames: () => Object.keys(counts) };
  if (withVersion) view.metadataVersion = () => version.value;
  return { view, version };
}

function shardOver(view: TopicsView): GroupShard {
  let next = 0;
  return new GroupShard(
    { ...DEFAULT_GROUP_SHARD_CONFIG, assignors: [roundRobinAssignor] },
    view,
    () => `generated-${next++}`,
  );
}

function converge(shard: GroupShard, client: SimClient, log: GroupRecord[], fromMs: number): number {
  let nowMs = fromMs;
  for (let round = 0; round < 5; round++) client.heartbeat(shard, log, (nowMs += 100));
  return nowMs;
}

function ownedCount(client: SimClient): number {
  let count = 0;
  for (const set of client.owned.values()) count += set.size;
  return count;
}

describe('metadata hash', () => {
  it('does not depend on entry order, and tells counts and names apart', () => {
    const a = topicsMetadataHash([
      ['orders', 3],
      ['payments', 2],
    ]);
    expect(
      topicsMetadataHash([
        ['payments', 2],
        ['orders', 3],
      ]),
    ).toBe(a);
    expect(Number.isSafeInteger(a)).toBe(true);
    expect(topicsMetadataHash([])).toBe(0);
    const others = [
      [
        ['orders', 4],
        ['payments', 2],
      ],
      [['orders', 3]],
      [
        ['order', 3],
        ['payments', 2],
      ],
      [
        ['orders', 3],
        ['payments', 2],
        ['refunds', 1],
      ],
    ] as [string, number][][];
    for (const entries of others) expect(topicsMetadataHash(entries)).not.toBe(a);
  });

  for (const withVersion of [false, true]) {
    it(`bumps the group epoch when a subscribed topic grows or appears (${withVersion ? 'with' : 'without'} a metadata version)`, () => {
      const counts: Record<string, number> = { orders: 2 };
      const { view, version } = mutableView(counts, withVersion);
      const shard = shardOver(view);
      const log: GroupRecord[] = [];
      const client = new SimClient(G, 'a', ['orders', 'refunds']);
      let nowMs = converge(shard, client, log, 0);
      const epoch = shard.describeGroup(G).groupEpoch;
      expect(ownedCount(client)).toBe(2);
      nowMs = converge(shard, client, log, nowMs);
      expect(shard.describeGroup(G).groupEpoch).toBe(epoch);

      counts.orders = 4;
      version.value++;
      nowMs = converge(shard, client, log, nowMs);
      expect(shard.describeGroup(G).groupEpoch).toBe(epoch + 1);
      expect(ownedCount(client)).toBe(4);

      counts.refunds = 1;
      version.value++;
      converge(shard, client, log, nowMs);
      expect(shard.describeGroup(G).groupEpoch).toBe(epoch + 2);
      expect(shard.describeGroup(G).state).toBe('STABLE');
      expect(ownedCount(client)).toBe(5);
      const last = [...log].reverse().find((record) => record.type === 'GroupEpoch');
      expect(last?.value).toEqual({ epoch: epoch + 2, metadataHash: topicsMetadataHash(Object.entries(counts)) });
    });
  }

  it('trusts the metadata version: counts that change under an unchanged version go unnoticed until it moves', () => {
    const counts: Record<string, number> = { orders: 2 };
    const { view, version } = mutableView(counts, true);
    const shard = shardOver(view);
    const client = new SimClient(G, 'a', ['orders']);
    let nowMs = converge(shard, client, [], 0);
    const epoch = shard.describeGroup(G).groupEpoch;
    counts.orders = 3;
    nowMs = converge(shard, client, [], nowMs);
    expect(shard.describeGroup(G).groupEpoch).toBe(epoch);
    version.value++;
    converge(shard, client, [], nowMs);
    expect(shard.describeGroup(G).groupEpoch).toBe(epoch + 1);
    expect(ownedCount(client)).toBe(3);
  });

  it('writes the hash as GroupEpoch value version 2, and reads a version 1 value by hashing its counts', () => {
    const record: GroupRecord = { type: 'GroupEpoch', groupId: G, value: { epoch: 4, metadataHash: 123_456_789 } };
    expect(JSON.parse(recordValue(record)!.toString('utf8'))).toEqual({ v: 2, epoch: 4, metadataHash: 123_456_789 });
    expect(decodeGroupRecord(recordKey(record), recordValue(record))).toEqual(record);
    const v1 = decodeGroupRecord(
      recordKey(record),
      Buffer.from('{"v":1,"epoch":4,"topicPartitionCounts":{"payments":2,"orders":3}}'),
    );
    expect(v1).toEqual({
      type: 'GroupEpoch',
      groupId: G,
      value: {
        epoch: 4,
        metadataHash: topicsMetadataHash([
          ['orders', 3],
          ['payments', 2],
        ]),
      },
    });
    for (const bad of [
      '{"v":2,"epoch":4}',
      '{"v":1,"epoch":4}',
      '{"v":1,"epoch":4,"topicPartitionCounts":{"orders":-1}}',
      '{"v":3,"epoch":4,"metadataHash":1}',
    ]) {
      expect(() => decodeGroupRecord(recordKey(record), Buffer.from(bad))).toThrow(
        expect.objectContaining({ errorName: 'INVALID_RECORD' }),
      );
    }
  });

  it('after a reload from the encoded log, an unchanged metadata bumps nothing', () => {
    const counts: Record<string, number> = { orders: 3, payments: 2 };
    const { view } = mutableView(counts, false);
    const shard = shardOver(view);
    const log: GroupRecord[] = [];
    const clients = ['a', 'b'].map((id) => new SimClient(G, id, ['orders', 'payments']));
    let nowMs = 0;
    for (let round = 0; round < 6; round++) for (const client of clients) client.heartbeat(shard, log, (nowMs += 100));
    const reloaded = shardOver(mutableView(counts, true).view);
    for (const record of log) reloaded.replay(decodeGroupRecord(recordKey(record), recordValue(record)));
    expect(reloaded.describeGroup(G)).toEqual(shard.describeGroup(G));
    expect(reloaded.group(G)?.metadataHash).toBe(topicsMetadataHash(Object.entries(counts)));
    const reloadedLog: GroupRecord[] = [];
    for (const client of clients) client.heartbeat(reloaded, reloadedLog, (nowMs += 100));
    expect(reloadedLog.filter((record) => record.type === 'GroupEpoch')).toEqual([]);
    expect(reloaded.describeGroup(G).groupEpoch).toBe(shard.describeGroup(G).groupEpoch);
  });
});
