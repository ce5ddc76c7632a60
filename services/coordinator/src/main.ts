#!/usr/bin/env node
/**
 * `node services/coordinator/dist/main.js --config FILE [--override key=value ...]`
 *
 * Starts one group coordinator (process.roles=coordinator), paired with the broker named by
 * coordinator.broker. A bad configuration exits 1 with one clear line; a bad command line exits 2.
 * SIGTERM / SIGINT: stop serving and exit 0.
 */
import { ConfigError, createLoggers, parseServiceArgs, type Level } from '@sluice/runtime';
import { loadCoordinatorConfig } from './config/coordinator-config';

const USAGE = 'usage: node services/coordinator/dist/main.js --config <file.properties> [--override key=value ...]';

async function main(): Promise<void> {
  const args = parseServiceArgs(process.argv.slice(2), USAGE);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n`);
    process.exitCode = args === USAGE ? 0 : 2;
    return;
  }
  let config;
  try {
    config = loadCoordinatorConfig({ file: args.config, env: process.env, overrides: args.overrides });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sluice coordinator: refusing to start: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const loggers = createLoggers({ service: 'coordinator', nodeId: config.nodeId, level: config.raw['log.level'] as Level });
  for (const key of config.unknownKeys) loggers.log.warn({ key }, 'unknown configuration key ignored');
  // NestJS and the node load only after the configuration passed: a refusal answers in well under a second.
  await import('reflect-metadata');
  const { NestFactory } = await import('@nestjs/core');
  const { CoordinatorModule } = await import('./coordinator.module.js');
  const { CoordinatorNode } = await import('./node/coordinator-node.js');
  const app = await NestFactory.createApplicationContext(CoordinatorModule.forRoot(config, loggers), { logger: false, abortOnError: false });
  const node = app.get(CoordinatorNode);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    loggers.log.info({ signal }, 'stopping');
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
  loggers.log.info({ address: node.address, pid: process.pid }, 'coordinator ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`sluice coordinator: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
