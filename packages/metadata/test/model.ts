/**
 * A deliberately naive model of metadata replay: plain objects, deep copies, no structural
 * sharing. The model-based test checks MetadataDelta/MetadataImage against it.
 */
import type { MetadataRecord } from '@sluice/metadata';

interface ModelBroker {
  brokerId: number;
  brokerEpoch: number;
  incarnationId: string;
  listeners: { name: string; host: string; port: number }[];
  rack: string | null;
  fenced: boolean;
  logDirs?: string[];
  replicasLost?: true;
}

interface ModelPartition {
  replicas: number[];
  isr: number[];
  elr: number[];
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
}

export interface Model {
  brokers: Map<number, ModelBroker>;
  topics: Map<string, { name: string; partitions: ModelPartition[] }>;
  configs: Map<string, { resourceType: string; resourceName: string; entries: Map<string, string> }>;
  nextProducerId: number;
  features: Map<string, number>;
}

export function emptyModel(): Model {
  return { brokers: new Map(), topics: new Map(), configs: new Map(), nextProducerId: -1, features: new Map() };
}

function clone(model: Model): Model {
  return structuredClone(model);
}

function partitionError(p: ModelPartition): string | undefined {
  const unique = (xs: number[]): boolean => new Set(xs).size === xs.length;
  if (p.replicas.length === 0) return 'InvalidPartitionStateError';
  if (!unique(p.replicas) || !unique(p.isr) || !unique(p.elr)) return 'InvalidPartitionStateError';
  if ([...p.replicas, ...p.isr, ...p.elr].some((id) => id < 0)) return 'InvalidPartitionStateError';
  if (!p.isr.every((id) => p.replicas.includes(id))) return 'InvalidPartitionStateError';
  if (!p.elr.every((id) => p.replicas.includes(id) && !p.isr.includes(id))) return 'InvalidPartitionStateError';
  if (p.leader !== -1 && !p.isr.includes(p.leader)) return 'InvalidPartitionStateError';
  if (p.leaderEpoch < 0 || p.partitionEpoch < 0) return 'InvalidPartitionStateError';
  return undefined;
}

/** Returns the next model, or the name of the error the real implementation must throw. */
export function modelApply(model: Model, record: MetadataRecord): Model | string {
  const next = clone(model);
  switch (record.type) {
    case 'AccessControlEntry':
    case 'RemoveAccessControlEntry':
      throw new Error('the model does not cover ACLs (acls.test.ts checks them against their own model)');
    case 'BrokerRegistration': {
      const existing = next.brokers.get(record.brokerId);
      if (existing !== undefined && record.brokerEpoch <= existing.brokerEpoch) return 'StaleBrokerEpochError';
      const { brokerId, brokerEpoch, incarnationId, listeners, rack, fenced, logDirs, replicasLost } = record;
      next.brokers.set(brokerId, {
        brokerId,
        brokerEpoch,
        incarnationId,
        listeners: listeners.map((l) => ({ ...l })),
        rack,
        fenced,
        ...(logDirs === undefined ? {} : { logDirs: [...logDirs] }),
        ...(replicasLost === true ? { replicasLost } : {}),
      });
      return next;
    }
    case 'FenceBroker':
    case 'UnfenceBroker':
    case 'UnregisterBroker': {
      const existing = next.brokers.get(record.brokerId);
      if (existing === undefined) return 'UnknownBrokerError';
      if (existing.brokerEpoch !== record.brokerEpoch) return 'StaleBrokerEpochError';
      if (record.type === 'UnregisterBroker') next.brokers.delete(record.brokerId);
      else existing.fenced = record.type === 'FenceBroker';
      if (record.type === 'UnfenceBroker') delete existing.replicasLost;
      return next;
    }
    case 'Topic': {
      if (!/^[a-zA-Z0-9._-]{1,249}$/.test(record.name) || record.name === '.' || record.name === '..')
        return 'InvalidTopicNameError';
      if (next.topics.has(record.topicId)) return 'DuplicateTopicIdError';
      if ([...next.topics.values()].some((t) => t.name === record.name)) return 'DuplicateTopicNameError';
      next.topics.set(record.topicId, { name: record.name, partitions: [] });
      return next;
    }
    case 'RemoveTopic': {
      const topic = next.topics.get(record.topicId);
      if (topic === undefined) return 'UnknownTopicError';
      next.topics.delete(record.topicId);
      next.configs.delete(`topic:${topic.name}`);
      return next;
    }
    case 'Partition': {
      const topic = next.topics.get(record.topicId);
      if (topic === undefined) return 'UnknownTopicError';
      if (record.partitionId < topic.partitions.length) return 'DuplicatePartitionError';
      if (record.partitionId !== topic.partitions.length) return 'NonContiguousPartitionError';
      const partition: ModelPartition = {
        replicas: [...record.replicas],
        isr: [...record.isr],
        elr: [...(record.eligibleLeaderReplicas ?? [])],
        leader: record.leader,
        leaderEpoch: record.leaderEpoch,
        partitionEpoch: record.partitionEpoch,
      };
      const error = partitionError(partition);
      if (error !== undefined) return error;
      topic.partitions.push(partition);
      return next;
    }
    case 'PartitionChange': {
      const topic = next.topics.get(record.topicId);
      if (topic === undefined) return 'UnknownTopicError';
      const current = topic.partitions[record.partitionId];
      if (current === undefined) return 'UnknownPartitionError';
      const changed: ModelPartition = {
        replicas: [...(record.replicas ?? current.replicas)],
        isr: [...(record.isr ?? current.isr)],
        elr: [...(record.eligibleLeaderReplicas ?? current.elr)],
        leader: record.leader ?? current.leader,
        leaderEpoch: record.leader === undefined ? current.leaderEpoch : current.leaderEpoch + 1,
        partitionEpoch: current.partitionEpoch + 1,
      };
      const error = partitionError(changed);
      if (error !== undefined) return error;
      topic.partitions[record.partitionId] = changed;
      return next;
    }
    case 'Config': {
      if (record.name === '') return 'InvalidConfigRecordError';
      if ((record.resourceType === 'cluster') !== (record.resourceName === '')) return 'InvalidConfigRecordError';
      const key = `${record.resourceType}:${record.resourceName}`;
      const resource = next.configs.get(key) ?? {
        resourceType: record.resourceType,
        resourceName: record.resourceName,
        entries: new Map(),
      };
      if (record.value === null) resource.entries.delete(record.name);
      else resource.entries.set(record.name, record.value);
      if (resource.entries.size === 0) next.configs.delete(key);
      else next.configs.set(key, resource);
      return next;
    }
    case 'ProducerIds':
      if (record.nextProducerId <= next.nextProducerId) return 'ProducerIdRegressionError';
      next.nextProducerId = record.nextProducerId;
      return next;
    case 'FeatureLevel':
      if (record.name === '' || record.level < 0 || record.level > 32767) return 'InvalidFeatureLevelError';
      if (record.level === 0) next.features.delete(record.name);
      else next.features.set(record.name, record.level);
      return next;
  }
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The model in imageRecords' canonical order. */
export function modelRecords(model: Model): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const [name, level] of [...model.features].sort(([a], [b]) => byString(a, b)))
    out.push({ type: 'FeatureLevel', name, level });
  for (const broker of [...model.brokers.values()].sort((a, b) => a.brokerId - b.brokerId))
    out.push({ type: 'BrokerRegistration', ...broker });
  for (const [topicId, topic] of [...model.topics].sort(([a], [b]) => byString(a, b))) {
    out.push({ type: 'Topic', name: topic.name, topicId });
    topic.partitions.forEach((p, partitionId) =>
      out.push({
        type: 'Partition',
        topicId,
        partitionId,
        replicas: p.replicas,
        isr: p.isr,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
        ...(p.elr.length > 0 ? { eligibleLeaderReplicas: p.elr } : {}),
      }),
    );
  }
  for (const [, resource] of [...model.configs].sort(([a], [b]) => byString(a, b))) {
    for (const name of [...resource.entries.keys()].sort()) {
      out.push({
        type: 'Config',
        resourceType: resource.resourceType as 'topic' | 'broker' | 'cluster',
        resourceName: resource.resourceName,
        name,
        value: resource.entries.get(name) as string,
      });
    }
  }
  if (model.nextProducerId !== -1)
    out.push({ type: 'ProducerIds', brokerId: -1, brokerEpoch: -1, nextProducerId: model.nextProducerId });
  return out;
}

/**
 * Three times in four, bends a random record towards the model's current state (right epoch,
 * next partition id, an existing partition) so that long valid histories are common; the
 * fourth time the record stays as generated and is often invalid.
 */
export function steer(model: Model, record: MetadataRecord, seed: number): MetadataRecord {
  if (seed % 4 === 0) return record;
  switch (record.type) {
    case 'BrokerRegistration':
      return { ...record, brokerEpoch: (model.brokers.get(record.brokerId)?.brokerEpoch ?? 0) + 1 + (seed % 3) };
    case 'FenceBroker':
    case 'UnfenceBroker':
    case 'UnregisterBroker':
      return { ...record, brokerEpoch: model.brokers.get(record.brokerId)?.brokerEpoch ?? record.brokerEpoch };
    case 'Partition': {
      const topic = model.topics.get(record.topicId);
      return { ...record, partitionId: topic?.partitions.length ?? record.partitionId };
    }
    case 'PartitionChange': {
      const topic = model.topics.get(record.topicId);
      const count = topic?.partitions.length ?? 0;
      if (topic === undefined || count === 0) return record;
      const partitionId = seed % count;
      const current = topic.partitions[partitionId];
      if (current === undefined) return record;
      // Keep the new ISR inside the replicas and the leader inside the ISR.
      const replicas = record.replicas !== undefined && record.replicas.length > 0 ? record.replicas : current.replicas;
      const isr = (record.isr ?? current.isr).filter((id) => replicas.includes(id));
      const leader =
        record.leader === undefined ? undefined : isr.includes(record.leader) ? record.leader : (isr[0] ?? -1);
      const keepLeader = leader === undefined && current.leader !== -1 && !isr.includes(current.leader);
      return {
        type: 'PartitionChange',
        topicId: record.topicId,
        partitionId,
        ...(record.replicas !== undefined ? { replicas } : {}),
        isr,
        ...(leader !== undefined ? { leader } : keepLeader ? { leader: isr[0] ?? -1 } : {}),
        ...(seed % 3 === 0 ? { eligibleLeaderReplicas: replicas.filter((id) => !isr.includes(id)).slice(0, 1) } : {}),
      };
    }
    case 'ProducerIds':
      return { ...record, nextProducerId: Math.max(model.nextProducerId, 0) + 1 + (seed % 1000) };
    default:
      return record;
  }
}
