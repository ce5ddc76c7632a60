/** What other packages (CLI, bench, e2e) use from the coordinator: the node and its pure core. */
export * from './node/coordinator-node';
export * from './core/group-shard';
export * from './core/group-records';
export * from './core/assignor';
export * from './core/assignors';
