export * from './core/assert';
export * from './core/replication-config';
export * from './core/leader-epoch-fencing';
export * from './core/isr-state';
export * from './core/follower-progress';
export * from './core/ack-waiters';
export * from './core/partition-leader';
export * from './core/follower-truncation';
