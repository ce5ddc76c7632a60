import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, runCli } from '@sluice/cli';
import { freePort, sleep } from '@sluice/local-cluster';
import { startTestCluster } from '../../client/test/support/controller-cluster';
import type { QuorumLeader, TestCluster } from '../../client/test/support/controller-cluster';

jest.setTimeout(30_000);

interface Run {
  code: ExitCode;
  out: string;
  err: string;
}

async function sluice(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

describe('sluice topic / cluster describe against a real 3-controller quorum', () => {
  let cluster: TestCluster;
  let bootstrap: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    // Followers first: the CLI must follow NOT_CONTROLLER to the leader.
    bootstrap = cluster.followers.join(',');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('creates, lists, describes, alters and deletes a topic', async () => {
    const created = await sluice(
      'topic',
      'create',
      'clicks',
      '--partitions',
      '3',
      '--replication-factor',
      '3',
      '--config',
      'retention.ms=60000',
      '--config',
      'cleanup.policy=delete',
      '--bootstrap',
      bootstrap,
    );
    expect(created.err).toBe('');
    expect(created.code).toBe(ExitCode.OK);
    expect(created.out).toMatch(
      /^Created topic clicks \(TopicId: [A-Za-z0-9_-]{22}, PartitionCount: 3, ReplicationFactor: 3\)\.\n$/,
    );

    expect(
      await sluice(
        'topic',
        'create',
        'views',
        '--partitions',
        '1',
        '--replication-factor',
        '1',
        '--bootstrap',
        bootstrap,
      ),
    ).toMatchObject({ code: ExitCode.OK });
    expect(await sluice('topic', 'list', '--bootstrap', bootstrap)).toEqual({
      code: ExitCode.OK,
      out: 'clicks\nviews\n',
      err: '',
    });

    const described = await sluice('topic', 'describe', 'clicks', '--bootstrap', bootstrap);
    expect(described.code).toBe(ExitCode.OK);
    const lines = described.out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      /^Topic: clicks\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: cleanup\.policy=delete,retention\.ms=60000$/,
    );
    for (const [i, line] of lines.slice(1).entries()) {
      const match = /^\tTopic: clicks\tPartition: (\d)\tLeader: (\d)\tReplicas: (\d,\d,\d)\tIsr: (\d,\d,\d)$/.exec(
        line,
      );
      expect(match).not.toBeNull();
      expect(Number(match?.[1])).toBe(i);
      expect(match?.[3]?.split(',').sort()).toEqual(['1', '2', '3']);
      expect(match?.[4]?.split(',').sort()).toEqual(['1', '2', '3']);
    }

    const altered = await sluice(
      'topic',
      'alter-config',
      'clicks',
      '--set',
      'max.message.bytes=2048',
      '--set',
      'cleanup.policy=compact,delete',
      '--delete',
      'retention.ms',
      '--bootstrap',
      bootstrap,
    );
    expect(altered).toEqual({
      code: ExitCode.OK,
      out: 'Altered configs of topic clicks: max.message.bytes=2048, cleanup.policy=compact,delete, -retention.ms.\n',
      err: '',
    });

    expect(await sluice('topic', 'alter', 'clicks', '--partitions', '4', '--bootstrap', bootstrap)).toEqual({
      code: ExitCode.OK,
      out: 'Topic clicks now has 4 partitions.\n',
      err: '',
    });
    const shrink = await sluice('topic', 'alter', 'clicks', '--partitions', '2', '--bootstrap', bootstrap);
    expect(shrink.code).toBe(ExitCode.FAILURE);
    expect(shrink.err).toMatch(/^error: INVALID_PARTITIONS: /);

    const json = await sluice('topic', 'describe', 'clicks', '--json', '--bootstrap', bootstrap);
    expect(json.code).toBe(ExitCode.OK);
    const doc = JSON.parse(json.out) as {
      name: string;
      partitionCount: number;
      replicationFactor: number;
      configs: Record<string, string>;
      partitions: { partition: number; leader: number; isr: number[] }[];
    };
    expect(doc).toMatchObject({
      name: 'clicks',
      partitionCount: 4,
      replicationFactor: 3,
      configs: { 'cleanup.policy': 'compact,delete', 'max.message.bytes': '2048' },
    });
    expect(Object.keys(doc.configs)).toHaveLength(2);
    expect(doc.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);

    // Without a name: every topic, each with its partition lines.
    const all = await sluice('topic', 'describe', '--bootstrap', bootstrap);
    expect(all.code).toBe(ExitCode.OK);
    expect(
      all.out
        .split('\n')
        .filter((line) => line.startsWith('Topic: '))
        .map((line) => line.split('\t')[0]),
    ).toEqual(['Topic: clicks', 'Topic: views']);
    expect(all.out.match(/\tPartition: /g)).toHaveLength(5);

    expect(await sluice('topic', 'delete', 'views', '--bootstrap', bootstrap)).toEqual({
      code: ExitCode.OK,
      out: 'Deleted topic views.\n',
      err: '',
    });
    expect((await sluice('topic', 'list', '--bootstrap', bootstrap)).out).toBe('clicks\n');
  });

  it('describes the cluster in text and JSON', async () => {
    // The output names the active controller, which an election under load can replace at any
    // time (the leader from start-up may be long gone). So each command's output is compared with
    // the leader and term the quorum reported just before and just after it; a run during which
    // they changed proves nothing and is repeated, within a bound.
    const deadline = Date.now() + 20_000;
    const underOneLeader = async (...argv: string[]): Promise<{ run: Run; leader: QuorumLeader }> => {
      for (;;) {
        const before = await cluster.currentLeader();
        const run = await sluice(...argv);
        const after = await cluster.currentLeader();
        if (before !== null && before.leaderId === after?.leaderId && before.term === after.term)
          return { run, leader: before };
        if (Date.now() > deadline)
          throw new Error(`no controller leader held still around \`sluice ${argv.join(' ')}\` within 20 s`);
        await sleep(200);
      }
    };

    const { run: text, leader } = await underOneLeader('cluster', 'describe', '--bootstrap', bootstrap);
    expect(text.err).toBe('');
    expect(text.code).toBe(ExitCode.OK);
    expect(text.out).toContain(`ClusterId: ${cluster.clusterId}\n`);
    expect(text.out).toContain(
      `Controller: ${leader.leaderId} at ${cluster.controllers.address(leader.leaderId)}\tTerm: ${leader.term}\t`,
    );
    expect(text.out).toContain(
      `Controllers: ${[1, 2, 3].map((id) => `${id}@${cluster.controllers.address(id)}`).join(',')}\n`,
    );
    expect(text.out).toContain('Brokers: 3\n');
    expect(text.out).toContain('\tBroker: 2\tEpoch: ');
    expect(text.out.match(/State: unfenced\tRack: none\tListeners: PLAINTEXT:\/\/127\.0\.0\.1:1909\d/g)).toHaveLength(
      3,
    );

    const { run: json, leader: jsonLeader } = await underOneLeader(
      'cluster',
      'describe',
      '--json',
      '--bootstrap',
      bootstrap,
    );
    const doc = JSON.parse(json.out) as {
      clusterId: string;
      controllerId: number;
      raftTerm: number;
      brokers: { brokerId: number; fenced: boolean }[];
    };
    expect(doc.clusterId).toBe(cluster.clusterId);
    expect(doc.controllerId).toBe(jsonLeader.leaderId);
    expect(doc.raftTerm).toBe(jsonLeader.term);
    expect(doc.brokers.map((b) => b.brokerId)).toEqual([1, 2, 3]);
  });

  it('fails with exit 1 and a named error for unknown topics and rejected requests', async () => {
    for (const argv of [
      ['topic', 'describe', 'ghost'],
      ['topic', 'delete', 'ghost'],
      ['topic', 'alter-config', 'ghost', '--set', 'retention.ms=1'],
      ['topic', 'alter', 'ghost', '--partitions', '3'],
    ]) {
      expect(await sluice(...argv, '--bootstrap', bootstrap)).toEqual({
        code: ExitCode.FAILURE,
        out: '',
        err: "error: UNKNOWN_TOPIC_OR_PARTITION: topic 'ghost' does not exist\n",
      });
    }
    const duplicate = await sluice('topic', 'create', 'clicks', '--bootstrap', bootstrap);
    expect(duplicate.code).toBe(ExitCode.FAILURE);
    expect(duplicate.err).toMatch(/^error: TOPIC_ALREADY_EXISTS: .*clicks/);
    const tooWide = await sluice('topic', 'create', 'wide', '--replication-factor', '5', '--bootstrap', bootstrap);
    expect(tooWide.code).toBe(ExitCode.FAILURE);
    expect(tooWide.err).toMatch(/^error: INVALID_REPLICATION_FACTOR: /);
  });

  it('uses the bootstrap file `cluster up` writes when no --bootstrap is given', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sluice-state-'));
    const saved = { dir: process.env.SLUICE_CLUSTER_STATE_DIR, bootstrap: process.env.SLUICE_BOOTSTRAP };
    try {
      delete process.env.SLUICE_BOOTSTRAP;
      process.env.SLUICE_CLUSTER_STATE_DIR = stateDir;
      const missing = await sluice('topic', 'list');
      expect(missing.code).toBe(ExitCode.FAILURE);
      expect(missing.err).toContain('no local cluster is running');
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(join(stateDir, 'bootstrap'), `${bootstrap}\n`);
      expect(await sluice('topic', 'list')).toEqual({ code: ExitCode.OK, out: 'clicks\n', err: '' });
    } finally {
      if (saved.dir === undefined) delete process.env.SLUICE_CLUSTER_STATE_DIR;
      else process.env.SLUICE_CLUSTER_STATE_DIR = saved.dir;
      if (saved.bootstrap !== undefined) process.env.SLUICE_BOOTSTRAP = saved.bootstrap;
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('sluice topic without a cluster, and usage errors', () => {
  it('exits 1 with "no controller reachable" within the timeout', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const run = await sluice('topic', 'list', '--bootstrap', dead, '--timeout', '1000');
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(run.code).toBe(ExitCode.FAILURE);
    expect(run.out).toBe('');
    expect(run.err).toBe(
      `error: no controller reachable at ${dead} within 1000 ms (last error: NETWORK_EXCEPTION: connect ECONNREFUSED ${dead})\n`,
    );
    const described = await sluice('cluster', 'describe', '--bootstrap', dead, '--timeout', '500');
    expect(described.code).toBe(ExitCode.FAILURE);
    expect(described.err).toContain(`no controller reachable at ${dead}`);
  });

  it('exits 2 for usage mistakes before contacting anything', async () => {
    const cases: [string[], string][] = [
      [['topic', 'create'], "missing required argument 'name'"],
      [
        ['topic', 'create', 'x', '--partitions', 'zero', '--bootstrap', '127.0.0.1:1'],
        '--partitions must be a positive integer',
      ],
      [['topic', 'create', 'x', '--config', 'novalue', '--bootstrap', '127.0.0.1:1'], '--config expects key=value'],
      [['topic', 'alter-config', 'x', '--bootstrap', '127.0.0.1:1'], 'at least one --set'],
      [['topic', 'alter', 'x', '--bootstrap', '127.0.0.1:1'], "required option '--partitions <n>' not specified"],
      [['topic', 'list', '--bootstrap', 'nohostport'], 'bad bootstrap address'],
      [['topic', 'list', '--bootstrap', '127.0.0.1:1', '--timeout', '-5'], '--timeout must be'],
      [['topic', 'frobnicate'], "unknown command 'frobnicate'"],
      [['cluster', 'describe', '--bogus'], "unknown option '--bogus'"],
    ];
    for (const [argv, message] of cases) {
      const run = await sluice(...argv);
      expect({ argv, code: run.code }).toEqual({ argv, code: ExitCode.USAGE });
      expect(run.err).toContain(message);
    }
  });
});
