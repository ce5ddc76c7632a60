/** Test support: a ReplicaManager on a real directory, fed a two-broker image where broker 1 leads t-0. */
import { MetadataDelta, MetadataImage } from '@sluice/metadata';
import { randomKafkaUuid, silentLogger } from '@sluice/runtime';
import { ReplicaManager } from '../../src/node/replica-manager';

const TOPIC_ID = randomKafkaUuid();

/** The image, with `topicConfigs` as t's dynamic configs. */
export function image(topicConfigs: Readonly<Record<string, string>> = {}): MetadataImage {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  for (const brokerId of [1, 2]) {
    delta.replay({
      type: 'BrokerRegistration',
      brokerId,
      brokerEpoch: 1,
      incarnationId: randomKafkaUuid(),
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 1 }],
      rack: null,
      fenced: false,
    });
  }
  delta.replay({ type: 'Topic', name: 't', topicId: TOPIC_ID });
  delta.replay({
    type: 'Partition',
    topicId: TOPIC_ID,
    partitionId: 0,
    replicas: [1, 2],
    isr: [1, 2],
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
  });
  for (const [name, value] of Object.entries(topicConfigs))
    delta.replay({ type: 'Config', resourceType: 'topic', resourceName: 't', name, value });
  return delta.apply({ lastContainedOffset: 1, lastContainedEpoch: 1 });
}

/** `image` changed by topic config records (a null value deletes the config). */
export function withTopicConfigs(base: MetadataImage, configs: Readonly<Record<string, string | null>>): MetadataImage {
  const delta = new MetadataDelta(base);
  for (const [name, value] of Object.entries(configs))
    delta.replay({ type: 'Config', resourceType: 'topic', resourceName: 't', name, value });
  return delta.apply({ lastContainedOffset: 2, lastContainedEpoch: 1 });
}

export function manager(logDir: string, topicConfigs: Readonly<Record<string, string>> = {}): ReplicaManager {
  const m = new ReplicaManager({
    brokerId: 1,
    logDir,
    log: silentLogger(),
    maxMessageBytes: 1024 * 1024 + 12,
    minInsyncReplicas: 1,
    replicaLagTimeMaxMs: 30_000,
    alterPartition: () => Promise.reject(new Error('not expected')),
    onFollowersChanged: () => undefined,
  });
  m.setFenced(false);
  m.applyImage(image(topicConfigs));
  return m;
}
