/**
 * A broken invariant means this broker's state is wrong in a way no retry fixes (a bug, never a
 * peer's bad input): the process stops, with the error's name and message on stderr, rather than
 * go on serving from that state behind a log line (Kafka halts the same way). Every place in the
 * shell that catches broadly (request handlers, fetcher loops, promise chains, the tick) passes what
 * it caught through here first.
 */
import { writeSync } from 'node:fs';
import { BrokerInvariantError } from '../core/assert';

/** BSD's EX_SOFTWARE, "an internal software error": not a configuration refusal (1), not a usage error (2). */
export const BROKEN_INVARIANT_EXIT_CODE = 70;

/** Stops the process when `error` is a BrokerInvariantError; returns otherwise. */
export function haltOnBrokenInvariant(error: unknown): void {
  if (!(error instanceof BrokerInvariantError)) return;
  // Synchronous: the process ends on the next line, and buffered output would be lost.
  writeSync(2, `sluice broker: ${error.name}: ${error.message}\n${error.stack ?? ''}\n`);
  process.exit(BROKEN_INVARIANT_EXIT_CODE);
}
