import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeVersionRefusal } from '../src/node-version';

const CLI_MAIN = join(__dirname, '..', 'dist', 'main.js');

describe('the CLI on an unsupported Node.js', () => {
  it('accepts Node.js 24 and later and refuses older ones with a named error and the fix', () => {
    expect(nodeVersionRefusal('24.21.0')).toBeUndefined();
    expect(nodeVersionRefusal('25.0.0')).toBeUndefined();
    expect(nodeVersionRefusal('20.20.2')).toMatch(/^INVALID_CONFIG: sluice needs Node.js 24 or later, this is 20.20.2/);
    expect(nodeVersionRefusal('20.20.2')).toContain('npx -y pnpm@12 sluice');
    expect(nodeVersionRefusal('garbage')).toMatch(/^INVALID_CONFIG/);
  });

  // The machines this project runs on have the system's Node.js 20 at /usr/bin/node beside the
  // workspace's 24: the real case the refusal is for.
  const systemNode = '/usr/bin/node';
  const systemMajor = existsSync(systemNode)
    ? Number(spawnSync(systemNode, ['-p', 'process.versions.node.split(".")[0]']).stdout.toString().trim())
    : Number.NaN;
  (systemMajor < 24 ? it : it.skip)('refuses at start on the system Node.js before contacting anything', () => {
    const run = spawnSync(
      systemNode,
      [CLI_MAIN, 'produce', 'z', '--compression', 'zstd', '--bootstrap', '127.0.0.1:1'],
      {
        input: 'one\ntwo\n',
        timeout: 20_000,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr.toString()).toMatch(/^sluice: error: INVALID_CONFIG: sluice needs Node.js 24 or later/);
    expect(run.stdout.toString()).toBe('');
  });
});
