import { existsSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { checkLogDirectory, type CheckReport } from '@sluice/log';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';
import { runRandomUuid, runStorageFormat } from './storage-format';

/** `sluice storage ...`: offline tools over a broker's or controller's log directories. */
export function storageCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const storage = new Command('storage').description('format, inspect and verify on-disk storage');
  storage
    .command('check')
    .description('verify every segment (batch headers, CRCs, offsets) and index under a log directory')
    .argument('<dir>', 'a partition directory (topic-N) or a data directory holding partition directories')
    .option('--json', 'print the report as JSON')
    .action((dir: string, options: { json?: boolean }) => {
      if (!existsSync(dir)) throw new UsageError(`no such directory: ${dir}`);
      if (!statSync(dir).isDirectory()) throw new UsageError(`not a directory: ${dir}`);
      const report = checkLogDirectory(dir);
      io.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report));
      setExitCode(report.ok ? ExitCode.OK : ExitCode.FAILURE);
    });
  storage
    .command('format')
    .description(
      "write meta.properties (cluster.id, node.id, directory.id) into every log directory of a node's config",
    )
    .option('--cluster-id <id>', 'the cluster id (a Kafka UUID, see `sluice storage random-uuid`)')
    .option('--config <file>', "the node's .properties file (node.id, metadata.log.dir, log.dirs)")
    .option('--ignore-formatted', 'succeed when a directory is already formatted for this cluster and node')
    .action((options: { clusterId?: string; config?: string; ignoreFormatted?: boolean }) => {
      setExitCode(runStorageFormat(options, io));
    });
  storage
    .command('random-uuid')
    .description('print a random cluster id (22 characters, base64url, as Kafka)')
    .action(() => {
      setExitCode(runRandomUuid(io));
    });
  return storage;
}

export function formatCheckReport(report: CheckReport): string {
  const lines: string[] = [];
  const errors = report.problems.filter((problem) => problem.severity === 'error');
  const warnings = report.problems.filter((problem) => problem.severity === 'warning');
  const totalBytes = report.files.reduce((sum, file) => sum + file.sizeBytes, 0);
  const batches = report.files.filter((file) => file.kind === 'log').reduce((sum, file) => sum + file.items, 0);
  lines.push(`storage check: ${report.root}`);
  lines.push(
    `  ${report.partitions.length} partition(s), ${report.files.length} file(s), ${totalBytes} bytes, ${batches} valid batch(es)`,
  );
  for (const problem of report.problems) {
    const where = problem.position === null ? problem.file : `${problem.file} @ byte ${problem.position}`;
    lines.push(`  ${problem.severity.toUpperCase()} ${where}: ${problem.reason}`);
  }
  lines.push(
    report.ok
      ? `  result: clean${warnings.length > 0 ? ` (${warnings.length} warning(s): indexes a normal open rebuilds)` : ''}`
      : `  result: CORRUPT (${errors.length} error(s), ${warnings.length} warning(s))`,
  );
  return `${lines.join('\n')}\n`;
}
