/**
 * The environment that makes a sluice process profile itself: Node refuses --cpu-prof in
 * NODE_OPTIONS, so `--require cpu-profile-hook.js` preloads a hook that runs the V8 profiler and
 * writes `CPU.<pid>.cpuprofile` into `profileDir` on a clean exit. Given to LocalCluster as a
 * role's `env`; empty (no profiling) when `profileDir` is undefined or empty.
 */
import { join } from 'node:path';

export function cpuProfileEnv(profileDir: string | undefined): Record<string, string> {
  if (profileDir === undefined || profileDir === '') return {};
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(__dirname, 'cpu-profile-hook.js')}`.trim(),
    SLUICE_BENCH_CPU_PROFILE_DIR: profileDir,
  };
}
