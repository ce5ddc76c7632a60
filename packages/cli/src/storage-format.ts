/**
 * `sluice storage format` and `sluice storage random-uuid` (Kafka's kafka-storage.sh format /
 * random-uuid): write meta.properties into every log directory a node's config names.
 */
import { existsSync } from 'node:fs';
import {
  ConfigError,
  formatLogDirs,
  loadSluiceConfig,
  MetaPropertiesError,
  metadataLogDir,
  randomKafkaUuid,
  type SluiceConfig,
} from '@sluice/runtime';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';

export interface StorageConfig {
  readonly nodeId: number;
  readonly logDirs: readonly string[];
}

/**
 * The directories a node stores data in: the metadata log directory (`metadata.log.dir`, else
 * the first of `log.dirs`), plus every one of `log.dirs` when the node is a broker. A
 * controller-only node does not format `log.dirs`, whose default it never uses.
 */
export function storageConfigFromFile(file: string): StorageConfig {
  let config: SluiceConfig;
  try {
    config = loadSluiceConfig({ file }).values;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
  const dirs = [metadataLogDir(config)];
  if (config['process.roles'].includes('broker')) {
    for (const dir of config['log.dirs']) if (!dirs.includes(dir)) dirs.push(dir);
  }
  return { nodeId: config['node.id'], logDirs: dirs };
}

export interface FormatOptions {
  readonly clusterId?: string;
  readonly config?: string;
  readonly ignoreFormatted?: boolean;
}

export function runStorageFormat(options: FormatOptions, io: CliIo): ExitCode {
  if (options.clusterId === undefined || options.clusterId === '')
    throw new UsageError('missing --cluster-id (make one with `sluice storage random-uuid`)');
  if (options.config === undefined || options.config === '') throw new UsageError('missing --config <file>');
  if (!existsSync(options.config)) throw new UsageError(`config file not found: ${options.config}`);
  const config = storageConfigFromFile(options.config);
  try {
    const outcomes = formatLogDirs({
      clusterId: options.clusterId,
      nodeId: config.nodeId,
      logDirs: config.logDirs,
      ignoreFormatted: options.ignoreFormatted === true,
    });
    for (const outcome of outcomes) {
      io.out(
        outcome.action === 'formatted'
          ? `Formatting ${outcome.dir} with cluster.id ${outcome.meta.clusterId}, node.id ${outcome.meta.nodeId}, directory.id ${outcome.meta.directoryId}\n`
          : `${outcome.dir} is already formatted for cluster.id ${outcome.meta.clusterId}, node.id ${outcome.meta.nodeId}\n`,
      );
    }
    return ExitCode.OK;
  } catch (error) {
    if (!(error instanceof MetaPropertiesError)) throw error;
    if (error.reason === 'INVALID_ARGUMENT' && /not a Kafka UUID|not a non-negative/.test(error.message))
      throw new UsageError(error.message);
    io.err(`error: ${error.message}\n`);
    return ExitCode.FAILURE;
  }
}

export function runRandomUuid(io: CliIo): ExitCode {
  io.out(`${randomKafkaUuid()}\n`);
  return ExitCode.OK;
}
