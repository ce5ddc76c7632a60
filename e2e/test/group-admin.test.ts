/**
 * Consumer group administration end to end, real processes on loopback: one controller, three
 * brokers, three coordinators, and `sluice group ...` run in-process as the CLI tests do.
 * Records carry known timestamps, one an hour from 48 h ago to now, so offsets and times line up:
 * seekToTimestamp and `reset-offsets --to-datetime` land on the first record at or after a time;
 * a dry run changes nothing and --execute commits exactly the plan (read back with OffsetFetch);
 * a group with an active member refuses reset and delete; describe shows the lag; static
 * members get their partitions back; a pattern subscription follows new topics.
 */
import { type Admin, Consumer, Producer } from '../../packages/client/src';
import { ExitCode, runCli } from '../../packages/cli/src';
import { createGrpcClient, unaryCall } from '../../packages/proto/src';
import { sleep, waitFor, type LocalCluster, type LocalRole } from '@sluice/local-cluster';
import { startSluice } from './local-sluice';

jest.setTimeout(120_000);

const TOPIC = 'events';
const PARTITIONS = 3;
const HOUR_MS = 3_600_000;
/** Records per partition: offset k has timestamp start + k hours, k = 0..48 (48 h ago .. now). */
const PER_PARTITION = 49;

async function sluice(argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

describe('sluice group: list, describe, delete, reset-offsets against a real cluster', () => {
  let cluster: LocalCluster;
  let controllers: LocalRole;
  let brokers: LocalRole;
  let coordinators: LocalRole;
  let admin: Admin;
  let connection: string[];
  let brokerBootstrap: string;
  const nowMs = Date.now();
  const startMs = nowMs - 48 * HOUR_MS;
  const timestampOf = (k: number): number => startMs + k * HOUR_MS;

  /** Committed offsets read straight from the group's coordinator with OffsetFetch (partition -> offset, -1: none). */
  async function offsetFetch(groupId: string): Promise<number[]> {
    const clients = coordinators.addresses().map((address) => createGrpcClient('Coordinator', address));
    try {
      for (let attempt = 0; attempt < 50; attempt++) {
        for (const client of clients) {
          const answer = await unaryCall(
            client,
            'OffsetFetch',
            { groupId, partitions: [{ topic: TOPIC, partitions: [0, 1, 2] }] },
            { timeoutMs: 2_000 },
          ).catch(() => undefined);
          if (answer !== undefined)
            return [0, 1, 2].map((p) => Number(answer.offsets.find((o) => o.partition === p)?.offset ?? -1));
        }
        await sleep(100);
      }
      throw new Error(`no coordinator answered OffsetFetch for ${groupId}`);
    } finally {
      for (const client of clients) client.close();
    }
  }

  beforeAll(async () => {
    cluster = await startSluice({
      name: 'group-admin-e2e',
      coordinatorConfig: {
        'offsets.topic.num.partitions': 3,
        'group.consumer.heartbeat.interval.ms': 300,
        // The static member test's window: its instance must return within this, or its place is
        // given up and the group rebalances. 3 s left little room for a describe, a delete and a new
        // consumer's first heartbeat at load 10+ on 2 cores; no test here waits for a session to expire.
        'group.consumer.session.timeout.ms': 10_000,
      },
    });
    ({ controllers, brokers, coordinators, admin } = cluster);
    await admin.createTopic({ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 });
    connection = [
      '--bootstrap',
      controllers.addresses().join(','),
      '--coordinators',
      coordinators.addresses().join(','),
      '--timeout',
      '15000',
    ];
    brokerBootstrap = brokers.addresses().join(',');
    const producer = new Producer({ bootstrap: brokerBootstrap, lingerMs: 5 });
    const sends = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      for (let k = 0; k < PER_PARTITION; k++)
        sends.push(
          producer.send({
            topic: TOPIC,
            partition,
            key: `k${k}`,
            value: `p${partition}-r${k}`,
            timestamp: timestampOf(k),
          }),
        );
    }
    const metadata = await Promise.all(sends);
    await producer.close();
    // Offsets follow send order within a partition: offset k is the record of hour k.
    for (const m of metadata) expect(m.timestamp).toBe(timestampOf(m.offset));
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  it('seekToTimestamp lands on the first offset at or after the time', async () => {
    const consumer = new Consumer({ bootstrap: brokerBootstrap, fetchMaxWaitMs: 100 });
    try {
      const all = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition }));
      consumer.assign(all);
      for (const [target, expected] of [
        [nowMs - 24 * HOUR_MS, 24],
        [nowMs - 24 * HOUR_MS + 1, 25],
        [startMs - 1, 0],
      ] as const) {
        await consumer.seekToTimestamp(target, all);
        const first = new Map<number, { offset: number; timestamp: number }>();
        const deadline = Date.now() + 10_000;
        while (first.size < PARTITIONS && Date.now() < deadline) {
          for (const record of await consumer.poll(500))
            if (!first.has(record.partition))
              first.set(record.partition, { offset: record.offset, timestamp: record.timestamp });
        }
        for (let partition = 0; partition < PARTITIONS; partition++) {
          expect(first.get(partition)).toEqual({ offset: expected, timestamp: timestampOf(expected) });
        }
      }
    } finally {
      await consumer.close();
    }
  });

  it('reset-offsets: dry run changes nothing, --execute commits the plan, each target, clamped', async () => {
    const group = 'resetters';
    const reset = (...flags: string[]): Promise<{ code: ExitCode; out: string; err: string }> =>
      sluice(['group', 'reset-offsets', group, ...flags, ...connection]);

    // A group that does not exist yet can be given offsets (as Kafka allows).
    let result = await reset('--topic', TOPIC, '--to-offset', '10', '--execute');
    expect(result.code).toBe(ExitCode.OK);
    expect(await offsetFetch(group)).toEqual([10, 10, 10]);

    const isoDayAgo = new Date(nowMs - 24 * HOUR_MS).toISOString();
    result = await reset('--topic', TOPIC, '--to-datetime', isoDayAgo, '--json');
    expect(result.code).toBe(ExitCode.OK);
    expect(result.err).toContain('Dry run');
    expect(JSON.parse(result.out)).toEqual({
      group,
      executed: false,
      partitions: [0, 1, 2].map((partition) => ({ topic: TOPIC, partition, currentOffset: 10, newOffset: 24 })),
    });
    expect(await offsetFetch(group)).toEqual([10, 10, 10]);

    result = await reset('--topic', TOPIC, '--to-datetime', isoDayAgo, '--execute');
    expect(result.code).toBe(ExitCode.OK);
    expect(result.out).toMatch(/GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+NEW-OFFSET/);
    expect(result.out).toMatch(new RegExp(`${group}\\s+${TOPIC}\\s+1\\s+10\\s+24`));
    expect(await offsetFetch(group)).toEqual([24, 24, 24]);

    result = await reset('--all-topics', '--shift-by', '-5', '--execute');
    expect(result.code).toBe(ExitCode.OK);
    expect(await offsetFetch(group)).toEqual([19, 19, 19]);

    // One partition only.
    result = await reset('--topic', `${TOPIC}:1`, '--to-earliest', '--execute');
    expect(result.code).toBe(ExitCode.OK);
    expect(await offsetFetch(group)).toEqual([19, 0, 19]);

    result = await reset('--topic', TOPIC, '--to-latest', '--execute');
    expect(result.code).toBe(ExitCode.OK);
    expect(await offsetFetch(group)).toEqual([PER_PARTITION, PER_PARTITION, PER_PARTITION]);

    // Out of range both ways: clamped to [log start, log end], as Kafka does.
    result = await reset('--topic', TOPIC, '--shift-by', '-1000', '--execute', '--json');
    expect(JSON.parse(result.out).partitions.map((p: { newOffset: number }) => p.newOffset)).toEqual([0, 0, 0]);
    result = await reset('--topic', TOPIC, '--to-offset', '1000', '--json');
    expect(JSON.parse(result.out).partitions.map((p: { newOffset: number }) => p.newOffset)).toEqual([
      PER_PARTITION,
      PER_PARTITION,
      PER_PARTITION,
    ]);
    expect(await offsetFetch(group)).toEqual([0, 0, 0]);

    // Named errors, exit 1, nothing changed.
    result = await reset('--topic', 'no-such-topic', '--to-earliest', '--execute');
    expect(result.code).toBe(ExitCode.FAILURE);
    expect(result.err).toContain('UNKNOWN_TOPIC_OR_PARTITION');
    result = await reset('--topic', `${TOPIC}:7`, '--to-earliest', '--execute');
    expect(result.code).toBe(ExitCode.FAILURE);
    expect(result.err).toContain('has no partition 7');
    expect(await offsetFetch(group)).toEqual([0, 0, 0]);
  });

  it('an active member blocks reset and delete; describe shows its lag; once it leaves, delete works', async () => {
    const group = 'watched';
    expect(
      (
        await sluice([
          'group',
          'reset-offsets',
          group,
          '--topic',
          TOPIC,
          '--to-offset',
          '40',
          '--execute',
          ...connection,
        ])
      ).code,
    ).toBe(ExitCode.OK);
    const consumer = new Consumer({
      bootstrap: brokerBootstrap,
      groupId: group,
      coordinators: coordinators.addresses(),
      enableAutoCommit: false,
      fetchMaxWaitMs: 100,
    });
    try {
      consumer.subscribe([TOPIC]);
      await waitFor(
        'the member to own every partition',
        async () => {
          await consumer.poll(100);
          return (consumer.group?.ownedPartitions().length ?? 0) === PARTITIONS;
        },
        30_000,
      );

      const refusedReset = await sluice([
        'group',
        'reset-offsets',
        group,
        '--topic',
        TOPIC,
        '--to-earliest',
        '--execute',
        ...connection,
      ]);
      expect(refusedReset.code).toBe(ExitCode.FAILURE);
      expect(refusedReset.err).toContain('NON_EMPTY_GROUP');
      expect(refusedReset.err).toContain('only be reset for an inactive group');
      const refusedDryRun = await sluice([
        'group',
        'reset-offsets',
        group,
        '--topic',
        TOPIC,
        '--to-earliest',
        ...connection,
      ]);
      expect(refusedDryRun.code).toBe(ExitCode.FAILURE);
      expect(await offsetFetch(group)).toEqual([40, 40, 40]);

      const refusedDelete = await sluice(['group', 'delete', group, ...connection]);
      expect(refusedDelete.code).toBe(ExitCode.FAILURE);
      expect(refusedDelete.err).toContain('NON_EMPTY_GROUP');

      const described = await sluice(['group', 'describe', group, '--json', ...connection]);
      expect(described.code).toBe(ExitCode.OK);
      const json = JSON.parse(described.out) as {
        state: string;
        members: { memberId: string; clientId: string; assigned: unknown[] }[];
        partitions: unknown[];
      };
      expect(json.state).toBe('STABLE');
      expect(json.members).toHaveLength(1);
      const memberId = consumer.group!.memberId;
      expect(json.members[0]!.memberId).toBe(memberId);
      expect(json.partitions).toEqual(
        [0, 1, 2].map((partition) => ({
          topic: TOPIC,
          partition,
          currentOffset: 40,
          logEndOffset: PER_PARTITION,
          lag: PER_PARTITION - 40,
          memberId,
          clientId: 'sluice-client',
        })),
      );
      const text = await sluice(['group', 'describe', group, ...connection]);
      expect(text.out).toContain(`Group: ${group}\tState: STABLE`);
      expect(text.out).toMatch(
        new RegExp(`${TOPIC}\\s+2\\s+40\\s+${PER_PARTITION}\\s+${PER_PARTITION - 40}\\s+${memberId}\\s+sluice-client`),
      );

      const listed = await sluice(['group', 'list', '--json', ...connection]);
      expect(listed.code).toBe(ExitCode.OK);
      expect(JSON.parse(listed.out)).toContainEqual({ groupId: group, state: 'STABLE', members: 1 });
    } finally {
      await consumer.close();
    }
    // A dynamic member leaves at once on close (epoch -1): the group is empty now.
    const deleted = await sluice(['group', 'delete', group, ...connection]);
    expect(deleted.code).toBe(ExitCode.OK);
    expect(deleted.out).toBe(`Deleted group ${group}.\n`);
    expect(await offsetFetch(group)).toEqual([-1, -1, -1]);
    const gone = await sluice(['group', 'describe', group, ...connection]);
    expect(gone.code).toBe(ExitCode.FAILURE);
    expect(gone.err).toContain('GROUP_ID_NOT_FOUND');
    const again = await sluice(['group', 'delete', group, ...connection]);
    expect(again.code).toBe(ExitCode.FAILURE);
    expect(again.err).toContain('GROUP_ID_NOT_FOUND');
    expect(
      JSON.parse((await sluice(['group', 'list', '--json', ...connection])).out).map(
        (g: { groupId: string }) => g.groupId,
      ),
    ).not.toContain(group);
  });

  it('a static member that leaves keeps its place; the same group.instance.id takes its partitions back', async () => {
    const group = 'statics';
    const start = (): Consumer =>
      new Consumer({
        bootstrap: brokerBootstrap,
        groupId: group,
        groupInstanceId: 'static-1',
        coordinators: coordinators.addresses(),
        fetchMaxWaitMs: 100,
        autoOffsetReset: 'earliest',
      });
    const first = start();
    first.subscribe([TOPIC]);
    await waitFor(
      'the static member to own every partition',
      async () => {
        await first.poll(100);
        return (first.group?.ownedPartitions().length ?? 0) === PARTITIONS;
      },
      30_000,
    );
    const firstEpoch = first.group!.epoch;
    await first.close();

    const left = await admin.describeGroup(group);
    expect(left.members).toHaveLength(1);
    expect(left.members[0]).toMatchObject({ memberId: first.group!.memberId, instanceId: 'static-1', memberEpoch: -2 });
    expect(left.members[0]!.assigned).toHaveLength(PARTITIONS);
    // Its partitions wait for it: the group is not empty.
    expect((await admin.deleteGroups([group]))[0]!.error?.errorName).toBe('NON_EMPTY_GROUP');

    const second = start();
    try {
      second.subscribe([TOPIC]);
      await waitFor(
        'the returning instance to own every partition',
        async () => {
          await second.poll(100);
          return (second.group?.ownedPartitions().length ?? 0) === PARTITIONS;
        },
        30_000,
      );
      const back = await admin.describeGroup(group);
      expect(back.members.map((m) => [m.memberId, m.instanceId])).toEqual([[second.group!.memberId, 'static-1']]);
      // No rebalance: it resumes at the epoch the first incarnation had.
      expect(back.groupEpoch).toBe(left.groupEpoch);
      expect(second.group!.epoch).toBeGreaterThanOrEqual(firstEpoch);
    } finally {
      await second.close();
    }
  });

  it('subscribe(RegExp) gets the matching topics, including one created later', async () => {
    const group = 'by-pattern';
    const consumer = new Consumer({
      bootstrap: brokerBootstrap,
      groupId: group,
      coordinators: coordinators.addresses(),
      fetchMaxWaitMs: 100,
    });
    try {
      expect(() => consumer.subscribe(/even(?=ts)/)).toThrow('lookahead');
      consumer.subscribe(/ev[a-z]+s(-late)?/);
      await waitFor(
        'the pattern member to own the events partitions',
        async () => {
          await consumer.poll(100);
          return (consumer.group?.ownedPartitions().length ?? 0) === PARTITIONS;
        },
        30_000,
      );
      await admin.createTopic({ name: 'events-late', numPartitions: 2, replicationFactor: 1 });
      await admin.createTopic({ name: 'other', numPartitions: 1, replicationFactor: 1 });
      await waitFor(
        'the new matching topic to be assigned too',
        async () => {
          await consumer.poll(100);
          return (consumer.group?.ownedPartitions().length ?? 0) === PARTITIONS + 2;
        },
        30_000,
      );
      expect(new Set(consumer.group!.ownedPartitions().map((tp) => tp.topic))).toEqual(new Set([TOPIC, 'events-late']));
      const described = await admin.describeGroup(group);
      expect(described.members[0]).toMatchObject({
        subscribedTopicRegex: 'ev[a-z]+s(-late)?',
        subscribedTopicNames: [],
      });
    } finally {
      await consumer.close();
    }
  });
});
