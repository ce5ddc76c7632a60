/**
 * The broker's Metadata answer from its metadata image, paged like the controller's
 * DescribeTopics (@sluice/metadata's planTopicPage): every page lists the unfenced brokers, at
 * most `response_partition_limit` partitions, and the cursor of the next page.
 */
import { planTopicPage, type MetadataImage, type TopicImage } from '@sluice/metadata';
import type * as pb from '@sluice/proto';

function topicMetadata(topic: TopicImage, firstPartition: number, endPartition: number): pb.TopicMetadata {
  const partitions: pb.PartitionMetadata[] = [];
  for (let p = firstPartition; p < endPartition; p++) {
    const registration = topic.partition(p);
    if (registration === undefined) continue;
    partitions.push({
      partition: p,
      leader: registration.leader,
      leaderEpoch: registration.leaderEpoch,
      replicas: [...registration.replicas],
      isr: [...registration.isr],
    });
  }
  return { name: topic.name, topicId: topic.topicId, errorName: '', errorMessage: '', partitions };
}

export function metadataAnswer(
  image: MetadataImage,
  clusterId: string,
  request: pb.MetadataRequest__Output,
): pb.MetadataResponse {
  const page = planTopicPage(image, {
    names: request.topics ?? [],
    cursor: request.cursor ?? null,
    partitionLimit: request.responsePartitionLimit ?? 0,
  });
  return {
    clusterId,
    metadataOffset: image.provenance.lastContainedOffset,
    brokers: image.cluster
      .brokers()
      .filter((b) => !b.fenced)
      .map((b) => ({
        brokerId: b.brokerId,
        listeners: b.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
        rack: b.rack ?? '',
      })),
    topics: page.entries.map((entry) =>
      entry.kind === 'unknown'
        ? {
            name: entry.name,
            topicId: '',
            errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
            errorMessage: `topic ${entry.name} does not exist`,
            partitions: [],
          }
        : topicMetadata(entry.topic, entry.firstPartition, entry.endPartition),
    ),
    nextCursor: page.nextCursor,
  };
}
