/**
 * `sluice share consume|describe|list` against real processes (one controller, three brokers,
 * three coordinators on loopback), the commands run in-process as the CLI tests do:
 * - two `share consume` members of one share group on a 2-partition topic together print every
 *   produced record exactly once, each ACCEPTed after printing;
 * - `share describe` shows both members (client id, the partitions between them) and, once
 *   everything is consumed, start offset = log end offset (lag 0) on both partitions; `share list`
 *   lists the group; after Ctrl-C (abort) both exit 0 and the group is EMPTY;
 * - `share consume --count` leaves what it did not print to the next member;
 * - an unknown group is exit 1 with GROUP_ID_NOT_FOUND.
 */
import { ExitCode, runCli } from '../../packages/cli/src';
import { Producer } from '../../packages/client/src';
import { sleep, waitFor, type LocalCluster } from '@sluice/local-cluster';
import { startSluice } from './local-sluice';

jest.setTimeout(90_000);

const TOPIC = 'tasks';
const GROUP = 'crew';
const RECORDS = 200;

interface Run {
  readonly done: Promise<ExitCode>;
  out(): string;
  err(): string;
  stop(): void;
}

/** Starts a command in-process; stop() aborts it as Ctrl-C does. */
function start(argv: string[]): Run {
  let out = '';
  let err = '';
  const abort = new AbortController();
  const done = runCli(argv, {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    signal: abort.signal,
  });
  return { done, out: () => out, err: () => err, stop: () => abort.abort() };
}

async function sluiceCli(argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  const run = start(argv);
  const code = await run.done;
  return { code, out: run.out(), err: run.err() };
}

interface Described {
  state: string;
  members: { memberId: string; clientId: string; assigned: { topic: string; partition: number }[] }[];
  partitions: {
    topic: string;
    partition: number;
    startOffset: number | null;
    logEndOffset: number | null;
    lag: number | null;
  }[];
}

describe('sluice share against a real cluster', () => {
  let sluice: LocalCluster;
  let common: string[];

  beforeAll(async () => {
    sluice = await startSluice({
      name: 'share-cli',
      coordinatorConfig: {
        'offsets.topic.num.partitions': 3,
        'share.coordinator.state.topic.num.partitions': 3,
        'group.share.heartbeat.interval.ms': 200,
        'group.share.session.timeout.ms': 6_000,
      },
    });
    await sluice.admin.createTopic({ name: TOPIC, numPartitions: 2, replicationFactor: 3 });
    common = [
      '--bootstrap',
      sluice.controllers.addresses().join(','),
      '--coordinators',
      sluice.coordinators.addresses().join(','),
    ];
  });

  afterAll(async () => {
    await sluice?.stop({ removeBaseDir: true });
  });

  const describeGroup = async (...extra: string[]): Promise<Described> => {
    const run = await sluiceCli(['share', 'describe', GROUP, '--json', ...extra, ...common]);
    if (run.code !== ExitCode.OK) throw new Error(`share describe exited ${run.code}: ${run.err}`);
    return JSON.parse(run.out) as Described;
  };

  const values = (out: string): string[] =>
    out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => (JSON.parse(line) as { value: string }).value);

  it('two members print every record once; describe shows them and lag 0; list lists the group', async () => {
    const members = [
      start(['share', 'consume', TOPIC, '--group', GROUP, '--json', ...common]),
      start(['share', 'consume', TOPIC, '--group', GROUP, '--json', ...common]),
    ];
    try {
      // Records count from the moment each share partition is initialized (share.auto.offset.reset=latest):
      // wait until both members are in and the leaders have initialized both share partitions.
      await waitFor(
        'two members and both share partitions initialized',
        async () => {
          const described = await describeGroup();
          return (
            described.members.length === 2 &&
            described.partitions.length === 2 &&
            described.partitions.every((p) => p.startOffset !== null)
          );
        },
        30_000,
      );

      const producer = new Producer({
        bootstrap: sluice.brokers.addresses().join(','),
        acks: 'all',
        lingerMs: 2,
        requestTimeoutMs: 5_000,
      });
      const produced: string[] = [];
      try {
        // In bursts, so both members' fetches get a turn.
        for (let burst = 0; burst < 10; burst++) {
          const sends: Promise<unknown>[] = [];
          for (let i = 0; i < RECORDS / 10; i++) {
            const value = `task-${burst * (RECORDS / 10) + i}`;
            produced.push(value);
            sends.push(producer.send({ topic: TOPIC, key: Buffer.from(value), value: Buffer.from(value) }));
          }
          await Promise.all(sends);
          await sleep(100);
        }
      } finally {
        await producer.close();
      }

      await waitFor(
        'every record printed',
        () => new Set([...values(members[0]!.out()), ...values(members[1]!.out())]).size === RECORDS,
        30_000,
      );
      const printed = [...values(members[0]!.out()), ...values(members[1]!.out())];
      expect(printed.sort()).toEqual([...produced].sort());
      for (const member of members)
        for (const line of member
          .out()
          .split('\n')
          .filter((l) => l !== ''))
          expect(JSON.parse(line)).toMatchObject({ deliveryCount: 1 });
      process.stderr.write(
        `share-cli: members printed ${values(members[0]!.out()).length} and ${values(members[1]!.out()).length} of ${RECORDS} records\n`,
      );

      // Acknowledged after printing: the share start offsets reach the log ends.
      let described: Described | undefined;
      await waitFor(
        'lag 0 on both partitions',
        async () => {
          described = await describeGroup();
          return described.partitions.length === 2 && described.partitions.every((p) => p.lag === 0);
        },
        30_000,
      );
      expect(described!.state).toBe('STABLE');
      expect(described!.members).toHaveLength(2);
      for (const member of described!.members) {
        expect(member.clientId).toBe('sluice-share-consume');
        expect(member.assigned.length).toBeGreaterThan(0);
      }
      // The share assignor spreads the partitions over the members (a partition may have several).
      expect(new Set(described!.members.flatMap((m) => m.assigned.map((tp) => `${tp.topic}-${tp.partition}`)))).toEqual(
        new Set([`${TOPIC}-0`, `${TOPIC}-1`]),
      );
      expect(described!.partitions.reduce((sum, p) => sum + (p.logEndOffset ?? 0), 0)).toBe(RECORDS);

      const text = await sluiceCli(['share', 'describe', GROUP, ...common]);
      expect(text.code).toBe(ExitCode.OK);
      expect(text.out).toMatch(/State: STABLE.*Members: 2/);
      expect(text.out).toMatch(/TOPIC\s+PARTITION\s+START-OFFSET\s+LOG-END-OFFSET\s+LAG/);

      const listed = await sluiceCli(['share', 'list', '--json', ...common]);
      expect(listed.code).toBe(ExitCode.OK);
      expect(JSON.parse(listed.out)).toEqual([{ groupId: GROUP, state: 'STABLE', members: 2 }]);
      expect((await sluiceCli(['share', 'list', ...common])).out).toMatch(
        /^GROUP\s+STATE\s+MEMBERS\ncrew\s+STABLE\s+2\n$/,
      );
    } finally {
      for (const member of members) member.stop();
    }
    for (const member of members) {
      expect(await member.done).toBe(ExitCode.OK);
      expect(member.err()).toMatch(/Processed a total of \d+ records/);
    }
    // Closed members leave at once; the share state stays, named with --topic.
    await waitFor(
      'the group to be empty',
      async () => (await describeGroup('--topic', TOPIC)).state === 'EMPTY',
      30_000,
    );
    const empty = await describeGroup('--topic', TOPIC);
    expect(empty.members).toEqual([]);
    expect(empty.partitions.map((p) => p.lag)).toEqual([0, 0]);
  });

  it('--count leaves what it did not print to the next member', async () => {
    const producer = new Producer({
      bootstrap: sluice.brokers.addresses().join(','),
      acks: 'all',
      lingerMs: 20,
      requestTimeoutMs: 5_000,
    });
    try {
      await Promise.all(
        ['late-1', 'late-2', 'late-3'].map((value) => producer.send({ topic: TOPIC, value: Buffer.from(value) })),
      );
    } finally {
      await producer.close();
    }
    const first = await sluiceCli([
      'share',
      'consume',
      TOPIC,
      '--group',
      GROUP,
      '--count',
      '2',
      '--timeout-ms',
      '20000',
      ...common,
    ]);
    expect(first.code).toBe(ExitCode.OK);
    expect(first.out.split('\n').filter((l) => l !== '')).toHaveLength(2);
    const second = await sluiceCli([
      'share',
      'consume',
      TOPIC,
      '--group',
      GROUP,
      '--count',
      '1',
      '--timeout-ms',
      '20000',
      '--json',
      ...common,
    ]);
    expect(second.code).toBe(ExitCode.OK);
    expect([...first.out.split('\n').filter((l) => l !== ''), ...values(second.out)].sort()).toEqual([
      'late-1',
      'late-2',
      'late-3',
    ]);
  });

  it('an unknown group is exit 1 with GROUP_ID_NOT_FOUND', async () => {
    const run = await sluiceCli(['share', 'describe', 'nobody', ...common]);
    expect(run.code).toBe(ExitCode.FAILURE);
    expect(run.err).toContain('GROUP_ID_NOT_FOUND');
    expect(run.out).toBe('');
  });
});
