export { runCli } from './program';
export { ExitCode, UsageError } from './exit-codes';
export type { CliIo } from './io';
