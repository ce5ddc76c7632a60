import { Command } from 'commander';
import { ExitCode } from './exit-codes';
import type { CliIo } from './io';

/**
 * `sluice cluster up`: will start a local cluster of controller and broker processes. Those
 * services do not exist yet, so the command says exactly what is missing instead of pretending.
 */
export function clusterCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const cluster = new Command('cluster').description('run and inspect a local sluice cluster');
  cluster
    .command('up')
    .description('start a local cluster of real processes with embedded defaults')
    .option('--controllers <n>', 'number of controller processes', '3')
    .option('--brokers <n>', 'number of broker processes', '3')
    .option('--dir <path>', 'data directory for the local cluster')
    .action(() => {
      io.out(
        [
          'sluice cluster up: nothing to start yet.',
          '  missing: services/controller (Raft metadata quorum) and services/broker (partition replicas);',
          '           they arrive with the controller and broker issues, and this command will start them.',
          '  present: the storage engine (packages/log, packages/protocol) and `sluice storage check <dir>`.',
          '',
        ].join('\n'),
      );
      setExitCode(ExitCode.OK);
    });
  return cluster;
}
