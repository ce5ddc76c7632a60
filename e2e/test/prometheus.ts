/**
 * A real Prometheus (Debian's `prometheus` package) for the e2e suite: a generated configuration
 * scraping the given targets every `scrapeIntervalMs`, listening on a free loopback port, its
 * storage in a temp directory, stopped by pid (SIGTERM, then SIGKILL after a bounded wait). The
 * suite installs nothing: without the binary, `requirePrometheus` says how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, loopbackHost, sleep, waitFor } from '@sluice/local-cluster';

export const INSTALL_HINT =
  'prometheus is not on PATH: run `scripts/install-test-tools.sh` as root (it runs `apt-get install -y prometheus`; CI does this before the tests)';

/** The binary's version line; throws with the install command when it is missing. */
export function requirePrometheus(): string {
  const probe = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) throw new Error(INSTALL_HINT);
  return `${probe.stdout}${probe.stderr}`.split('\n')[0] ?? 'prometheus';
}

export interface ScrapeJob {
  readonly job: string;
  /** `host:port` of each /metrics server. */
  readonly targets: readonly string[];
}

export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

export class RunningPrometheus {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(options: {
    readonly dir: string;
    readonly jobs: readonly ScrapeJob[];
    readonly scrapeIntervalMs: number;
  }): Promise<RunningPrometheus> {
    mkdirSync(options.dir, { recursive: true });
    const interval = `${options.scrapeIntervalMs}ms`;
    const config = [
      'global:',
      `  scrape_interval: ${interval}`,
      `  scrape_timeout: ${Math.max(100, Math.floor(options.scrapeIntervalMs * 0.9))}ms`,
      `  evaluation_interval: ${interval}`,
      'scrape_configs:',
      ...options.jobs.flatMap((job) => [
        `  - job_name: ${JSON.stringify(job.job)}`,
        '    static_configs:',
        `      - targets: [${job.targets.map((target) => JSON.stringify(target)).join(', ')}]`,
      ]),
      '',
    ].join('\n');
    const configFile = join(options.dir, 'prometheus.yml');
    writeFileSync(configFile, config);
    const host = loopbackHost();
    const port = await freePort(host);
    const out = openSync(join(options.dir, 'prometheus.out'), 'a');
    const child = spawn(
      'prometheus',
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(options.dir, 'data')}`,
        `--web.listen-address=${host}:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    const prometheus = new RunningPrometheus(`http://${host}:${port}`, child);
    try {
      await waitFor(
        `prometheus ready on port ${port} (log: ${join(options.dir, 'prometheus.out')})`,
        async () => (await fetch(`${prometheus.url}/-/ready`)).ok,
        30_000,
        200,
      );
    } catch (error) {
      await prometheus.stop();
      throw error;
    }
    return prometheus;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** An instant query through the HTTP API (`/api/v1/query`); the vector's samples. */
  async query(expr: string): Promise<Sample[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (body.status !== 'success' || body.data === undefined)
      throw new Error(`query ${expr} failed: ${body.error ?? response.status}`);
    if (body.data.resultType !== 'vector')
      throw new Error(`query ${expr} gave a ${body.data.resultType}, not a vector`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** The sum of a query's samples (0 when it has none). */
  async total(expr: string): Promise<number> {
    return (await this.query(expr)).reduce((sum, sample) => sum + sample.value, 0);
  }

  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    process.kill(child.pid, 'SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!killed) {
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
  }
}
