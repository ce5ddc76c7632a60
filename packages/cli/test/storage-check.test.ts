import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogConfig, PartitionLog } from '@sluice/log';
import { BatchLayout, CompressionType, encodeRecordBatch } from '@sluice/protocol';
import { ExitCode, runCli, type CliIo } from '@sluice/cli';

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    stdout: () => out,
    stderr: () => err,
  };
}

/** Writes a real partition directory: 3 segments of gzip batches through the log engine. */
function writePartition(root: string): string {
  const dir = join(root, 'orders-0');
  const log = PartitionLog.open({ dir, config: { ...defaultLogConfig, segmentBytes: 4096, indexIntervalBytes: 256 } });
  for (let batch = 0; batch < 30; batch += 1) {
    const records = Array.from({ length: 5 }, (_, i) => ({
      key: Buffer.from(`k${batch}-${i}`),
      value: Buffer.alloc(40, batch),
      headers: [],
      timestamp: 1_700_000_000_000 + batch,
    }));
    log.append(encodeRecordBatch({ compression: CompressionType.Gzip, records }), { leaderEpoch: 0 });
  }
  log.close();
  return dir;
}

describe('sluice storage check', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reports a clean data directory and exits 0', async () => {
    writePartition(root);
    const io = capture();
    expect(await runCli(['storage', 'check', root], io)).toBe(ExitCode.OK);
    expect(io.stdout()).toMatch(/1 partition\(s\)/);
    expect(io.stdout()).toMatch(/30 valid batch\(es\)/);
    expect(io.stdout()).toMatch(/result: clean/);
  });

  it('names the file and byte of a flipped CRC byte and exits 1; --json is machine-readable', async () => {
    const dir = writePartition(root);
    const firstSegment = readdirSync(dir)
      .filter((name) => name.endsWith('.log'))
      .sort()[0] as string;
    const path = join(dir, firstSegment);
    const fd = openSync(path, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, BatchLayout.CRC);
    byte[0] = (byte[0] as number) ^ 0xff;
    writeSync(fd, byte, 0, 1, BatchLayout.CRC);
    closeSync(fd);

    const text = capture();
    expect(await runCli(['storage', 'check', dir], text)).toBe(ExitCode.FAILURE);
    expect(text.stdout()).toContain(`ERROR ${path} @ byte`);
    expect(text.stdout()).toMatch(/result: CORRUPT/);

    const json = capture();
    expect(await runCli(['storage', 'check', '--json', dir], json)).toBe(ExitCode.FAILURE);
    const report = JSON.parse(json.stdout()) as {
      ok: boolean;
      problems: { file: string; position: number | null; severity: string }[];
    };
    expect(report.ok).toBe(false);
    expect(
      report.problems.some(
        (problem) => problem.file === path && problem.severity === 'error' && problem.position !== null,
      ),
    ).toBe(true);
  });

  it('answers usage mistakes with exit code 2 and says what was wrong', async () => {
    const missingDir = capture();
    expect(await runCli(['storage', 'check', join(root, 'nope')], missingDir)).toBe(ExitCode.USAGE);
    expect(missingDir.stderr()).toContain('no such directory');

    const noArgument = capture();
    expect(await runCli(['storage', 'check'], noArgument)).toBe(ExitCode.USAGE);
    expect(noArgument.stderr()).toContain("missing required argument 'dir'");

    const unknownFlag = capture();
    expect(await runCli(['storage', 'check', '--bogus', root], unknownFlag)).toBe(ExitCode.USAGE);
    expect(unknownFlag.stderr()).toContain("unknown option '--bogus'");
  });

  it('the installed binary maps results to process exit codes', () => {
    // The test command builds dist/ before jest runs.
    const main = join(__dirname, '..', 'dist', 'main.js');
    writePartition(root);
    expect(spawnSync(process.execPath, [main, 'storage', 'check', root]).status).toBe(ExitCode.OK);
    expect(spawnSync(process.execPath, [main, 'storage', 'nonsense']).status).toBe(ExitCode.USAGE);
  });
});
