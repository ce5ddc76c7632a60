/** The broker's share group settings: Kafka's keys and defaults, their bounds, and how they reach the BrokerNode. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinatorShareStatePersister } from '@sluice/client';
import { LocalCluster } from '@sluice/local-cluster';
import { ConfigError, silentLogger, type Loggers } from '@sluice/runtime';
import { brokerNodeOptionsFrom } from '../src/node-options';
import { loadBrokerConfig } from '../src/config/broker-config';
import { defaultShareStatePersisterFactory, shareUnavailableReason } from '../src/node/share-state-persister-factory';

const BASE = {
  'node.id': 4,
  'process.roles': 'broker',
  'controller.quorum.voters': '1@10.0.0.1:9093',
  'log.dirs': '/data/a',
};
const loggers: Loggers = { log: silentLogger(), audit: silentLogger(), flush: () => undefined };

describe('share group broker config', () => {
  it("has Kafka's defaults and no share coordinator unless configured", () => {
    const options = brokerNodeOptionsFrom(loadBrokerConfig({ overrides: BASE }), 'cluster', loggers);
    expect(options.share).toEqual({
      config: { recordLockDurationMs: 30_000, deliveryCountLimit: 5, maxInFlightRecords: 2_000 },
      coordinatorAddresses: [],
    });
    expect(shareUnavailableReason([])).toMatch(/share.coordinator.addresses is empty/);
  });

  it('takes the share keys and the coordinator addresses', () => {
    const config = loadBrokerConfig({
      overrides: {
        ...BASE,
        'group.share.record.lock.duration.ms': 1_000,
        'group.share.delivery.count.limit': 3,
        'group.share.partition.max.record.locks': 500,
        'share.coordinator.addresses': '10.0.0.7:9095,10.0.0.8:9095',
      },
    });
    expect(brokerNodeOptionsFrom(config, 'cluster', loggers).share).toEqual({
      config: { recordLockDurationMs: 1_000, deliveryCountLimit: 3, maxInFlightRecords: 500 },
      coordinatorAddresses: ['10.0.0.7:9095', '10.0.0.8:9095'],
    });
    // The default factory builds the coordinator-backed persister; with no addresses there is none, and it says so.
    const opened = defaultShareStatePersisterFactory(['10.0.0.7:9095']);
    expect(opened?.persister).toBeInstanceOf(CoordinatorShareStatePersister);
    opened?.close();
    expect(defaultShareStatePersisterFactory([])).toBeNull();
    expect(shareUnavailableReason([])).toMatch(/share.coordinator.addresses is empty/);
  });

  it.each([
    ['group.share.record.lock.duration.ms', 999],
    ['group.share.delivery.count.limit', 1],
    ['group.share.delivery.count.limit', 11],
    ['group.share.partition.max.record.locks', 10_001],
  ])('refuses %s=%d', (key, value) => {
    expect(() => loadBrokerConfig({ overrides: { ...BASE, [key]: value } })).toThrow(ConfigError);
  });

  it('LocalCluster passes share.coordinator.addresses (its coordinators) to every broker', async () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'sluice-share-config-'));
    try {
      const cluster = await LocalCluster.create({ baseDir, roles: { controller: { count: 1 }, broker: { count: 2 } } });
      expect(cluster.coordinators.addresses()).toHaveLength(2);
      for (const id of cluster.brokers.nodeIds) {
        expect(readFileSync(join(baseDir, `broker-${id}.properties`), 'utf8')).toContain(
          `share.coordinator.addresses=${cluster.coordinators.addresses().join(',')}\n`,
        );
      }
    } finally {
      rmSync(baseDir, { recursive: true, force: true });
    }
  });
});
