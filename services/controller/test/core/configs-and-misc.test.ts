import { ApiError } from '@sluice/protocol';
import { ControllerCore, PRODUCER_ID_BLOCK_SIZE, seededRng, TOPIC_CONFIGS, configValueProblem } from '../../src/core';
import { Harness } from './harness';
import { MetadataImage } from '@sluice/metadata';

describe('alterConfigs', () => {
  it('sets, deletes, appends and subtracts topic configs, writing only real changes', () => {
    const h = new Harness().brokers(1);
    h.topic('t', 1, 1, { 'retention.ms': '1000' });
    const result = h.core.alterConfigs(h.image, { type: 'topic', name: 't' }, [
      { name: 'retention.ms', op: 'delete' },
      { name: 'cleanup.policy', op: 'append', value: 'compact' },
      { name: 'min.insync.replicas', value: '2' },
    ]);
    expect(result.records).toEqual([
      { type: 'Config', resourceType: 'topic', resourceName: 't', name: 'retention.ms', value: null },
      { type: 'Config', resourceType: 'topic', resourceName: 't', name: 'cleanup.policy', value: 'delete,compact' },
      { type: 'Config', resourceType: 'topic', resourceName: 't', name: 'min.insync.replicas', value: '2' },
    ]);
    expect(result.summary).toContain('retention.ms 1000 -> (default)');
    h.commit(result);
    expect(h.image.configs.resource('topic', 't')?.entries).toEqual(
      new Map([
        ['cleanup.policy', 'delete,compact'],
        ['min.insync.replicas', '2'],
      ]),
    );
    h.commit(
      h.core.alterConfigs(h.image, { type: 'topic', name: 't' }, [
        { name: 'cleanup.policy', op: 'subtract', value: 'delete' },
      ]),
    );
    expect(h.image.configs.value('topic', 't', 'cleanup.policy')).toBe('compact');
    expect(
      h.core.alterConfigs(h.image, { type: 'topic', name: 't' }, [{ name: 'min.insync.replicas', value: '2' }]).records,
    ).toEqual([]);
  });

  it('validates resources, names, values and operations, changing nothing on error', () => {
    const h = new Harness().brokers(1);
    h.topic('t', 1, 1, { 'cleanup.policy': 'compact' });
    const topic = { type: 'topic' as const, name: 't' };
    h.refuses('UNKNOWN_TOPIC_OR_PARTITION', () =>
      h.core.alterConfigs(h.image, { type: 'topic', name: 'nope' }, [{ name: 'retention.ms', value: '1' }]),
    );
    h.refuses('INVALID_REQUEST', () =>
      h.core.alterConfigs(h.image, { type: 'broker', name: 'x' }, [{ name: 'num.io.threads', value: '1' }]),
    );
    h.refuses('INVALID_REQUEST', () =>
      h.core.alterConfigs(h.image, { type: 'cluster', name: 'x' }, [{ name: 'num.io.threads', value: '1' }]),
    );
    h.refuses('INVALID_CONFIG', () =>
      h.core.alterConfigs(h.image, topic, [
        { name: 'retention.ms', value: '1' },
        { name: 'bogus', value: '1' },
      ]),
    );
    h.refuses('INVALID_CONFIG', () =>
      h.core.alterConfigs(h.image, topic, [{ name: 'min.insync.replicas', value: '0' }]),
    );
    h.refuses('INVALID_CONFIG', () =>
      h.core.alterConfigs(h.image, topic, [{ name: 'retention.ms', op: 'append', value: '1' }]),
    );
    h.refuses('INVALID_CONFIG', () =>
      h.core.alterConfigs(h.image, topic, [{ name: 'cleanup.policy', op: 'subtract', value: 'compact' }]),
    );
    h.refuses('INVALID_REQUEST', () =>
      h.core.alterConfigs(h.image, topic, [
        { name: 'retention.ms', value: '1' },
        { name: 'retention.ms', value: '2' },
      ]),
    );
    h.refuses('INVALID_REQUEST', () => h.core.alterConfigs(h.image, topic, [{ name: 'retention.ms' }]));
    const error = h.refuses('INVALID_CONFIG', () =>
      h.core.alterConfigs(h.image, topic, [{ name: 'segment.ms', value: '0' }]),
    );
    expect(error.message).toContain('segment.ms');
    expect(error.message).toContain('at least 1');
  });

  it('broker and cluster resources; validateOnly writes nothing; cluster unclean default applies to elections', () => {
    const h = new Harness().brokers(1);
    expect(
      h.core.alterConfigs(h.image, { type: 'broker', name: '0' }, [{ name: 'num.io.threads', value: '16' }], {
        validateOnly: true,
      }).records,
    ).toEqual([]);
    h.commit(h.core.alterConfigs(h.image, { type: 'broker', name: '0' }, [{ name: 'num.io.threads', value: '16' }]));
    h.commit(
      h.core.alterConfigs(h.image, { type: 'cluster', name: '' }, [
        { name: 'unclean.leader.election.enable', value: 'true' },
      ]),
    );
    expect(h.image.configs.value('broker', '0', 'num.io.threads')).toBe('16');
    expect(h.image.configs.value('cluster', '', 'unclean.leader.election.enable')).toBe('true');
  });

  it('replication throttle: replica lists and per-broker / cluster-default rates, refusing malformed values by name', () => {
    const h = new Harness().brokers(2);
    h.topic('t', 2, 2);
    const topic = { type: 'topic' as const, name: 't' };
    h.commit(
      h.core.alterConfigs(h.image, topic, [
        { name: 'leader.replication.throttled.replicas', value: '0:0,0:1, 1:1' },
        { name: 'follower.replication.throttled.replicas', value: '*' },
      ]),
    );
    expect(h.image.configs.value('topic', 't', 'leader.replication.throttled.replicas')).toBe('0:0,0:1, 1:1');
    h.commit(
      h.core.alterConfigs(h.image, topic, [
        { name: 'leader.replication.throttled.replicas', op: 'append', value: '1:0' },
        { name: 'follower.replication.throttled.replicas', value: '' },
      ]),
    );
    expect(h.image.configs.value('topic', 't', 'leader.replication.throttled.replicas')).toBe('0:0,0:1,1:1,1:0');
    expect(h.image.configs.value('topic', 't', 'follower.replication.throttled.replicas')).toBe('');
    for (const bad of ['0-1', '0:1,x', '*,0:1', '-1:0', '0:1:2', '0:99999999999', '01:1']) {
      const error = h.refuses('INVALID_CONFIG', () =>
        h.core.alterConfigs(h.image, topic, [{ name: 'follower.replication.throttled.replicas', value: bad }]),
      );
      expect(error.message).toContain('follower.replication.throttled.replicas');
    }
    h.commit(
      h.core.alterConfigs(h.image, { type: 'broker', name: '1' }, [
        { name: 'leader.replication.throttled.rate', value: '10485760' },
        { name: 'follower.replication.throttled.rate', value: '10485760' },
      ]),
    );
    h.commit(
      h.core.alterConfigs(h.image, { type: 'cluster', name: '' }, [
        { name: 'leader.replication.throttled.rate', value: '1000' },
      ]),
    );
    expect(h.image.configs.value('broker', '1', 'follower.replication.throttled.rate')).toBe('10485760');
    expect(h.image.configs.value('cluster', '', 'leader.replication.throttled.rate')).toBe('1000');
    for (const bad of ['0', '-5', 'fast', '1.5']) {
      const error = h.refuses('INVALID_CONFIG', () =>
        h.core.alterConfigs(h.image, { type: 'broker', name: '1' }, [
          { name: 'leader.replication.throttled.rate', value: bad },
        ]),
      );
      expect(error.message).toContain('leader.replication.throttled.rate');
    }
  });

  it('parses Kafka types exactly, longs up to 2^63-1', () => {
    const def = (name: string) => {
      const found = TOPIC_CONFIGS.get(name);
      if (found === undefined) throw new Error(name);
      return found;
    };
    expect(configValueProblem(def('flush.messages'), '9223372036854775807')).toBeUndefined();
    expect(configValueProblem(def('flush.messages'), '9223372036854775808')).toContain('64-bit');
    expect(configValueProblem(def('segment.bytes'), '2147483648')).toContain('32-bit');
    expect(configValueProblem(def('min.cleanable.dirty.ratio'), '0.25')).toBeUndefined();
    expect(configValueProblem(def('min.cleanable.dirty.ratio'), '1.5')).toBeDefined();
    expect(configValueProblem(def('unclean.leader.election.enable'), 'TRUE')).toBeUndefined();
    expect(configValueProblem(def('unclean.leader.election.enable'), 'yes')).toBeDefined();
    expect(configValueProblem(def('message.timestamp.type'), 'LogAppendTime')).toBeUndefined();
    expect(configValueProblem(def('cleanup.policy'), 'compact,compact')).toBeDefined();
  });
});

describe('allocateProducerIds', () => {
  it('hands out consecutive blocks of 1000', () => {
    const h = new Harness().brokers(2);
    const first = h.commit(h.core.allocateProducerIds(h.image, { brokerId: 0, brokerEpoch: h.epoch(0) }));
    expect(first).toEqual({ producerIdStart: 0, producerIdLen: PRODUCER_ID_BLOCK_SIZE });
    const second = h.commit(h.core.allocateProducerIds(h.image, { brokerId: 1, brokerEpoch: h.epoch(1) }));
    expect(second.producerIdStart).toBe(1000);
    expect(h.image.producerIds.nextProducerId).toBe(2000);
    h.refuses('STALE_BROKER_EPOCH', () => h.core.allocateProducerIds(h.image, { brokerId: 0, brokerEpoch: 999 }));
    h.refuses('BROKER_ID_NOT_REGISTERED', () => h.core.allocateProducerIds(h.image, { brokerId: 5, brokerEpoch: 1 }));
  });
});

describe('bootstrap and describe', () => {
  it('bootstraps metadata.version once, with validated cluster configs', () => {
    const core = new ControllerCore({ clusterId: 'c1', rng: seededRng(1) });
    const result = core.bootstrapRecords(MetadataImage.EMPTY, [{ name: 'min.insync.replicas', value: '2' }]);
    expect(result.records).toEqual([
      { type: 'FeatureLevel', name: 'metadata.version', level: 1 },
      { type: 'Config', resourceType: 'cluster', resourceName: '', name: 'min.insync.replicas', value: '2' },
    ]);
    expect(() => core.bootstrapRecords(MetadataImage.EMPTY, [{ name: 'bogus', value: '1' }])).toThrow(ApiError);
    const h = new Harness();
    expect(() => h.core.bootstrapRecords(h.image)).toThrow(/already bootstrapped/);
  });

  it('describes the cluster and topics', () => {
    const h = new Harness().brokers(2, ['a', 'b']);
    h.topic('t', 2, 2, { 'retention.ms': '7' });
    const cluster = h.core.describeCluster(h.image);
    expect(cluster).toMatchObject({
      clusterId: 'sluice-test-cluster',
      topicCount: 1,
      partitionCount: 2,
      features: { 'metadata.version': 1 },
    });
    expect(cluster.brokers.map((b) => [b.brokerId, b.rack, b.fenced])).toEqual([
      [0, 'a', false],
      [1, 'b', false],
    ]);
    const [t, missing] = h.core.describeTopics(h.image, ['t', 'missing']);
    expect(t?.partitions?.length).toBe(2);
    expect(t?.configs).toEqual({ 'retention.ms': '7' });
    expect(t?.partitions?.[0]?.offlineReplicas).toEqual([]);
    expect(missing?.error?.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(h.core.describeTopics(h.image).map((d) => d.name)).toEqual(['t']);
  });
});
