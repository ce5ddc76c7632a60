/** Read-only answers built from an image (any controller may serve them; no Raft round trip). */
import type { MetadataImage, PartitionRegistration, TopicImage } from '@sluice/metadata';
import type * as pb from '@sluice/proto';

export function describeBrokers(image: MetadataImage): pb.BrokerDescription[] {
  return image.cluster.brokers().map((broker) => ({
    brokerId: broker.brokerId,
    brokerEpoch: String(broker.brokerEpoch),
    listeners: broker.listeners.map((listener) => ({ name: listener.name, host: listener.host, port: listener.port })),
    rack: broker.rack ?? '',
    fenced: broker.fenced,
  }));
}

function describePartition(partitionId: number, partition: PartitionRegistration): pb.PartitionDescription {
  return {
    partition: partitionId,
    leader: partition.leader,
    leaderEpoch: partition.leaderEpoch,
    partitionEpoch: partition.partitionEpoch,
    replicas: Array.from(partition.replicas),
    isr: Array.from(partition.isr),
    eligibleLeaderReplicas: Array.from(partition.eligibleLeaderReplicas),
  };
}

function describeTopic(image: MetadataImage, topic: TopicImage): pb.TopicDescription {
  const partitions: pb.PartitionDescription[] = [];
  for (let id = 0; id < topic.partitionCount; id++) {
    const partition = topic.partition(id);
    if (partition !== undefined) partitions.push(describePartition(id, partition));
  }
  const configs: Record<string, string> = {};
  const resource = image.configs.resource('topic', topic.name);
  if (resource !== undefined) for (const [name, value] of resource.entries) configs[name] = value;
  return { name: topic.name, topicId: topic.topicId, errorName: '', errorMessage: '', partitions, configs };
}

export function describeTopics(image: MetadataImage, names: readonly string[]): pb.DescribeTopicsResponse {
  const topics: pb.TopicDescription[] = [];
  if (names.length === 0) {
    for (const topic of image.topics.sortedTopics()) topics.push(describeTopic(image, topic));
  } else {
    for (const name of names) {
      const topic = image.topics.topicByName(name);
      topics.push(
        topic === undefined
          ? {
              name,
              topicId: '',
              errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
              errorMessage: `topic ${name} does not exist`,
              partitions: [],
              configs: {},
            }
          : describeTopic(image, topic),
      );
    }
  }
  return { topics, metadataOffset: String(Math.max(0, image.provenance.lastContainedOffset)) };
}
