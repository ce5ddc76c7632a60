/**
 * `pnpm bench:builds --baseline DIR [--candidate DIR] [--rounds 3] [-- <bench:compare flags>]`:
 * sluice against another build of itself in one run, to show what a change costs. The candidate
 * is this checkout unless `--candidate` names another built checkout. Each round runs
 * `bench:compare --systems sluice` once in the baseline checkout and once in this one, in
 * alternating order (A B, B A, ...), so drift of the machine during the run falls on both; each
 * run is self-contained (that checkout's orchestrator, services and client). Prints every run and,
 * per setting, the median ratio of this build to the baseline (MB/s; p50 / p99 for latency).
 *
 * A baseline checkout: `bench/peers/baseline-checkout.sh <git-rev>` (a built worktree under
 * ~/.cache/sluice-baseline).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { markdownTable, median } from './table';

interface Row {
  readonly system: string;
  readonly setting: string;
  readonly kind: string;
  readonly bytes: number;
  readonly seconds: number;
  readonly records: number;
  readonly latencyMs?: { readonly p50: number; readonly p99: number };
  readonly serverCpuSeconds: number;
}

interface Run {
  readonly build: 'baseline' | 'this';
  readonly round: number;
  readonly rows: Row[];
  readonly loadBefore: number[];
}

const USAGE =
  'usage: pnpm bench:builds --baseline <checkout dir> [--candidate <checkout dir>] [--rounds 3] [-- <bench:compare flags, e.g. --quick --settings produce,latency>]';

function parse(argv: readonly string[]): {
  baseline: string;
  candidate: string;
  rounds: number;
  compareArgs: string[];
} {
  const split = argv.indexOf('--');
  const own = split < 0 ? [...argv] : argv.slice(0, split);
  const compareArgs = split < 0 ? [] : argv.slice(split + 1);
  const at = own.indexOf('--baseline');
  const baseline = at < 0 ? undefined : own[at + 1];
  if (baseline === undefined) throw new Error(USAGE);
  const roundsAt = own.indexOf('--rounds');
  const rounds = roundsAt < 0 ? 3 : Number(own[roundsAt + 1]);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds must be 1..20\n${USAGE}`);
  if (compareArgs.includes('--systems')) throw new Error('--systems is set by bench:builds (sluice only)');
  const candidateAt = own.indexOf('--candidate');
  const candidate = candidateAt < 0 ? resolve(__dirname, '..', '..') : own[candidateAt + 1];
  if (candidate === undefined) throw new Error(USAGE);
  return { baseline: resolve(baseline), candidate: resolve(candidate), rounds, compareArgs };
}

function runCompare(checkout: string, compareArgs: readonly string[]): Row[] {
  const script = join(checkout, 'bench', 'dist', 'compare.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: build that checkout first (npx -y pnpm@12 build)`);
  const out = mkdtempSync(join(tmpdir(), 'sluice-builds-'));
  try {
    execFileSync(process.execPath, [script, '--systems', 'sluice', ...compareArgs, '--out', out], {
      cwd: checkout,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 3_600_000,
    });
    const file = readdirSync(out).find((name) => name.endsWith('.json'));
    if (file === undefined) throw new Error(`bench:compare in ${checkout} wrote no result`);
    const result = JSON.parse(readFileSync(join(out, file), 'utf8')) as { rows: Row[] };
    return result.rows.filter((row) => row.system.startsWith('sluice'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const mbps = (row: Row): number => (row.seconds > 0 ? row.bytes / 1e6 / row.seconds : 0);
function main(): void {
  const { baseline, candidate: current, rounds, compareArgs } = parse(process.argv.slice(2));
  const runs: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order: Run['build'][] = round % 2 === 1 ? ['baseline', 'this'] : ['this', 'baseline'];
    for (const build of order) {
      process.stderr.write(`[bench:builds] round ${round}/${rounds}: ${build}\n`);
      const loadBefore = loadavg();
      runs.push({ build, round, rows: runCompare(build === 'baseline' ? baseline : current, compareArgs), loadBefore });
    }
  }
  const resultsDir = resolve(__dirname, '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const resultFile = join(resultsDir, `builds-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    resultFile,
    `${JSON.stringify({ baseline, candidate: current, rounds, compareArgs, runs }, null, 2)}\n`,
  );
  process.stderr.write(`[bench:builds] wrote ${resultFile}\n`);
  // A row is a (system, setting): "sluice" plus, in builds that have them, "sluice tracing N%"
  // rows. Each is compared with the baseline's plain "sluice" row of the same setting.
  const key = (row: Row): string => `${row.system} | ${row.setting}`;
  const keys = [...new Set(runs.flatMap((run) => run.rows.map(key)))];
  const lines: string[][] = [];
  const summary: string[][] = [];
  for (const rowKey of keys) {
    const of = (build: Run['build'], wanted: string): Row[] =>
      runs.filter((run) => run.build === build).flatMap((run) => run.rows.filter((row) => key(row) === wanted));
    const mine = of('this', rowKey);
    const setting = rowKey.slice(rowKey.indexOf(' | ') + 3);
    const base = of('baseline', `sluice | ${setting}`);
    const latency = mine.some((row) => row.latencyMs !== undefined);
    for (const run of runs) {
      const row = run.rows.find((r) => key(r) === rowKey);
      if (row === undefined) continue;
      lines.push([
        rowKey,
        `${run.round}`,
        run.build,
        mbps(row).toFixed(1),
        row.latencyMs === undefined ? '–' : `${row.latencyMs.p50.toFixed(1)} / ${row.latencyMs.p99.toFixed(1)}`,
        (row.serverCpuSeconds / (row.bytes / 1e9)).toFixed(0),
        run.loadBefore[0]?.toFixed(2) ?? '',
      ]);
    }
    const ratio = (pick: (row: Row) => number): string =>
      base.length === 0 || mine.length === 0 ? '–' : `${(median(mine.map(pick)) / median(base.map(pick))).toFixed(3)}x`;
    summary.push([
      rowKey,
      base.length === 0 ? '–' : median(base.map(mbps)).toFixed(1),
      mine.length === 0 ? '–' : median(mine.map(mbps)).toFixed(1),
      ratio(mbps),
      latency ? ratio((row) => row.latencyMs?.p50 ?? 0) : '–',
      latency ? ratio((row) => row.latencyMs?.p99 ?? 0) : '–',
    ]);
  }
  process.stdout.write(
    [
      `\n## sluice, ${current} ("this") against ${baseline}: ${rounds} round(s), alternating order`,
      '',
      `Command: \`pnpm bench:builds ${process.argv.slice(2).join(' ')}\``,
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'})`,
      '',
      markdownTable(
        [
          'system | setting',
          "baseline's plain sluice MB/s (median)",
          'this MB/s (median)',
          'this / baseline MB/s',
          'p50 ratio',
          'p99 ratio',
        ],
        summary,
      ),
      '',
      'Every run:',
      '',
      markdownTable(
        ['setting', 'round', 'build', 'MB/s', 'e2e p50 / p99 ms', 'server CPU s/GB', 'load (1 min) before'],
        lines,
      ),
      '',
    ].join('\n'),
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
