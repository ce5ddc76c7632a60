/**
 * The environment that makes a sluice process profile itself: Node refuses --cpu-prof in
 * NODE_OPTIONS, so `--require cpu-profile-hook.js` preloads a hook that runs the V8 profiler and
 * writes `CPU.<pid>.cpuprofile` into `profileDir` on a clean exit. With `heap` the hook also
 * samples every allocation and counts garbage collections (`HEAP.<pid>.heapprofile`,
 * `GC.<pid>.json`, same directory). Given to LocalCluster as a role's `env`; empty (no
 * profiling) when `profileDir` is undefined or empty.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CPU_PROFILE_HOOK = join(__dirname, 'cpu-profile-hook.js');

export function cpuProfileEnv(profileDir: string | undefined, heap = false): Record<string, string> {
  if (profileDir === undefined || profileDir === '') return {};
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${CPU_PROFILE_HOOK}`.trim(),
    SLUICE_BENCH_CPU_PROFILE_DIR: profileDir,
    ...(heap ? { SLUICE_BENCH_HEAP_PROFILE_DIR: profileDir } : {}),
  };
}

/**
 * `--cpu-prof DIR [--heap-prof]` of bench:compare (every mode): tells startSluice and the load
 * process, through the environment they read, to profile into DIR (brokers), DIR/controller and
 * DIR/client.
 */
export function profileBenchInto(profileDir: string | undefined, heap: boolean): void {
  if (profileDir === undefined) return;
  mkdirSync(join(profileDir, 'controller'), { recursive: true });
  process.env.SLUICE_COMPARE_CPU_PROFILE = resolve(profileDir);
  if (heap) {
    process.env.SLUICE_COMPARE_HEAP_PROFILE = '1';
    mkdirSync(join(profileDir, 'client'), { recursive: true });
  }
}
