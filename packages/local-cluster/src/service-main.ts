/**
 * Where the services' built entry points are: `services/<service>/dist/main.js` under the
 * workspace root (the nearest directory above this file holding `pnpm-workspace.yaml`), the same
 * from `src/` under jest and from `dist/` under node. The launcher spawns them; it imports no
 * service code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The workspace is never this deep; the bound stops the walk at a file system root either way. */
const MAX_PARENT_DIRS = 32;

export function workspaceRoot(startDir: string = __dirname): string {
  let dir = startDir;
  for (let depth = 0; depth < MAX_PARENT_DIRS && !existsSync(join(dir, 'pnpm-workspace.yaml')); depth++) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (!existsSync(join(dir, 'pnpm-workspace.yaml'))) throw new Error(`no pnpm-workspace.yaml above ${startDir}`);
  return dir;
}

/** `services/<service>/dist/main.js` of this workspace, or of `root` (another built checkout); it may not be built yet. */
export function serviceMainPath(service: string, root: string = workspaceRoot()): string {
  if (!/^[a-z][a-z-]*$/.test(service)) throw new RangeError(`bad service name ${JSON.stringify(service)}`);
  return join(root, 'services', service, 'dist', 'main.js');
}

/** Throws, saying how to build it, when a service's entry point is missing. */
export function assertServiceBuilt(service: string, root?: string): string {
  const main = serviceMainPath(service, root);
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx -y pnpm@12 build\` first`);
  return main;
}

/** The most flags a service's `node-flags` file may hold: it is a short, reviewed list. */
const MAX_NODE_FLAGS = 16;

/**
 * The Node/V8 flags a service starts with: `services/<service>/node-flags` of `root` (one flag per
 * line, `#` comments; deploy/docker/sluice.sh reads the same file), none when the checkout has no
 * such file (an older build run as a baseline).
 */
export function serviceNodeFlags(service: string, root: string = workspaceRoot()): string[] {
  const file = join(dirname(dirname(serviceMainPath(service, root))), 'node-flags');
  if (!existsSync(file)) return [];
  const flags = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
  for (const flag of flags)
    if (!/^--[a-z][a-z0-9-]*(=[A-Za-z0-9._-]+)?$/.test(flag))
      throw new Error(`${file}: ${JSON.stringify(flag)} is not a single --flag[=value]`);
  if (flags.length > MAX_NODE_FLAGS) throw new Error(`${file}: ${flags.length} flags, at most ${MAX_NODE_FLAGS}`);
  return flags;
}
