#!/usr/bin/env node
/**
 * `node services/controller/dist/main.js --config FILE [--override key=value ...]`
 *
 * Starts one controller of the quorum. Refuses to start (exit 1, one clear line on stderr) on a
 * bad configuration, an unformatted metadata directory or one from another cluster; a bad
 * command line exits 2. SIGTERM / SIGINT stop it cleanly (exit 0).
 */
// Tracing first: the OpenTelemetry SDK (when configured) must be running before anything else loads.
import './tracing';
import 'reflect-metadata';
import { createLoggers, runServiceMain, type Level } from '@sluice/runtime';
import { checkQuorumClusterId } from './config/cluster-id-check';
import { loadControllerConfig } from './config/controller-config';
import { ControllerNode } from './node/controller-node';
import { nodeOptionsFrom } from './node-options';

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
    // The node serves its RPCs as a NestJS application (rpc/controller-rpc.module.ts).
    const node = await ControllerNode.start(nodeOptionsFrom(config, loggers));
    return { close: () => node.stop(), ready: { address: node.address, metricsPort: node.metricsPort ?? null } };
  },
  stopTimeoutMs: 5_000,
});
