#!/usr/bin/env node
/**
 * `node services/broker/dist/main.js --config FILE [--override key=value ...]`
 *
 * Starts one broker (process.roles=broker). Refuses to start (exit 1, one clear line on stderr)
 * on a bad configuration or a log directory that is unformatted or from another cluster; a bad
 * command line exits 2. SIGTERM / SIGINT: controlled shutdown, then a clean stop (exit 0).
 */
// Tracing first: the OpenTelemetry SDK (when configured) must be running before anything else loads.
import './tracing';
import 'reflect-metadata';
import { join } from 'node:path';
import { FsyncJournal } from '@sluice/log';
import { ApiError } from '@sluice/protocol';
import { createLoggers, runServiceMain, ServiceRefusal, verifyFormattedLogDirs, type Level } from '@sluice/runtime';
import { loadBrokerConfig } from './config/broker-config';
import { BrokerNode } from './node/broker-node';
import { brokerNodeOptionsFrom, FSYNC_JOURNAL_DIR_ENV } from './node-options';

runServiceMain({
  service: 'broker',
  usage: 'usage: node services/broker/dist/main.js --config <file.properties> [--override key=value ...]',
  load: (args) => {
    const config = loadBrokerConfig({ file: args.config, env: process.env, overrides: args.overrides });
    return { config, clusterId: verifyFormattedLogDirs(config.logDirs, config.nodeId) };
  },
  loggers: ({ config }) =>
    createLoggers({
      service: 'broker',
      nodeId: config.nodeId,
      level: config.raw['log.level'] as Level,
      // Only a listener with security refuses anything: a plain one leaves no audit file behind.
      ...(config.security.protocol === 'PLAINTEXT' && config.security.authorizer === undefined
        ? {}
        : { auditDestination: config.auditLogFile }),
    }),
  start: async ({ config, clusterId }, loggers) => {
    for (const key of config.unknownKeys) loggers.log.warn({ key }, 'unknown configuration key ignored');
    // Power-loss tests only: journal every fsync so the harness can drop what was never synced
    // after it kills this process (packages/log/src/fsync-journal.ts).
    const journalDir = process.env[FSYNC_JOURNAL_DIR_ENV];
    const files =
      journalDir === undefined || journalDir === ''
        ? undefined
        : new FsyncJournal(join(journalDir, `broker-${config.nodeId}.fsync-journal`));
    if (files !== undefined) loggers.log.warn({ journal: files.journalPath }, 'journaling every fsync (a test)');
    // The node serves its RPCs as a NestJS application (rpc/broker-rpc.module.ts).
    let node: BrokerNode;
    try {
      node = await BrokerNode.start(brokerNodeOptionsFrom(config, clusterId, loggers, files));
    } catch (error) {
      // The controller quorum belongs to another cluster than our log directories.
      if (error instanceof ApiError && error.errorName === 'INCONSISTENT_CLUSTER_ID')
        throw new ServiceRefusal(error.message);
      throw error;
    }
    return {
      close: () => node.stop(),
      ready: { address: node.address, brokerEpoch: node.brokerEpoch, metricsPort: node.metricsPort ?? null },
    };
  },
  // Controlled shutdown waits at most 5 s.
  stopTimeoutMs: 10_000,
});
