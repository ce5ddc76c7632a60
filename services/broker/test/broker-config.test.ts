import { ConfigError } from '@sluice/runtime';
import { loadBrokerConfig } from '../src/config/broker-config';

const BASE = {
  'node.id': 4,
  'process.roles': 'broker',
  'controller.quorum.voters': '1@10.0.0.1:9093,2@[::1]:9093',
  'log.dirs': '/data/a',
};

describe('loadBrokerConfig', () => {
  it('takes the first non-controller listener and the quorum addresses', () => {
    const config = loadBrokerConfig({
      overrides: {
        ...BASE,
        listeners: 'CONTROLLER://:9093,PLAINTEXT://127.0.0.1:0',
        'advertised.listeners': 'PLAINTEXT://broker-4.example:9092',
      },
    });
    expect(config).toMatchObject({
      nodeId: 4,
      listenerName: 'PLAINTEXT',
      bindHost: '127.0.0.1',
      bindPort: 0,
      advertisedHost: 'broker-4.example',
      advertisedPort: 9092,
      controllerAddresses: ['10.0.0.1:9093', '[::1]:9093'],
      logDirs: ['/data/a'],
    });
    expect(config.raw['message.max.bytes']).toBe(1024 * 1024 + 12);
    expect(config.raw['replica.lag.time.max.ms']).toBe(30_000);
  });

  it('binds all interfaces for an empty host and advertises loopback', () => {
    expect(loadBrokerConfig({ overrides: BASE })).toMatchObject({
      bindHost: '0.0.0.0',
      bindPort: 9092,
      advertisedHost: '127.0.0.1',
      advertisedPort: 0,
    });
  });

  it.each([
    [{ 'process.roles': 'controller', 'controller.quorum.voters': '4@h:9093' }, 'process.roles'],
    [{ 'process.roles': 'broker,controller', 'controller.quorum.voters': '4@h:9093' }, 'process.roles'],
    [{ 'controller.quorum.voters': '' }, 'controller.quorum.voters'],
    [{ listeners: 'CONTROLLER://:9093' }, 'listeners'],
    [{ 'message.max.bytes': 'big' }, 'message.max.bytes'],
    [{ 'log.dir.min.free.bytes': 1_000, 'log.dir.throttle.free.bytes': 1_000 }, 'log.dir.throttle.free.bytes'],
    [{ 'log.dir.throttle.max.ms': 0 }, 'log.dir.throttle.max.ms'],
  ])('refuses %j naming %s', (override, key) => {
    let error: unknown;
    try {
      loadBrokerConfig({ overrides: { ...BASE, ...override } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
  });
});
