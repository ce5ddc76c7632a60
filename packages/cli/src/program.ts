import { Command, CommanderError } from 'commander';
import { aclCommand } from './acl-command';
import { clusterCommand } from './cluster-command';
import { consumeCommand } from './consume-command';
import { ExitCode, UsageError } from './exit-codes';
import { groupCommand } from './group-command';
import { logDirsCommand } from './log-dirs-command';
import type { CliIo } from './io';
import { produceCommand } from './produce-command';
import { applyClientSecurity, resetClientSecurity, withSecurityOptions, type SecurityFlags } from './security-options';
import { shareCommand } from './share-command';
import { storageCommand } from './storage-command';
import { tieringCommand } from './tiering-command';
import { topicReassignCommand } from './reassign-command';
import { topicCommand } from './topic-command';

/**
 * Runs the `sluice` command line and resolves to its exit code; never calls process.exit, so
 * tests drive it in-process. Usage mistakes exit 2, failures 1.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.OK;
  const setExitCode = (code: ExitCode): void => {
    exitCode = code;
  };
  const program = withSecurityOptions(
    new Command('sluice')
      .description('sluice: an event-streaming platform (Kafka-class logs, Raft metadata)')
      .configureOutput({ writeOut: io.out, writeErr: io.err })
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)'),
  );
  // Every command's clients use what the security flags (or the local secure cluster) say.
  program.hook('preAction', (_program, action) =>
    applyClientSecurity(program.opts<SecurityFlags>(), action.opts<{ bootstrap?: string }>().bootstrap),
  );
  program.addCommand(storageCommand(io, setExitCode));
  program.addCommand(clusterCommand(io, setExitCode));
  program.addCommand(topicCommand(io, setExitCode).addCommand(topicReassignCommand(io, setExitCode)));
  program.addCommand(produceCommand(io, setExitCode));
  program.addCommand(consumeCommand(io, setExitCode));
  program.addCommand(groupCommand(io, setExitCode));
  program.addCommand(shareCommand(io, setExitCode));
  program.addCommand(tieringCommand(io, setExitCode));
  program.addCommand(logDirsCommand(io, setExitCode));
  program.addCommand(aclCommand(io, setExitCode));
  // Subcommands inherit neither exitOverride nor output routing from the root; apply them everywhere.
  const configure = (command: Command): void => {
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; everything else commander reports is a usage error.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return ExitCode.OK;
      }
      return ExitCode.USAGE;
    }
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n`);
      return ExitCode.USAGE;
    }
    io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.FAILURE;
  } finally {
    resetClientSecurity();
  }
}
