/**
 * `sluice log-dirs describe`, pure parts: kafka-log-dirs.sh's JSON document, the text table, and
 * the flag checks (usage errors, exit 2, before any connection).
 */
import type { BrokerLogDirs } from '@sluice/client';
import { ExitCode, runCli } from '@sluice/cli';
import { ApiError } from '@sluice/protocol';
import { formatLogDirs, kafkaLogDirsJson } from '../src/log-dirs-command';

const ANSWERS: BrokerLogDirs[] = [
  {
    brokerId: 1,
    logDirs: [
      {
        path: '/data/1',
        totalBytes: 1_000_000,
        usableBytes: 400_000,
        partitions: [
          { topic: 'orders', partition: 0, sizeBytes: 1_234, offsetLag: 0, isFuture: false },
          { topic: 'orders', partition: 1, sizeBytes: 66, offsetLag: 3, isFuture: false },
        ],
      },
    ],
  },
  {
    brokerId: 2,
    logDirs: [
      {
        path: '/data/2',
        error: new ApiError('KAFKA_STORAGE_ERROR', 'log directory /data/2 is offline'),
        totalBytes: -1,
        usableBytes: -1,
        partitions: [],
      },
    ],
  },
  { brokerId: 3, logDirs: [], error: new ApiError('BROKER_NOT_AVAILABLE', 'broker 3 is not registered') },
];

async function sluice(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

describe('sluice log-dirs describe (kafka-log-dirs.sh)', () => {
  it("prints kafka-log-dirs.sh's version 1 document: <topic>-<partition>, size, offsetLag, isFuture, error by name", () => {
    expect(kafkaLogDirsJson(ANSWERS)).toEqual({
      version: 1,
      brokers: [
        {
          broker: 1,
          logDirs: [
            {
              logDir: '/data/1',
              error: null,
              partitions: [
                { partition: 'orders-0', size: 1_234, offsetLag: 0, isFuture: false },
                { partition: 'orders-1', size: 66, offsetLag: 3, isFuture: false },
              ],
            },
          ],
        },
        { broker: 2, logDirs: [{ logDir: '/data/2', error: 'KAFKA_STORAGE_ERROR', partitions: [] }] },
      ],
    });
  });

  it('prints one line per log directory (with its totals) and one per replica, errors by name', () => {
    expect(formatLogDirs(ANSWERS).split('\n')).toEqual([
      'Broker: 1\tLogDir: /data/1\tTotalBytes: 1000000\tUsableBytes: 400000\tPartitions: 2\tSizeBytes: 1300',
      '\tTopic: orders\tPartition: 0\tSizeBytes: 1234\tOffsetLag: 0\tIsFuture: false',
      '\tTopic: orders\tPartition: 1\tSizeBytes: 66\tOffsetLag: 3\tIsFuture: false',
      'Broker: 2\tLogDir: /data/2\tTotalBytes: -1\tUsableBytes: -1\tPartitions: 0\tSizeBytes: 0\tError: KAFKA_STORAGE_ERROR',
      'Broker: 3\tError: BROKER_NOT_AVAILABLE',
      '',
    ]);
    expect(formatLogDirs([])).toBe('');
  });

  it('refuses a bad --broker or an empty --topic as a usage error before connecting', async () => {
    // An address nothing listens on: a usage error must come before any connection is tried.
    const bootstrap = ['--bootstrap', '127.0.0.1:1', '--timeout', '200'];
    for (const argv of [
      ['--broker', 'one'],
      ['--broker', '1,-2'],
      ['--topic', 'orders,'],
    ]) {
      const run = await sluice('log-dirs', 'describe', ...argv, ...bootstrap);
      expect(run.code).toBe(ExitCode.USAGE);
      expect(run.err).toMatch(/^error: --(broker|topic) /);
    }
  });
});
