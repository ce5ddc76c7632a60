/**
 * The coordinator's configuration reaches the node and its GroupShards: the assignment interval
 * (group.consumer.assignment.interval.ms, KIP-1263) and message.max.bytes (the internal topics'
 * max.message.bytes and the coordinator's batch limit).
 */
import { ConfigError, loadSluiceConfig, silentLogger } from '@sluice/runtime';
import { coordinatorNodeOptionsFrom, loadCoordinatorConfig } from '../src/config/coordinator-config';

const BASE = {
  'node.id': 2,
  'process.roles': 'coordinator',
  'controller.quorum.voters': '1@127.0.0.1:9093',
  'coordinator.broker': '127.0.0.1:9092',
  listeners: 'COORD://127.0.0.1:0',
};

describe('coordinator config', () => {
  it('defaults group.consumer.assignment.interval.ms to 1000 (Kafka 4.3) and message.max.bytes to 1 MiB + 12', () => {
    const options = coordinatorNodeOptionsFrom(loadCoordinatorConfig({ overrides: BASE }), silentLogger());
    expect(options.groups.assignmentIntervalMs).toBe(1_000);
    expect(options.maxMessageBytes).toBe(1024 * 1024 + 12);
  });

  it('passes group.consumer.assignment.interval.ms and message.max.bytes through, from a file, env or overrides', () => {
    const fromOverrides = coordinatorNodeOptionsFrom(
      loadCoordinatorConfig({
        overrides: { ...BASE, 'group.consumer.assignment.interval.ms': 0, 'message.max.bytes': 4_096 },
      }),
      silentLogger(),
    );
    expect(fromOverrides.groups.assignmentIntervalMs).toBe(0);
    expect(fromOverrides.maxMessageBytes).toBe(4_096);
    const fromEnv = loadCoordinatorConfig({
      overrides: BASE,
      env: { SLUICE_GROUP_CONSUMER_ASSIGNMENT_INTERVAL_MS: '250' },
    });
    expect(coordinatorNodeOptionsFrom(fromEnv, silentLogger()).groups.assignmentIntervalMs).toBe(250);
    expect(fromEnv.unknownKeys).toEqual([]);
  });

  it('refuses a negative or non-integer interval with a ConfigError naming the key', () => {
    for (const bad of [-1, 'soon', 1.5]) {
      let caught: unknown;
      try {
        loadSluiceConfig({ overrides: { ...BASE, 'group.consumer.assignment.interval.ms': bad } });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).key).toBe('group.consumer.assignment.interval.ms');
    }
  });
});
