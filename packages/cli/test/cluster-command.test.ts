import { ExitCode, runCli } from '@sluice/cli';

describe('sluice cluster up (before the services exist)', () => {
  it('starts nothing and names exactly what is missing', async () => {
    let out = '';
    const code = await runCli(['cluster', 'up'], { out: (text) => void (out += text), err: () => undefined });
    expect(code).toBe(ExitCode.OK);
    expect(out).toContain('nothing to start yet');
    expect(out).toContain('services/controller');
    expect(out).toContain('services/broker');
  });

  it('rejects an unknown flag as a usage error', async () => {
    let err = '';
    const code = await runCli(['cluster', 'up', '--nodes', '3'], { out: () => undefined, err: (text) => void (err += text) });
    expect(code).toBe(ExitCode.USAGE);
    expect(err).toContain("unknown option '--nodes'");
  });
});
