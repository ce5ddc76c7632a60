/**
 * `sluice produce` and `sluice consume` in-process (runCli) against real processes on loopback:
 * one controller and three brokers, OS-chosen ports. The CLI is given the controller address
 * only, as a user would; it finds the brokers through DescribeCluster.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { ExitCode, runCli } from '@sluice/cli';
import type { Admin } from '@sluice/client';
import { LocalCluster, freePort } from '@sluice/local-cluster';
import { parseFromTime } from '../src/consume-command';
import { LatencyHistogram } from '../src/latency';
import { readLines } from '../src/produce-command';

jest.setTimeout(60_000);

interface Run {
  code: ExitCode;
  out: string;
  err: string;
}

interface RunOptions {
  /** stdin text, delivered in chunks of `chunkBytes` bytes (splitting lines and UTF-8 characters). */
  readonly stdin?: string | AsyncIterable<Buffer>;
  readonly chunkBytes?: number;
  readonly signal?: AbortSignal;
}

function chunks(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return parts;
}

async function sluice(argv: string[], options: RunOptions = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    ...(options.stdin === undefined
      ? {}
      : {
          stdin:
            typeof options.stdin === 'string'
              ? Readable.from(chunks(options.stdin, options.chunkBytes ?? 7))
              : options.stdin,
        }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { code, out, err };
}

interface JsonRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

function jsonLines(text: string): JsonRecord[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JsonRecord);
}

/** Runs dist/main.js as a real process (its stdin a pipe), as a shell user would. */
function spawnSluice(argv: string[], stdin: string): Promise<Run> {
  const main = join(__dirname, '..', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} missing: run tsc -b first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (data: Buffer) => void (out += data.toString('utf8')));
    child.stderr.on('data', (data: Buffer) => void (err += data.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: (code ?? -1) as ExitCode, out, err });
    });
    child.stdin.end(stdin);
  });
}

describe('sluice produce / consume against one controller and three brokers', () => {
  let cluster: LocalCluster;
  let admin: Admin;
  let bootstrap: string;

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-cli-produce-')),
      roles: {
        controller: { count: 1 },
        broker: { config: { 'broker.heartbeat.interval.ms': 200 } },
        coordinator: { count: 0 },
      },
    });
    bootstrap = cluster.controllers.addresses().join(',');
    admin = cluster.admin;
    for (const name of ['lines', 'gen', 'parts'])
      await admin.createTopic({ name, numPartitions: 3, replicationFactor: 3 });
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  it('produces stdin lines with keys and consumes them back from the beginning as JSON', async () => {
    const input: { key: string; value: string }[] = [];
    for (let i = 0; i < 300; i++) input.push({ key: `k${i % 7}`, value: `v${i}` });
    input.push({ key: 'ünï', value: 'välue ✓' }, { key: 'empty', value: '' }, { key: 'a', value: 'b:c' });
    const text = `${input.map((r) => `${r.key}:${r.value}`).join('\n')}\r\n`;

    const produced = await sluice(
      ['produce', 'lines', '--key-separator', ':', '--linger-ms', '2', '--bootstrap', bootstrap],
      { stdin: text },
    );
    expect(produced.out).toBe('');
    expect(produced.code).toBe(ExitCode.OK);
    expect(produced.err).toMatch(
      /^Produced 303 records \(\d+ bytes\) to lines in [\d.]+ s: [\d.]+ records\/s, [\d.]+ MB\/s; send-to-ack latency p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms\n$/,
    );
    const bytes = input.reduce((sum, r) => sum + Buffer.byteLength(r.key) + Buffer.byteLength(r.value), 0);
    expect(produced.err).toContain(`(${bytes} bytes)`);

    const consumed = await sluice([
      'consume',
      'lines',
      '--from-beginning',
      '--count',
      '303',
      '--json',
      '--bootstrap',
      bootstrap,
    ]);
    expect(consumed.code).toBe(ExitCode.OK);
    expect(consumed.err).toBe('Processed a total of 303 records\n');
    const records = jsonLines(consumed.out);
    expect(records).toHaveLength(303);
    expect(Object.keys(records[0] as object)).toEqual(['partition', 'offset', 'timestamp', 'key', 'value', 'headers']);
    const sortKey = (r: { key: string | null; value: string | null }): string => `${r.key}\u0000${r.value}`;
    expect(records.map(sortKey).sort()).toEqual(input.map(sortKey).sort());
    // Same key, same partition: each key's values come back in the order they were written.
    for (const key of ['k0', 'k3'])
      expect(records.filter((r) => r.key === key).map((r) => r.value)).toEqual(
        input.filter((r) => r.key === key).map((r) => r.value),
      );
    expect(records.every((r) => r.headers.length === 0 && r.timestamp > Date.now() - 120_000)).toBe(true);

    // A fixed --key and headers, printed back with --print-key; --base64 for binary-safe output.
    const fixed = await sluice(
      [
        'produce',
        'lines',
        '--key',
        'fixed',
        '--partition',
        '2',
        '--header',
        'source=cli',
        '--header',
        'n=',
        '--bootstrap',
        bootstrap,
      ],
      { stdin: 'one\ntwo' },
    );
    expect(fixed.code).toBe(ExitCode.OK);
    const partition2 = jsonLines(
      (
        await sluice([
          'consume',
          'lines',
          '--partition',
          '2',
          '--from-beginning',
          '--timeout-ms',
          '1000',
          '--json',
          '--bootstrap',
          bootstrap,
        ])
      ).out,
    );
    const tail = partition2.slice(-2);
    expect(tail.map((r) => [r.key, r.value])).toEqual([
      ['fixed', 'one'],
      ['fixed', 'two'],
    ]);
    expect(tail[1]?.headers).toEqual([
      { key: 'source', value: 'cli' },
      { key: 'n', value: '' },
    ]);
    const printed = await sluice([
      'consume',
      'lines',
      '--partition',
      '2',
      '--offset',
      String(tail[0]?.offset),
      '--count',
      '2',
      '--print-key',
      '--bootstrap',
      bootstrap,
    ]);
    expect(printed.out).toBe('fixed\tone\nfixed\ttwo\n');
    const b64 = jsonLines(
      (
        await sluice([
          'consume',
          'lines',
          '--partition',
          '2',
          '--offset',
          String(tail[0]?.offset),
          '--count',
          '1',
          '--json',
          '--base64',
          '--bootstrap',
          bootstrap,
        ])
      ).out,
    );
    expect(b64[0]).toMatchObject({
      key: Buffer.from('fixed').toString('base64'),
      value: Buffer.from('one').toString('base64'),
      headers: [
        { key: 'source', value: Buffer.from('cli').toString('base64') },
        { key: 'n', value: '' },
      ],
    });
  });

  it('produces generated records with a summary, as text on stderr or JSON on stdout', async () => {
    const text = await sluice([
      'produce',
      'gen',
      '--count',
      '2000',
      '--size',
      '50',
      '--compression',
      'lz4',
      '--bootstrap',
      bootstrap,
    ]);
    expect(text.code).toBe(ExitCode.OK);
    expect(text.out).toBe('');
    expect(text.err).toMatch(
      /^Produced 2000 records \(100000 bytes\) to gen in [\d.]+ s: [\d.]+ records\/s, [\d.]+ MB\/s; send-to-ack latency p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms\n$/,
    );

    const json = await sluice([
      'produce',
      'gen',
      '--count',
      '1000',
      '--size',
      '20',
      '--acks',
      '1',
      '--json',
      '--bootstrap',
      bootstrap,
    ]);
    expect(json.code).toBe(ExitCode.OK);
    expect(json.err).toBe('');
    const summary = JSON.parse(json.out) as Record<string, unknown> & {
      latencyMs: { p50: number; p99: number; max: number };
      seconds: number;
      recordsPerSec: number;
    };
    expect(summary).toMatchObject({
      topic: 'gen',
      records: 1000,
      bytes: 20_000,
      failed: 0,
      acks: '1',
      compression: 'none',
      interrupted: false,
    });
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary.recordsPerSec).toBeGreaterThan(0);
    expect(summary.latencyMs.p50).toBeGreaterThan(0);
    expect(summary.latencyMs.p99).toBeGreaterThanOrEqual(summary.latencyMs.p50);
    expect(summary.latencyMs.max).toBeGreaterThanOrEqual(summary.latencyMs.p99);

    // --progress: a line on stderr every 0.5 s while the run lasts (here: stdin that pauses), then the summary.
    async function* slowInput(): AsyncGenerator<Buffer> {
      yield Buffer.from('first\n');
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      yield Buffer.from('second\n');
    }
    const progressed = await sluice(['produce', 'gen', '--progress', '--bootstrap', bootstrap], { stdin: slowInput() });
    expect(progressed.code).toBe(ExitCode.OK);
    const progressLines = progressed.err.trimEnd().split('\n');
    expect(progressLines.length).toBeGreaterThanOrEqual(2);
    for (const line of progressLines.slice(0, -1))
      expect(line).toMatch(/^\d+ records acked \(0\.0 MB\) in [\d.]+ s, \d+ records\/s, [\d.]+ MB\/s$/);
    expect(progressLines.at(-1)).toMatch(/^Produced 2 records \(11 bytes\) to gen in /);

    const consumed = jsonLines(
      (await sluice(['consume', 'gen', '--from-beginning', '--count', '3002', '--json', '--bootstrap', bootstrap])).out,
    );
    expect(consumed).toHaveLength(3002);
    expect(consumed.every((r) => r.key === null)).toBe(true);
    expect(consumed.filter((r) => r.value?.length === 50)).toHaveLength(2000);
    expect(consumed.filter((r) => r.value?.length === 20)).toHaveLength(1000);
  });

  it('starts where --offset, --partition and --from-time say, at the end by default, and stops on abort', async () => {
    const round = async (label: string, count: number): Promise<void> => {
      for (const partition of [0, 1, 2]) {
        const lines = Array.from({ length: count }, (_, i) => `p${partition}-${label}${i}`).join('\n');
        const run = await sluice(['produce', 'parts', '--partition', String(partition), '--bootstrap', bootstrap], {
          stdin: lines,
        });
        expect(run.code).toBe(ExitCode.OK);
      }
    };
    await round('', 10);
    const between = Date.now() + 1;
    await new Promise((resolve) => setTimeout(resolve, 30));
    await round('late', 5);

    const offset = await sluice([
      'consume',
      'parts',
      '--partition',
      '1',
      '--offset',
      '4',
      '--count',
      '3',
      '--bootstrap',
      bootstrap,
    ]);
    expect(offset).toEqual({ code: ExitCode.OK, out: 'p1-4\np1-5\np1-6\n', err: 'Processed a total of 3 records\n' });

    const everyPartition = await sluice([
      'consume',
      'parts',
      '--offset',
      '13',
      '--timeout-ms',
      '1000',
      '--bootstrap',
      bootstrap,
    ]);
    expect(everyPartition.code).toBe(ExitCode.OK);
    expect(everyPartition.out.trimEnd().split('\n').sort()).toEqual([
      'p0-late3',
      'p0-late4',
      'p1-late3',
      'p1-late4',
      'p2-late3',
      'p2-late4',
    ]);

    const fromTime = await sluice([
      'consume',
      'parts',
      '--from-time',
      new Date(between).toISOString(),
      '--timeout-ms',
      '1000',
      '--bootstrap',
      bootstrap,
    ]);
    expect(fromTime.code).toBe(ExitCode.OK);
    expect(fromTime.out.trimEnd().split('\n').sort()).toEqual(
      [0, 1, 2].flatMap((p) => [0, 1, 2, 3, 4].map((i) => `p${p}-late${i}`)),
    );
    const lastHour = await sluice([
      'consume',
      'parts',
      '--from-time',
      '1h',
      '--partition',
      '2',
      '--count',
      '15',
      '--bootstrap',
      bootstrap,
    ]);
    expect(lastHour.out.trimEnd().split('\n')).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `p2-${i}`),
      ...Array.from({ length: 5 }, (_, i) => `p2-late${i}`),
    ]);

    // Default start: the end (nothing old is printed); past the end: clamped to the end.
    expect(await sluice(['consume', 'parts', '--timeout-ms', '700', '--bootstrap', bootstrap])).toEqual({
      code: ExitCode.OK,
      out: '',
      err: 'Processed a total of 0 records\n',
    });
    expect(
      await sluice([
        'consume',
        'parts',
        '--partition',
        '0',
        '--offset',
        '1000',
        '--timeout-ms',
        '500',
        '--bootstrap',
        bootstrap,
      ]),
    ).toEqual({ code: ExitCode.OK, out: '', err: 'Processed a total of 0 records\n' });

    // No --count/--timeout-ms: runs until interrupted (SIGINT/SIGTERM, here the io's signal), then exits 0.
    const controller = new AbortController();
    const started = Date.now();
    const tailing = sluice(['consume', 'parts', '--from-beginning', '--bootstrap', bootstrap], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 1_500);
    const stopped = await tailing;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stopped.code).toBe(ExitCode.OK);
    expect(stopped.out.trimEnd().split('\n')).toHaveLength(45);
    expect(stopped.err).toBe('Processed a total of 45 records\n');
  });

  it('runs as a process: stdin lines piped in, records printed on stdout', async () => {
    await admin.createTopic({ name: 'piped', numPartitions: 1, replicationFactor: 3 });
    const produced = await spawnSluice(
      ['produce', 'piped', '--key-separator', '=', '--json', '--bootstrap', bootstrap],
      'p=1\nq=2\n',
    );
    expect(produced.err).toBe('');
    expect(produced.code).toBe(ExitCode.OK);
    expect(JSON.parse(produced.out)).toMatchObject({ topic: 'piped', records: 2, bytes: 4, failed: 0 });
    const consumed = await spawnSluice(
      ['consume', 'piped', '--from-beginning', '--count', '2', '--print-key', '--bootstrap', bootstrap],
      '',
    );
    expect(consumed).toEqual({ code: ExitCode.OK, out: 'p\t1\nq\t2\n', err: 'Processed a total of 2 records\n' });
  });

  it('fails with exit 1 and the error name for an unknown topic or partition and a bad stdin line', async () => {
    const ghost = "error: UNKNOWN_TOPIC_OR_PARTITION: topic 'ghost' does not exist\n";
    expect(await sluice(['produce', 'ghost', '--bootstrap', bootstrap], { stdin: 'x\n' })).toEqual({
      code: ExitCode.FAILURE,
      out: '',
      err: ghost,
    });
    expect(await sluice(['produce', 'ghost', '--count', '10', '--bootstrap', bootstrap])).toEqual({
      code: ExitCode.FAILURE,
      out: '',
      err: ghost,
    });
    expect(await sluice(['consume', 'ghost', '--from-beginning', '--bootstrap', bootstrap])).toEqual({
      code: ExitCode.FAILURE,
      out: '',
      err: ghost,
    });
    const noPartition = await sluice(['consume', 'parts', '--partition', '7', '--bootstrap', bootstrap]);
    expect(noPartition).toEqual({
      code: ExitCode.FAILURE,
      out: '',
      err: "error: UNKNOWN_TOPIC_OR_PARTITION: topic 'parts' has no partition 7 (it has 3)\n",
    });
    const badLine = await sluice(['produce', 'lines', '--key-separator', '=', '--bootstrap', bootstrap], {
      stdin: 'a=1\nb=2\nno separator\nc=3\n',
    });
    expect(badLine.code).toBe(ExitCode.FAILURE);
    expect(badLine.err).toMatch(
      /^Produced 2 records \(4 bytes\) to lines in .*\nerror: INVALID_RECORD: line 3 has no key separator "="\n$/,
    );
  });
});

describe('sluice produce / consume without a cluster, and usage errors', () => {
  it('exits 1 with "no controller reachable" within --connect-timeout', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    for (const argv of [
      ['produce', 'x', '--count', '1'],
      ['consume', 'x'],
    ]) {
      const started = Date.now();
      const run = await sluice([...argv, '--bootstrap', dead, '--connect-timeout', '800']);
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(run.code).toBe(ExitCode.FAILURE);
      expect(run.err).toBe(
        `error: no controller reachable at ${dead} within 800 ms (last error: NETWORK_EXCEPTION: connect ECONNREFUSED ${dead})\n`,
      );
    }
  });

  it('exits 2 for usage mistakes before contacting anything', async () => {
    const at = ['--bootstrap', '127.0.0.1:1'];
    const cases: [string[], string][] = [
      [['produce'], "missing required argument 'topic'"],
      [['produce', 't', '--acks', '2', ...at], '--acks must be 0, 1 or all'],
      [
        ['produce', 't', '--compression', 'brotli', ...at],
        '--compression must be one of none, gzip, snappy, lz4, zstd',
      ],
      [['produce', 't', '--count', '0', ...at], '--count must be a positive integer'],
      [['produce', 't', '--count', '10', '--size', '-1', ...at], '--size must be an integer from 0'],
      [['produce', 't', '--size', '10', ...at], '--size needs --count'],
      [['produce', 't', '--linger-ms', 'soon', ...at], '--linger-ms must be a non-negative integer'],
      [['produce', 't', '--batch-size', '0', ...at], '--batch-size must be an integer from 1'],
      [['produce', 't', '--key', 'k', '--key-separator', ':', ...at], '--key and --key-separator exclude each other'],
      [['produce', 't', '--header', 'novalue', ...at], '--header expects key=value'],
      [['produce', 't', '--count', '5', '--key-separator', ':', ...at], '--key-separator applies to stdin lines'],
      [
        ['produce', 't', '--count', '5', '--connect-timeout', '0', ...at],
        '--connect-timeout must be a positive integer',
      ],
      [['consume'], "missing required argument 'topic'"],
      [
        ['consume', 't', '--offset', '3', '--from-beginning', ...at],
        '--from-beginning and --offset exclude each other',
      ],
      [['consume', 't', '--from-time', '1h', '--offset', '3', ...at], '--offset and --from-time exclude each other'],
      [['consume', 't', '--offset', '-1', ...at], '--offset must be a non-negative integer'],
      [['consume', 't', '--from-time', 'yesterday', ...at], '--from-time must be a duration back from now'],
      [['consume', 't', '--from-time', '30', ...at], '--from-time must be a duration back from now'],
      [['consume', 't', '--partition', 'one', ...at], '--partition must be an integer from 0'],
      [['consume', 't', '--count', '1.5', ...at], '--count must be a positive integer'],
      [['consume', 't', '--timeout-ms', '0', ...at], '--timeout-ms must be a positive integer'],
      [['consume', 't', '--bogus', ...at], "unknown option '--bogus'"],
    ];
    for (const [argv, message] of cases) {
      const run = await sluice(argv);
      expect({ argv, code: run.code }).toEqual({ argv, code: ExitCode.USAGE });
      expect(run.err).toContain(message);
    }
  });

  it('parses --from-time durations and ISO-8601 times', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(parseFromTime('30m', now)).toBe(now - 30 * 60_000);
    expect(parseFromTime('24h', now)).toBe(now - 86_400_000);
    expect(parseFromTime('7d', now)).toBe(now - 7 * 86_400_000);
    expect(parseFromTime('1.5h', now)).toBe(now - 5_400_000);
    expect(parseFromTime('250ms', now)).toBe(now - 250);
    expect(parseFromTime('2026-11-23T10:00:00Z', now)).toBe(Date.parse('2026-11-23T10:00:00Z'));
    expect(parseFromTime('2026-11-23T10:00:00.500+02:00', now)).toBe(Date.parse('2026-11-23T08:00:00.500Z'));
    expect(parseFromTime('2026-11-23', now)).toBe(Date.parse('2026-11-23'));
    expect(() => parseFromTime('2026-13-45', now)).toThrow('--from-time');
  });

  it('splits stdin into lines across chunk boundaries without reading ahead', async () => {
    const read = async (parts: (string | Buffer)[]): Promise<string[]> => {
      const lines: string[] = [];
      for await (const line of readLines(Readable.from(parts))) lines.push(line.toString('utf8'));
      return lines;
    };
    expect(await read(['a\nb', 'c\r\n', '\n', 'last'])).toEqual(['a', 'bc', '', 'last']);
    expect(await read(['x\n'])).toEqual(['x']);
    expect(await read([])).toEqual([]);
    expect(await read(chunks('ünï\nvälue ✓\n', 1))).toEqual(['ünï', 'välue ✓']);
  });

  it('keeps latency percentiles within 1%', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(50)).toBe(0);
    for (let i = 1; i <= 1000; i++) histogram.record(i / 10);
    expect(histogram.count).toBe(1000);
    expect(histogram.max).toBe(100);
    expect(histogram.percentile(50)).toBeGreaterThanOrEqual(50);
    expect(histogram.percentile(50)).toBeLessThanOrEqual(50.5);
    expect(histogram.percentile(99)).toBeGreaterThanOrEqual(99);
    expect(histogram.percentile(99)).toBeLessThanOrEqual(100);
    expect(histogram.percentile(100)).toBe(100);
  });
});
