#!/usr/bin/env node
/**
 * `node services/controller/dist/main.js --config FILE [--override key=value ...]`
 *
 * Starts one controller of the quorum. Refuses to start (exit 1, one clear line on stderr) on a
 * bad configuration, an unformatted metadata directory or one from another cluster; a bad
 * command line exits 2. SIGTERM / SIGINT stop it cleanly (exit 0).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, createLoggers, MetaPropertiesError, parseServiceArgs, type Level } from '@sluice/runtime';
import { checkQuorumClusterId } from './config/cluster-id-check';
import { loadControllerConfig } from './config/controller-config';
import { ControllerModule } from './controller.module';
import { ControllerNode } from './node/controller-node';

const USAGE = 'usage: node services/controller/dist/main.js --config <file.properties> [--override key=value ...]';


async function main(): Promise<void> {
  const args = parseServiceArgs(process.argv.slice(2), USAGE);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    process.exitCode = args === USAGE ? 0 : 2;
    return;
  }
  let config;
  try {
    config = loadControllerConfig({ file: args.config, env: process.env, overrides: args.overrides });
    await checkQuorumClusterId(config.nodeId, config.clusterId, config.voters);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MetaPropertiesError) {
      process.stderr.write(`sluice controller: refusing to start: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const loggers = createLoggers({
    service: 'controller',
    nodeId: config.nodeId,
    level: config.raw['log.level'] as Level,
    auditDestination: config.auditLogFile,
  });
  for (const key of config.unknownKeys) loggers.log.warn({ key }, 'unknown configuration key ignored');
  const app = await NestFactory.createApplicationContext(ControllerModule.forRoot(config, loggers), { logger: false, abortOnError: false });
  const node = app.get(ControllerNode);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    loggers.log.info({ signal }, 'stopping');
    // Bounded: a stuck close must not keep a process the operator asked to stop.
    const force = setTimeout(() => process.exit(1), 5_000);
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
  loggers.log.info({ address: node.address, metricsPort: node.metricsPort ?? null, pid: process.pid }, 'controller ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`sluice controller: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
