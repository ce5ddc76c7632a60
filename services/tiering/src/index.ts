/** What other packages (CLI, e2e) use from the tiering service: the node, its config and its pure cores. */
export * from './node/tiering-node';
export * from './node/tiering-metrics';
export * from './config/tiering-service-config';
export * from './core/scrub-schedule';
export * from './core/tiered-partition-view';
