#!/usr/bin/env node
/**
 * `node services/tiering/dist/main.js --config FILE [--override key=value ...]`
 *
 * Starts one tiering service (process.roles=tiering): the scheduled scrub of the object store and
 * the Tiering status API. A bad configuration exits 1 with one clear line; a bad command line
 * exits 2. SIGTERM / SIGINT: stop serving and exit 0.
 */
// Tracing first: the OpenTelemetry SDK (when configured) must be running before anything else loads.
import './tracing';
import { createLoggers, runServiceMain, type Level } from '@sluice/runtime';
import { loadTieringServiceConfig } from './config/tiering-service-config';

runServiceMain({
  service: 'tiering',
  usage: 'usage: node services/tiering/dist/main.js --config <file.properties> [--override key=value ...]',
  load: (args) => loadTieringServiceConfig({ file: args.config, env: process.env, overrides: args.overrides }),
  loggers: (config) =>
    createLoggers({
      service: 'tiering',
      nodeId: config.nodeId,
      level: config.raw['log.level'] as Level,
      // Only a listener with security refuses anything; without a volume the audit goes to stdout
      // unless audit.log.file names a file.
      ...(config.security.protocol === 'PLAINTEXT' && config.security.authorizer === undefined
        ? {}
        : { auditDestination: config.auditLogFile === '' ? 1 : config.auditLogFile }),
    }),
  start: async (config, loggers) => {
    for (const key of config.unknownKeys) loggers.log.warn({ key }, 'unknown configuration key ignored');
    // NestJS and the node load only after the configuration passed: a refusal answers in well under a second.
    await import('reflect-metadata');
    const { TieringNode } = await import('./node/tiering-node.js');
    const { tieringNodeOptionsFrom } = await import('./config/tiering-service-config.js');
    const node = await TieringNode.start(
      tieringNodeOptionsFrom(config, loggers.log, { write: (line) => loggers.audit.info(line) }),
    );
    return { close: () => node.stop(), ready: { address: node.address, metricsPort: node.metricsPort ?? null } };
  },
  stopTimeoutMs: 10_000,
});
