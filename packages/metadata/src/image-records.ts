/**
 * An image as the records that rebuild it from empty, in a fixed order (features, brokers,
 * topics each followed by their partitions, configs, producer ids, ACLs) — what a snapshot holds.
 * Two images are equal exactly when these sequences are equal.
 */
import type { MetadataImage } from './metadata-image';
import type { MetadataRecord, PartitionRecord } from './records';

/** Generates records lazily so a million-partition image never exists twice in memory. */
export function* imageRecords(image: MetadataImage): Generator<MetadataRecord> {
  for (const [name, level] of image.features.sortedLevels()) yield { type: 'FeatureLevel', name, level };
  for (const broker of image.cluster.brokers()) {
    yield {
      type: 'BrokerRegistration',
      brokerId: broker.brokerId,
      brokerEpoch: broker.brokerEpoch,
      incarnationId: broker.incarnationId,
      listeners: broker.listeners.map((listener) => ({ ...listener })),
      rack: broker.rack,
      fenced: broker.fenced,
      ...(broker.logDirs === undefined ? {} : { logDirs: [...broker.logDirs] }),
      ...(broker.replicasLost === true ? { replicasLost: true as const } : {}),
    };
  }
  for (const topic of image.topics.sortedTopics()) {
    yield { type: 'Topic', name: topic.name, topicId: topic.topicId };
    for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++) {
      const partition = topic.partitions.getPlain(partitionId);
      if (partition === undefined) throw new Error(`assertion: topic ${topic.topicId} lacks partition ${partitionId}`);
      const record: PartitionRecord = {
        type: 'Partition',
        topicId: topic.topicId,
        partitionId,
        replicas: partition.replicas,
        isr: partition.isr,
        leader: partition.leader,
        leaderEpoch: partition.leaderEpoch,
        partitionEpoch: partition.partitionEpoch,
      };
      // Like Kafka, ELR and a reassignment are written only when present, so images without
      // them stay at the oldest record version (see versionFor).
      yield {
        ...record,
        ...(partition.eligibleLeaderReplicas.length > 0
          ? { eligibleLeaderReplicas: partition.eligibleLeaderReplicas }
          : {}),
        ...(partition.addingReplicas.length > 0 || partition.removingReplicas.length > 0
          ? { addingReplicas: partition.addingReplicas, removingReplicas: partition.removingReplicas }
          : {}),
      };
    }
  }
  for (const resource of image.configs.sortedResources()) {
    const names = [...resource.entries.keys()].sort();
    for (const name of names) {
      yield {
        type: 'Config',
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        name,
        value: resource.entries.get(name) as string,
      };
    }
  }
  if (!image.producerIds.isEmpty) {
    // Like Kafka's snapshot, the block's owner is not part of the image.
    yield { type: 'ProducerIds', brokerId: -1, brokerEpoch: -1, nextProducerId: image.producerIds.nextProducerId };
  }
  for (const acl of image.acls.sortedEntries()) yield { type: 'AccessControlEntry', ...acl };
}

/** How many records `imageRecords` yields, computed without generating them. */
export function imageRecordCount(image: MetadataImage): number {
  let count = image.features.size + image.cluster.size + image.topics.topicCount + image.topics.partitionCount;
  for (const resource of image.configs.sortedResources()) count += resource.entries.size;
  if (!image.producerIds.isEmpty) count++;
  return count + image.acls.size;
}
