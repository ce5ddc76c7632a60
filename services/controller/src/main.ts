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
import { createLoggers, runServiceMain, type Level } from '@sluice/runtime';
import { checkQuorumClusterId } from './config/cluster-id-check';
import { loadControllerConfig } from './config/controller-config';
import { ControllerModule } from './controller.module';
import { ControllerNode } from './node/controller-node';

runServiceMain({
  service: 'controller',
  usage: 'usage: node services/controller/dist/main.js --config <file.properties> [--override key=value ...]',
  load: async (args) => {
    const config = loadControllerConfig({ file: args.config, env: process.env, overrides: args.overrides });
    await checkQuorumClusterId(config.nodeId, config.clusterId, config.voters);
    return config;
  },
  loggers: (config) =>
    createLoggers({
      service: 'controller',
      nodeId: config.nodeId,
      level: config.raw['log.level'] as Level,
      auditDestination: config.auditLogFile,
    }),
  start: async (config, loggers) => {
    for (const key of config.unknownKeys) loggers.log.warn({ key }, 'unknown configuration key ignored');
    const app = await NestFactory.createApplicationContext(ControllerModule.forRoot(config, loggers), {
      logger: false,
      abortOnError: false,
    });
    const node = app.get(ControllerNode);
    return { close: () => app.close(), ready: { address: node.address, metricsPort: node.metricsPort ?? null } };
  },
  stopTimeoutMs: 5_000,
});
