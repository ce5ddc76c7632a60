import { existsSync } from 'node:fs';
import { ExitCode, runCli } from '@sluice/cli';
import { controllerMainPath } from '@sluice/controller';

jest.setTimeout(60_000);

describe('sluice cluster up', () => {
  it('starts three real controller processes, prints endpoints, says brokers are missing, stops them', async () => {
    if (!existsSync(controllerMainPath())) throw new Error(`${controllerMainPath()} missing: run tsc -b first`);
    let out = '';
    let err = '';
    const code = await runCli(['cluster', 'up', '--for', '0'], { out: (text) => void (out += text), err: (text) => void (err += text) });
    expect(err).toBe('');
    expect(code).toBe(ExitCode.OK);
    expect(out.match(/controller \d: 127\.0\.0\.1:\d+ {2}pid \d+/g)).toHaveLength(3);
    expect(out).toContain('(active controller)');
    expect(out).toContain('services/broker does not exist yet');
    expect(out).toContain('stopped.');
    const pids = [...out.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('rejects an unknown flag as a usage error', async () => {
    let err = '';
    const code = await runCli(['cluster', 'up', '--nodes', '3'], { out: () => undefined, err: (text) => void (err += text) });
    expect(code).toBe(ExitCode.USAGE);
    expect(err).toContain("unknown option '--nodes'");
  });
});
