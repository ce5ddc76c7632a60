/**
 * An in-process CoordinatorNode beside a one-broker LocalCluster: node 1, paired with broker 1,
 * one partition of each internal topic at replication factor 1, ownership checked every 100 ms.
 */
import type { LocalCluster } from '@sluice/local-cluster';
import { silentLogger } from '@sluice/runtime';
import type { CoordinatorNodeOptions } from '../../src/node/coordinator-node';

export function singleBrokerCoordinatorOptions(
  cluster: LocalCluster,
  overrides: Partial<CoordinatorNodeOptions> = {},
): CoordinatorNodeOptions {
  return {
    nodeId: 1,
    bindHost: '127.0.0.1',
    bindPort: 0,
    brokerAddress: cluster.brokers.address(1),
    controllerAddresses: cluster.controllers.addresses(),
    peers: new Map(),
    offsetsTopicPartitions: 1,
    offsetsTopicReplicationFactor: 1,
    shareStateTopic: { partitions: 1, replicationFactor: 1, minIsr: 1 },
    groups: {
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 1_000,
      maxGroupSize: 1_000,
      maxOffsetMetadataBytes: 4_096,
      assignors: ['uniform', 'range'],
    },
    ownershipCheckIntervalMs: 100,
    log: silentLogger(),
    ...overrides,
  };
}
