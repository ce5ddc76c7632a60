#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { processIo } from './io';
import { nodeVersionRefusal } from './node-version';
import { runCli } from './program';

// `sluice consume ... | head`: the reader went away; stop quietly as a SIGPIPE'd tool would.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

let settled = false;
// Node exits once nothing is left to wait for, even with the command's promise unsettled (a
// client promise nobody will ever settle): never let that look like success.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.stderr.write('sluice: internal error: the command stopped before finishing (a promise was never settled)\n');
  process.exitCode = 1;
});

const refusal = nodeVersionRefusal(process.versions.node);
if (refusal !== undefined) {
  settled = true;
  process.stderr.write(`sluice: error: ${refusal}\n`);
  process.exitCode = 1;
} else {
  run();
}

function run(): void {
  // As the brokers (services/broker/node-flags): Buffers' bytes count toward V8's global heap limit,
  // not a separate external-memory limit whose every 64 MiB step starts a mark-compact. `sluice
  // produce` / `consume` at a few thousand records/s otherwise run one every second or so
  // (docs/performance.md section 29). Set before the command allocates anything; the limit is
  // computed as the heap grows, so a flag set now applies from here on. Only on a Node.js the CLI
  // runs on (24+): an older V8 does not know the flag and would print its own error first.
  setFlagsFromString('--external-memory-accounted-in-global-limit');
  runCli(process.argv.slice(2), processIo).then(
    (code) => {
      settled = true;
      process.exitCode = code;
    },
    (error: unknown) => {
      settled = true;
      process.stderr.write(`sluice: unexpected failure: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
