/**
 * A broken invariant stops the broker process with its name, never a log line: a real
 * ReplicaManager in a child process (test/support/broken-invariant-broker.cjs) has its leader core
 * contradicted on the request path and on the timer's AlterPartition path, and each time the
 * process exits 70 with "BrokerInvariantError" on stderr instead of answering or going on.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BROKEN_INVARIANT_EXIT_CODE } from '../src/node/invariant-halt';

jest.setTimeout(30_000);

const CHILD = join(__dirname, 'support', 'broken-invariant-broker.cjs');

async function run(scenario: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The child halts on purpose and cannot clean up its log directory, so the test owns it.
  const logDir = mkdtempSync(join(tmpdir(), 'sluice-broken-invariant-'));
  try {
    return await runIn(scenario, logDir);
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

function runIn(scenario: string, logDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CHILD, scenario, logDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('a broken invariant', () => {
  it('on the request path (a follower fetch) stops the process, named', async () => {
    const result = await run('follower-fetch');
    expect(result.stdout).not.toContain('survived');
    expect(result.stderr).toMatch(
      /^sluice broker: BrokerInvariantError: log end offset 2 differs from the tracked 1$/m,
    );
    expect(result.code).toBe(BROKEN_INVARIANT_EXIT_CODE);
  });

  it("on the timer's path (an AlterPartition answer to its ISR check) stops the process, named", async () => {
    const result = await run('alter-partition');
    expect(result.stdout).not.toContain('survived');
    expect(result.stderr).toMatch(
      /^sluice broker: BrokerInvariantError: the controller left the leader out of the ISR$/m,
    );
    expect(result.code).toBe(BROKEN_INVARIANT_EXIT_CODE);
  });
});
