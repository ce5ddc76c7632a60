/**
 * `sluice share`, pure parts: records print as `sluice consume` prints them (--json adds the
 * delivery count), the describe and list tables, lag = log end - share start offset, and the
 * flag checks of `share consume` (usage errors, exit 2, before any connection).
 */
import type { ShareConsumerRecord, ShareGroupDescription } from '@sluice/client';
import { ExitCode, runCli } from '@sluice/cli';
import { formatRecord } from '../src/consume-command';
import { UsageError } from '../src/exit-codes';
import { shareConsumePlan } from '../src/share-consume-command';
import {
  formatShareDescription,
  formatShareList,
  formatShareRecord,
  shareDescriptionJson,
  sharePartitionLags,
} from '../src/share-format';

const record: ShareConsumerRecord = {
  topic: 'tasks',
  partition: 1,
  offset: 7,
  timestamp: 1_700_000_000_000,
  timestampType: 'CreateTime',
  leaderEpoch: 0,
  key: Buffer.from('k'),
  value: Buffer.from([0xff, 0x00, 0x41]),
  headers: [{ key: 'h', value: Buffer.from('v') }],
  deliveryCount: 2,
};

const connection = { connectTimeout: '10000' };

async function sluice(argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

describe('share record format', () => {
  it("prints as sluice consume does; --json adds deliveryCount to consume's fields", () => {
    for (const base64 of [false, true]) {
      expect(formatShareRecord(record, { json: false, printKey: true, base64 })).toBe(
        formatRecord(record, { json: false, printKey: true, base64 }),
      );
      expect(formatShareRecord(record, { json: false, printKey: false, base64 })).toBe(
        formatRecord(record, { json: false, printKey: false, base64 }),
      );
      const line = formatShareRecord(record, { json: true, printKey: false, base64 });
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toEqual({
        ...JSON.parse(formatRecord(record, { json: true, printKey: false, base64 })),
        deliveryCount: 2,
      });
    }
    expect(JSON.parse(formatShareRecord(record, { json: true, printKey: false, base64: true })).value).toBe('/wBB');
    expect(
      formatShareRecord({ ...record, key: null, value: null }, { json: false, printKey: true, base64: false }),
    ).toBe('null\tnull\n');
  });
});

describe('share describe and list format', () => {
  const group: ShareGroupDescription = {
    groupId: 'crew',
    state: 'STABLE',
    groupEpoch: 4,
    assignmentEpoch: 4,
    members: [
      {
        memberId: 'member-a',
        clientId: 'sluice-share-consume',
        memberEpoch: 4,
        subscribedTopicNames: ['tasks'],
        assigned: [
          { topic: 'tasks', partition: 0 },
          { topic: 'tasks', partition: 1 },
        ],
      },
      { memberId: 'member-b', clientId: 'other', memberEpoch: 3, subscribedTopicNames: ['tasks'], assigned: [] },
    ],
  };

  it('computes lag as log end - start offset, unknown (null) when either is', () => {
    const lags = sharePartitionLags(
      [
        { topic: 'tasks', partition: 0, startOffset: 10 },
        { topic: 'tasks', partition: 1, startOffset: null },
        { topic: 'gone', partition: 0, startOffset: 5 },
        { topic: 'tasks', partition: 2, startOffset: 30 },
      ],
      new Map([
        ['tasks\u00000', 25],
        ['tasks\u00001', 8],
        ['tasks\u00002', 30],
      ]),
    );
    expect(lags).toEqual([
      { topic: 'tasks', partition: 0, startOffset: 10, logEndOffset: 25, lag: 15 },
      { topic: 'tasks', partition: 1, startOffset: null, logEndOffset: 8, lag: null },
      { topic: 'gone', partition: 0, startOffset: 5, logEndOffset: null, lag: null },
      { topic: 'tasks', partition: 2, startOffset: 30, logEndOffset: 30, lag: 0 },
    ]);
  });

  it('prints the header, the members and the partitions as tables', () => {
    const lags = sharePartitionLags(
      [
        { topic: 'tasks', partition: 0, startOffset: 10 },
        { topic: 'tasks', partition: 1, startOffset: null },
      ],
      new Map([
        ['tasks\u00000', 25],
        ['tasks\u00001', 8],
      ]),
    );
    expect(formatShareDescription(group, lags)).toBe(
      [
        'Group: crew\tState: STABLE\tGroupEpoch: 4\tAssignmentEpoch: 4\tMembers: 2',
        '',
        'MEMBER-ID  CLIENT-ID             EPOCH  SUBSCRIPTION  ASSIGNED',
        'member-a   sluice-share-consume  4      tasks         tasks:0,1',
        'member-b   other                 3      tasks         -',
        '',
        'TOPIC  PARTITION  START-OFFSET  LOG-END-OFFSET  LAG',
        'tasks  0          10            25              15',
        'tasks  1          -             8               -',
        '',
      ].join('\n'),
    );
    expect(formatShareDescription({ ...group, state: 'EMPTY', members: [] }, [])).toContain(
      'The group has no active members.\n\nNo assigned partitions',
    );
    expect(shareDescriptionJson(group, lags)).toEqual({
      group: 'crew',
      state: 'STABLE',
      groupEpoch: 4,
      assignmentEpoch: 4,
      members: group.members,
      partitions: lags,
    });
  });

  it('lists groups as a table, nothing for none', () => {
    expect(formatShareList([{ groupId: 'crew', state: 'STABLE', members: 2 }])).toBe(
      'GROUP  STATE   MEMBERS\ncrew   STABLE  2\n',
    );
    expect(formatShareList([])).toBe('');
  });
});

describe('share consume flags', () => {
  it('makes a plan of valid flags', () => {
    expect(
      shareConsumePlan('tasks', { ...connection, group: 'crew', count: '5', timeoutMs: '3000', json: true }),
    ).toEqual({ topic: 'tasks', group: 'crew', count: 5, timeoutMs: 3000, json: true, printKey: false, base64: false });
    expect(shareConsumePlan('tasks', { ...connection, group: 'crew', printKey: true, base64: true })).toEqual({
      topic: 'tasks',
      group: 'crew',
      json: false,
      printKey: true,
      base64: true,
    });
  });

  it('refuses bad values as usage errors', () => {
    expect(() => shareConsumePlan('tasks', { ...connection, group: ' ' })).toThrow(UsageError);
    expect(() => shareConsumePlan('tasks', { ...connection })).toThrow(/--group/);
    expect(() => shareConsumePlan('tasks', { ...connection, group: 'g', count: '0' })).toThrow(
      /--count must be a positive integer/,
    );
    expect(() => shareConsumePlan('tasks', { ...connection, group: 'g', timeoutMs: 'soon' })).toThrow(/--timeout-ms/);
  });

  it('exits 2 on the command line before connecting: missing --group, bad --count, unknown flag', async () => {
    const missing = await sluice([
      'share',
      'consume',
      'tasks',
      '--bootstrap',
      '127.0.0.1:1',
      '--coordinators',
      '127.0.0.1:1',
    ]);
    expect(missing.code).toBe(ExitCode.USAGE);
    expect(missing.err).toContain("required option '--group <id>' not specified");
    const badCount = await sluice([
      'share',
      'consume',
      'tasks',
      '--group',
      'g',
      '--count',
      '-1',
      '--bootstrap',
      '127.0.0.1:1',
      '--coordinators',
      '127.0.0.1:1',
    ]);
    expect(badCount.code).toBe(ExitCode.USAGE);
    expect(badCount.err).toContain('--count must be a positive integer');
    const unknown = await sluice(['share', 'consume', 'tasks', '--group', 'g', '--reject']);
    expect(unknown.code).toBe(ExitCode.USAGE);
    const help = await sluice(['share', '--help']);
    expect(help.code).toBe(ExitCode.OK);
    expect(help.out).toMatch(/consume[\s\S]*list[\s\S]*describe/);
  });
});
