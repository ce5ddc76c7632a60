/**
 * The CLI runs on the workspace's Node.js 24 (`npx -y pnpm@12 sluice ...`). An older Node (the
 * system's 20, say) lacks zstd in zlib, so some commands would fail half-way with a server-side
 * looking error; refuse at start instead, naming the fix.
 */
export const MIN_NODE_MAJOR = 24;

/** Why this Node.js version cannot run the CLI, or undefined when it can. */
export function nodeVersionRefusal(nodeVersion: string): string | undefined {
  const major = Number.parseInt(nodeVersion.split('.')[0] ?? '', 10);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return (
    `INVALID_CONFIG: sluice needs Node.js ${MIN_NODE_MAJOR} or later, this is ${nodeVersion}; ` +
    "run it as `npx -y pnpm@12 sluice <args>` from the repository, which uses the workspace's Node.js 24"
  );
}
