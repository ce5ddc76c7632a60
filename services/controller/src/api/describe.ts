/** Read-only answers built from an image (any controller may serve them; no Raft round trip). */
import { planTopicPage, type MetadataImage, type PartitionRegistration, type TopicImage } from '@sluice/metadata';
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

function describeTopic(
  image: MetadataImage,
  topic: TopicImage,
  firstPartition: number,
  endPartition: number,
): pb.TopicDescription {
  const partitions: pb.PartitionDescription[] = [];
  for (let id = firstPartition; id < endPartition; id++) {
    const partition = topic.partition(id);
    if (partition !== undefined) partitions.push(describePartition(id, partition));
  }
  const configs: Record<string, string> = {};
  const resource = image.configs.resource('topic', topic.name);
  if (resource !== undefined) for (const [name, value] of resource.entries) configs[name] = value;
  return { name: topic.name, topicId: topic.topicId, errorName: '', errorMessage: '', partitions, configs };
}

/**
 * One page of DescribeTopics (see @sluice/metadata's planTopicPage): every topic in name order
 * or the named ones in the order asked, at most `response_partition_limit` partitions, and the
 * cursor of the next page. A bad cursor or limit is INVALID_REQUEST.
 */
export function describeTopics(
  image: MetadataImage,
  request: pb.DescribeTopicsRequest__Output,
): pb.DescribeTopicsResponse {
  const page = planTopicPage(image, {
    names: request.names ?? [],
    cursor: request.cursor ?? null,
    partitionLimit: request.responsePartitionLimit ?? 0,
  });
  const topics = page.entries.map((entry): pb.TopicDescription =>
    entry.kind === 'unknown'
      ? {
          name: entry.name,
          topicId: '',
          errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
          errorMessage: `topic ${entry.name} does not exist`,
          partitions: [],
          configs: {},
        }
      : describeTopic(image, entry.topic, entry.firstPartition, entry.endPartition),
  );
  return {
    topics,
    metadataOffset: String(Math.max(0, image.provenance.lastContainedOffset)),
    nextCursor: page.nextCursor,
  };
}
