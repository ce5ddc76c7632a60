/** Exit codes every `sluice` command uses. */
export const ExitCode = {
  OK: 0,
  /** The command ran and found a failure (corruption, unreachable cluster, ...). */
  FAILURE: 1,
  /** The command line itself was wrong: unknown flag, missing argument, bad value. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Thrown by command handlers for bad arguments that commander itself cannot see. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
