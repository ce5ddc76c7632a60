#!/usr/bin/env node
/**
 * `node services/coordinator/dist/main.js --config FILE [--override key=value ...]`
 *
 * Starts one group coordinator (process.roles=coordinator), paired with the broker named by
 * coordinator.broker. A bad configuration exits 1 with one clear line; a bad command line exits 2.
 * SIGTERM / SIGINT: stop serving and exit 0.
 */
// Tracing first: the OpenTelemetry SDK (when configured) must be running before anything else loads.
import './tracing';
import { createLoggers, runServiceMain, type Level } from '@sluice/runtime';
import { loadCoordinatorConfig } from './config/coordinator-config';

runServiceMain({
  service: 'coordinator',
  usage: 'usage: node services/coordinator/dist/main.js --config <file.properties> [--override key=value ...]',
  load: (args) => loadCoordinatorConfig({ file: args.config, env: process.env, overrides: args.overrides }),
  loggers: (config) =>
    createLoggers({
      service: 'coordinator',
      nodeId: config.nodeId,
      level: config.raw['log.level'] as Level,
      // Only a listener with security refuses anything: a plain one leaves no audit file behind.
      ...(config.security.protocol === 'PLAINTEXT' && config.security.authorizer === undefined
        ? {}
        : { auditDestination: config.auditLogFile }),
    }),
  start: async (config, loggers) => {
    for (const key of config.unknownKeys) loggers.log.warn({ key }, 'unknown configuration key ignored');
    // NestJS and the node load only after the configuration passed: a refusal answers in well under
    // a second. The node serves its RPCs as a NestJS application (rpc/coordinator-rpc.module.ts).
    await import('reflect-metadata');
    const { CoordinatorNode } = await import('./node/coordinator-node.js');
    const { coordinatorNodeOptionsFrom } = await import('./config/coordinator-config.js');
    const node = await CoordinatorNode.start(
      coordinatorNodeOptionsFrom(config, loggers.log, { write: (line) => loggers.audit.info(line) }),
    );
    return { close: () => node.stop(), ready: { address: node.address, metricsPort: node.metricsPort ?? null } };
  },
  stopTimeoutMs: 10_000,
});
