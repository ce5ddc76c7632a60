/** Read-only views of the image for DescribeCluster / DescribeTopics. */
import type { Listener, MetadataImage, TopicImage } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { MAX_REQUEST_ENTRIES } from './limits';

export interface BrokerDescription {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly rack: string | null;
  readonly listeners: readonly Listener[];
  readonly fenced: boolean;
}

export interface ClusterDescription {
  readonly clusterId: string;
  readonly brokers: readonly BrokerDescription[];
  readonly topicCount: number;
  readonly partitionCount: number;
  readonly metadataOffset: number;
  readonly features: Readonly<Record<string, number>>;
}

export interface PartitionDescription {
  readonly partitionId: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** Replicas on brokers that are fenced or unregistered. */
  readonly offlineReplicas: readonly number[];
}

export interface TopicDescription {
  readonly name: string;
  readonly topicId?: string;
  readonly partitions?: readonly PartitionDescription[];
  /** Explicitly set topic configs. */
  readonly configs?: Readonly<Record<string, string>>;
  readonly error?: ApiError;
}

export function describeCluster(image: MetadataImage, clusterId: string): ClusterDescription {
  return {
    clusterId,
    brokers: image.cluster.brokers().map((b) => ({
      brokerId: b.brokerId,
      brokerEpoch: b.brokerEpoch,
      rack: b.rack,
      listeners: b.listeners,
      fenced: b.fenced,
    })),
    topicCount: image.topics.topicCount,
    partitionCount: image.topics.partitionCount,
    metadataOffset: image.provenance.lastContainedOffset,
    features: Object.fromEntries(image.features.sortedLevels()),
  };
}

function describeTopic(image: MetadataImage, topic: TopicImage): TopicDescription {
  const partitions: PartitionDescription[] = [];
  for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++) {
    const p = topic.partitions.getPlain(partitionId);
    if (p === undefined) continue;
    partitions.push({
      partitionId,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      replicas: p.replicas,
      isr: p.isr,
      offlineReplicas: p.replicas.filter((id) => image.cluster.isFenced(id)),
    });
  }
  const entries = image.configs.resource('topic', topic.name)?.entries;
  return { name: topic.name, topicId: topic.topicId, partitions, configs: Object.fromEntries(entries ?? []) };
}

/** Named topics (unknown ones get UNKNOWN_TOPIC_OR_PARTITION), or every topic by name when `names` is omitted. */
export function describeTopics(image: MetadataImage, names?: readonly string[]): TopicDescription[] {
  if (names === undefined) {
    return [...image.topics.topics()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((t) => describeTopic(image, t));
  }
  if (names.length > MAX_REQUEST_ENTRIES)
    throw new ApiError('INVALID_REQUEST', `${names.length} topics exceed the limit of ${MAX_REQUEST_ENTRIES}`);
  return names.map((name) => {
    const topic = image.topics.topicByName(name);
    return topic === undefined
      ? { name, error: new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${JSON.stringify(name)} does not exist`) }
      : describeTopic(image, topic);
  });
}
