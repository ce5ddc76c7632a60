/**
 * Component test: a coordinator whose writes are larger than max.message.bytes. One controller and
 * one broker as real processes, an in-process CoordinatorNode with message.max.bytes 1024: it
 * creates __consumer_offsets with that topic-level max.message.bytes (the broker refuses a larger
 * batch), and a group of 24 members over 32 partitions, whose target-assignment writes run past
 * 1 KiB, still converges because each write is cut into several batches. A second coordinator,
 * started after the first is stopped, replays the same group from the log; it sends one batch
 * per Produce request (the path of writes past the request bound), and the group takes one more
 * member and converges again. Last, the topic's max.message.bytes is lowered under it: the first
 * write over it is refused, the coordinator re-reads the limit and later writes fit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from '@sluice/client';
import { LocalCluster } from '@sluice/local-cluster';
import { createGrpcClient, GrpcClientPool, unaryCall } from '@sluice/proto';
import type * as wire from '@sluice/proto';
import { CompressionType, encodeRecordBatch, RecordBatchView } from '@sluice/protocol';
import { CoordinatorNode, OFFSETS_TOPIC } from '../src/node/coordinator-node';
import { eventually } from './support/eventually';
import { singleBrokerCoordinatorOptions } from './support/single-broker-coordinator';
import { offsetsBatches as readOffsetsBatches } from './support/offsets-log';

jest.setTimeout(90_000);

const GROUP = 'wide-readers';
const TOPIC = 'wide';
const TOPIC_PARTITIONS = 32;
const MEMBERS = 24;
const MAX_MESSAGE_BYTES = 1_024;

describe('coordinator writes larger than max.message.bytes', () => {
  let cluster: LocalCluster;
  let admin: Admin;
  let broker: wire.BrokerClient;
  let coordinator: CoordinatorNode | undefined;
  const clients = new GrpcClientPool('Coordinator', { callTimeoutMs: 10_000 });
  const call = clients.call.bind(clients);

  const startCoordinator = (maxWriteRequestBytes?: number): Promise<CoordinatorNode> => {
    const options = singleBrokerCoordinatorOptions(cluster, {
      maxMessageBytes: MAX_MESSAGE_BYTES,
      ...(maxWriteRequestBytes === undefined ? {} : { maxWriteRequestBytes }),
    });
    return CoordinatorNode.start(options);
  };

  const describeGroup = async (address: string): Promise<wire.DescribeGroupsResponse__Output['groups'][number]> =>
    (await call(address, 'DescribeGroups', { groupIds: [GROUP] })).groups[0]!;

  const offsetsBatches = (): Promise<RecordBatchView[]> => readOffsetsBatches(broker);

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-coordinator-large-')),
      roles: {
        controller: { count: 1 },
        broker: { count: 1, config: { 'broker.heartbeat.interval.ms': 200 } },
        // The test runs its coordinator in-process.
        coordinator: { count: 0 },
      },
    });
    admin = cluster.admin;
    broker = createGrpcClient('Broker', cluster.brokers.address(1));
    await admin.createTopic({ name: TOPIC, numPartitions: TOPIC_PARTITIONS, replicationFactor: 1 });
    coordinator = await startCoordinator();
  });

  afterAll(async () => {
    clients.close();
    await coordinator?.stop();
    broker?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('converges a group whose writes need several batches, and replays it after a coordinator restart', async () => {
    const first = coordinator!;
    expect((await admin.describeTopic(OFFSETS_TOPIC)).configs['max.message.bytes']).toBe(String(MAX_MESSAGE_BYTES));

    // The limit is live: one batch over it is refused by the broker's log.
    const oversized = encodeRecordBatch({
      compression: CompressionType.None,
      records: [{ key: Buffer.from('probe'), value: Buffer.alloc(MAX_MESSAGE_BYTES), timestamp: Date.now() }],
    });
    const refused = await unaryCall(
      broker,
      'Produce',
      {
        acks: -1,
        timeoutMs: 5_000,
        topics: [{ name: OFFSETS_TOPIC, partitions: [{ partition: 0, records: oversized }] }],
      },
      { timeoutMs: 6_000 },
    );
    expect(refused.topics[0]!.partitions[0]!.errorName).toBe('MESSAGE_TOO_LARGE');

    const join = (
      memberId: string,
      memberEpoch: number,
      owned: wire.TopicPartitions__Output[] | null,
    ): wire.ConsumerGroupHeartbeatRequest => ({
      groupId: GROUP,
      memberId,
      memberEpoch,
      instanceId: '',
      rackId: '',
      clientId: 'large-writes',
      rebalanceTimeoutMs: memberEpoch === 0 ? 30_000 : 0,
      subscribedTopicNames: memberEpoch === 0 ? [TOPIC] : [],
      subscribedTopicNamesSet: memberEpoch === 0,
      subscribedTopicRegex: '',
      serverAssignor: '',
      owned: owned ?? [],
      ownedSet: owned !== null,
    });
    let heartbeats = 0;
    const members = new Map<string, { epoch: number; owned: wire.TopicPartitions__Output[] }>();
    for (let i = 0; i < MEMBERS; i++) {
      const joined = await eventually('the offsets partition to load', () =>
        call(first.address, 'ConsumerGroupHeartbeat', join('', 0, [])),
      );
      heartbeats++;
      members.set(joined.memberId, { epoch: joined.memberEpoch, owned: joined.assignment });
    }
    // Heartbeat round by round (each member reporting what it owns) until the group is stable.
    const converge = async (
      address: string,
      groupEpoch: number,
    ): Promise<wire.DescribeGroupsResponse__Output['groups'][number]> => {
      let group = await describeGroup(address);
      for (let round = 0; round < 20 && group.state !== 'STABLE'; round++) {
        for (const [memberId, member] of members) {
          const answer = await call(address, 'ConsumerGroupHeartbeat', join(memberId, member.epoch, member.owned));
          heartbeats++;
          members.set(memberId, {
            epoch: answer.memberEpoch,
            owned: answer.assignmentSet === false ? member.owned : answer.assignment,
          });
        }
        group = await describeGroup(address);
      }
      expect(group).toMatchObject({ errorName: '', state: 'STABLE', groupEpoch, assignmentEpoch: groupEpoch });
      const assigned = group.members.flatMap((m) => m.assigned.flatMap((t) => t.partitions)).sort((a, b) => a - b);
      expect(assigned).toEqual(Array.from({ length: TOPIC_PARTITIONS }, (_, p) => p));
      return group;
    };
    const described = await converge(first.address, MEMBERS);

    // Every batch fits the limit, and there are more batches than writes: writes were cut.
    const batches = await offsetsBatches();
    for (const batch of batches) expect(batch.sizeBytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(batches.length).toBeGreaterThan(heartbeats);

    // A new coordinator (the first one stopped) replays the group from the log, unchanged.
    await first.stop();
    coordinator = await startCoordinator(MAX_MESSAGE_BYTES);
    const second = coordinator;
    const replayed = await eventually('the new coordinator to load the group', async () => {
      const group = await describeGroup(second.address);
      return group.errorName === '' ? group : undefined;
    });
    const byId = (group: typeof described): typeof described.members =>
      [...group.members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
    expect({ ...replayed, members: byId(replayed) }).toEqual({ ...described, members: byId(described) });

    // One batch per request now: one more member joins and the group converges again.
    const joined = await call(second.address, 'ConsumerGroupHeartbeat', join('', 0, []));
    members.set(joined.memberId, { epoch: joined.memberEpoch, owned: joined.assignment });
    const grown = await converge(second.address, MEMBERS + 1);
    expect(grown.members).toHaveLength(MEMBERS + 1);
    expect((await offsetsBatches()).every((batch) => batch.sizeBytes <= MAX_MESSAGE_BYTES)).toBe(true);

    // An operator lowers the topic's max.message.bytes: a write over it is refused (nothing is
    // appended, the partition reloads), the coordinator re-reads the limit, and later writes fit.
    const lowerLimit = 700;
    await admin.alterTopicConfigs(OFFSETS_TOPIC, { set: { 'max.message.bytes': String(lowerLimit) } });
    const bigCommit = {
      groupId: 'probe',
      memberId: '',
      memberEpoch: -1,
      topics: [{ name: TOPIC, partitions: [{ partition: 0, offset: 1, leaderEpoch: -1, metadata: 'm'.repeat(800) }] }],
    };
    await eventually('a write over the lowered limit to be refused', async () => {
      try {
        await call(second.address, 'OffsetCommit', bigCommit);
        return undefined;
      } catch (error) {
        return (error as { errorName?: string }).errorName === 'MESSAGE_TOO_LARGE' ? true : undefined;
      }
    });
    const batchesBefore = (await offsetsBatches()).length;
    const newcomer = await eventually('a join after the limit was re-read', () =>
      call(second.address, 'ConsumerGroupHeartbeat', join('', 0, [])),
    );
    members.set(newcomer.memberId, { epoch: newcomer.memberEpoch, owned: newcomer.assignment });
    await converge(second.address, MEMBERS + 2);
    const later = (await offsetsBatches()).slice(batchesBefore);
    expect(later.length).toBeGreaterThan(0);
    for (const batch of later) expect(batch.sizeBytes).toBeLessThanOrEqual(lowerLimit);
  });
});
