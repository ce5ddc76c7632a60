#!/usr/bin/env node
/**
 * `node services/broker/dist/main.js --config FILE [--override key=value ...]`
 *
 * Starts one broker (process.roles=broker). Refuses to start (exit 1, one clear line on stderr)
 * on a bad configuration or a log directory that is unformatted or from another cluster; a bad
 * command line exits 2. SIGTERM / SIGINT: controlled shutdown, then a clean stop (exit 0).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ApiError } from '@sluice/protocol';
import { ConfigError, createLoggers, MetaPropertiesError, parseServiceArgs, verifyFormattedLogDirs, type Level } from '@sluice/runtime';
import { BrokerModule } from './broker.module';
import { loadBrokerConfig } from './config/broker-config';
import { BrokerNode } from './node/broker-node';

const USAGE = 'usage: node services/broker/dist/main.js --config <file.properties> [--override key=value ...]';


async function main(): Promise<void> {
  const args = parseServiceArgs(process.argv.slice(2), USAGE);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    process.exitCode = args === USAGE ? 0 : 2;
    return;
  }
  let config;
  let clusterId;
  try {
    config = loadBrokerConfig({ file: args.config, env: process.env, overrides: args.overrides });
    clusterId = verifyFormattedLogDirs(config.logDirs, config.nodeId);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MetaPropertiesError) {
      process.stderr.write(`sluice broker: refusing to start: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const loggers = createLoggers({ service: 'broker', nodeId: config.nodeId, level: config.raw['log.level'] as Level });
  for (const key of config.unknownKeys) loggers.log.warn({ key }, 'unknown configuration key ignored');
  let app;
  try {
    app = await NestFactory.createApplicationContext(BrokerModule.forRoot(config, clusterId, loggers), { logger: false, abortOnError: false });
  } catch (error) {
    // The controller quorum belongs to another cluster than our log directories.
    if (error instanceof ApiError && error.errorName === 'INCONSISTENT_CLUSTER_ID') {
      loggers.flush();
      process.stderr.write(`sluice broker: refusing to start: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const node = app.get(BrokerNode);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    loggers.log.info({ signal }, 'stopping');
    // Bounded: controlled shutdown waits at most 5 s; a stuck close must not keep the process.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => {
        loggers.flush();
        process.exit(0);
      },
      (error: unknown) => {
        loggers.log.error({ err: error }, 'unclean stop');
        loggers.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  loggers.log.info({ address: node.address, brokerEpoch: node.brokerEpoch, metricsPort: node.metricsPort ?? null, pid: process.pid }, 'broker ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`sluice broker: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
