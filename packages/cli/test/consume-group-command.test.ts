/**
 * `sluice consume --group` against real processes: one controller, three brokers and their
 * three coordinators. A group member prints from the beginning and commits what it printed; the
 * next member of the same group starts after it; flags that contradict a group are usage errors.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ExitCode, runCli } from '@sluice/cli';
import { LocalCluster, type LocalRole } from '@sluice/local-cluster';

jest.setTimeout(90_000);

async function sluice(argv: string[], stdin?: string): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    ...(stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }),
  });
  return { code, out, err };
}

describe('sluice consume --group', () => {
  let cluster: LocalCluster;
  let controllers: LocalRole;
  let coordinators: LocalRole;
  let common: string[];

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-cli-group-')),
      roles: {
        controller: { count: 1 },
        broker: { config: { 'broker.heartbeat.interval.ms': 200 } },
        coordinator: { config: { 'offsets.topic.num.partitions': 3, 'group.consumer.heartbeat.interval.ms': 300 } },
      },
    });
    ({ controllers, coordinators } = cluster);
    common = ['--bootstrap', controllers.addresses().join(','), '--coordinators', coordinators.addresses().join(',')];
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  it('prints from the beginning once, commits, and the next member goes on from there', async () => {
    expect(
      (
        await sluice([
          'topic',
          'create',
          'jobs',
          '--partitions',
          '3',
          '--replication-factor',
          '3',
          '--bootstrap',
          controllers.addresses().join(','),
        ])
      ).code,
    ).toBe(ExitCode.OK);
    const lines = Array.from({ length: 30 }, (_, i) => `job-${i}`);
    const produced = await sluice(
      ['produce', 'jobs', '--bootstrap', controllers.addresses().join(',')],
      `${lines.join('\n')}\n`,
    );
    expect(produced.code).toBe(ExitCode.OK);

    const first = await sluice([
      'consume',
      'jobs',
      '--group',
      'printers',
      '--from-beginning',
      '--count',
      '30',
      '--timeout-ms',
      '30000',
      ...common,
    ]);
    expect(first.code).toBe(ExitCode.OK);
    expect(first.out.trim().split('\n').sort()).toEqual([...lines].sort());

    // Same group again: everything is committed, nothing to print.
    const again = await sluice([
      'consume',
      'jobs',
      '--group',
      'printers',
      '--from-beginning',
      '--timeout-ms',
      '3000',
      ...common,
    ]);
    expect(again.code).toBe(ExitCode.OK);
    expect(again.out).toBe('');

    // New records: the group's next member prints only those (--from-beginning matters only for
    // partitions the group never committed, as with kafka-console-consumer).
    expect(
      (await sluice(['produce', 'jobs', '--bootstrap', controllers.addresses().join(',')], 'late-1\nlate-2\n')).code,
    ).toBe(ExitCode.OK);
    const later = await sluice([
      'consume',
      'jobs',
      '--group',
      'printers',
      '--from-beginning',
      '--count',
      '2',
      '--timeout-ms',
      '30000',
      ...common,
    ]);
    expect(later.out.trim().split('\n').sort()).toEqual(['late-1', 'late-2']);
  });

  it('refuses flags that contradict a group (exit 2)', async () => {
    for (const extra of [
      ['--partition', '0'],
      ['--offset', '3'],
      ['--from-time', '1h'],
    ]) {
      const run = await sluice(['consume', 'jobs', '--group', 'g', ...extra, ...common]);
      expect(run.code).toBe(ExitCode.USAGE);
      expect(run.err).toContain('--group');
    }
  });
});
