/**
 * Preloaded into controller processes by the metadata scale bench (`NODE_OPTIONS=--require
 * .../cpu-profile-hook.js`; Node refuses --cpu-prof in NODE_OPTIONS): starts the V8 sampling
 * profiler at start-up and writes `CPU.<pid>.cpuprofile` into $SLUICE_BENCH_CPU_PROFILE_DIR when
 * the process exits cleanly (SIGTERM). An in-thread inspector session answers synchronously,
 * so the profile is written from the 'exit' handler.
 */
import { writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.SLUICE_BENCH_CPU_PROFILE_DIR;
if (dir !== undefined && dir !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error: Error | null, result: Profiler.StopReturnType) => {
      if (error === null) writeFileSync(join(dir, `CPU.${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
