// `npx -y pnpm@12 sluice <args>`: the sluice CLI on the workspace's Node.js 24 (pnpm scripts run
// on the root devDependency `node`). On a fresh clone the CLI is not built yet: build it once
// (`tsc -b`, incremental) before running, so the command works from the first try.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliMain = join(root, 'packages', 'cli', 'dist', 'main.js');
if (!existsSync(cliMain)) {
  process.stderr.write('sluice: first run: building the workspace (tsc -b)...\n');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
// Same process: argv[2...] are the CLI's arguments either way.
createRequire(import.meta.url)(cliMain);
