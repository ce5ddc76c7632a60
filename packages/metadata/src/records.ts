/**
 * The records of the `__cluster_metadata` log. Each record type has a numeric type id (Kafka's
 * ids where Kafka has the record) and versions; the codec in `codec.ts` lays the bodies out.
 */

import type { AclBinding } from './acls';

/** Broker id meaning "no leader", as Kafka's LeaderConstants.NO_LEADER. */
export const NO_LEADER = -1;

export type ConfigResourceType = 'topic' | 'broker' | 'cluster';

export interface Listener {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** Kafka's RegisterBrokerRecord: a broker (re-)registers with a fresh, higher epoch. */
export interface BrokerRegistrationRecord {
  readonly type: 'BrokerRegistration';
  readonly brokerId: number;
  /** Kafka sets this to the offset of the registration record; strictly increases per broker. */
  readonly brokerEpoch: number;
  readonly incarnationId: string;
  readonly listeners: readonly Listener[];
  readonly rack: string | null;
  readonly fenced: boolean;
  /**
   * KIP-858: the `directory.id` of each of the broker's log directories (from meta.properties).
   * Absent: not reported (a version-0 record). Needs version 1.
   */
  readonly logDirs?: readonly string[];
  /**
   * The controller found a log directory of the broker's previous registration missing from
   * this one (a new disk, an emptied or re-formatted directory): the replicas it hosted may be
   * gone, so it leaves every ISR and ELR before it may be unfenced, and leads nothing it lost.
   * Present only when true; the broker's UnfenceBroker clears it. Needs version 1.
   */
  readonly replicasLost?: true;
}

export interface FenceBrokerRecord {
  readonly type: 'FenceBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface UnfenceBrokerRecord {
  readonly type: 'UnfenceBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface UnregisterBrokerRecord {
  readonly type: 'UnregisterBroker';
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface TopicRecord {
  readonly type: 'Topic';
  readonly name: string;
  readonly topicId: string;
}

/** Removes the topic, its partitions and its topic configs (as Kafka's MetadataDelta does). */
export interface RemoveTopicRecord {
  readonly type: 'RemoveTopic';
  readonly topicId: string;
}

export interface PartitionRecord {
  readonly type: 'Partition';
  readonly topicId: string;
  readonly partitionId: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  /** A broker id from `isr`, or NO_LEADER. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  /** KIP-966 eligible leader replicas; absent means none. Needs version 1. */
  readonly eligibleLeaderReplicas?: readonly number[];
  /** Replicas a reassignment adds (catching up, not yet in the target's ISR); absent means none. Needs version 2. */
  readonly addingReplicas?: readonly number[];
  /** Replicas a reassignment removes once every adding replica is in the ISR; absent means none. Needs version 2. */
  readonly removingReplicas?: readonly number[];
}

/**
 * A change to one partition, merged exactly as Kafka's PartitionRegistration.merge does:
 * an absent field keeps its value; a present `leader` (even the same broker) increments
 * leaderEpoch; every change record increments partitionEpoch.
 */
export interface PartitionChangeRecord {
  readonly type: 'PartitionChange';
  readonly topicId: string;
  readonly partitionId: number;
  readonly isr?: readonly number[];
  readonly leader?: number;
  readonly replicas?: readonly number[];
  /** Needs version 1. */
  readonly eligibleLeaderReplicas?: readonly number[];
  /** A reassignment's adding replicas; absent keeps them, [] clears them. Needs version 2. */
  readonly addingReplicas?: readonly number[];
  /** A reassignment's removing replicas; absent keeps them, [] clears them. Needs version 2. */
  readonly removingReplicas?: readonly number[];
}

/** Sets a config; `value: null` deletes it. Cluster-wide configs use resourceName ''. */
export interface ConfigRecord {
  readonly type: 'Config';
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly name: string;
  readonly value: string | null;
}

/** A block of producer ids handed to a broker; `nextProducerId` is the first id not yet handed out. */
export interface ProducerIdsRecord {
  readonly type: 'ProducerIds';
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly nextProducerId: number;
}

/** Sets a feature's finalized level; level 0 removes the feature, as in Kafka. */
export interface FeatureLevelRecord {
  readonly type: 'FeatureLevel';
  readonly name: string;
  readonly level: number;
}

/** Kafka's AccessControlEntryRecord: one ACL, under an id the controller chose. */
export interface AccessControlEntryRecord extends AclBinding {
  readonly type: 'AccessControlEntry';
  readonly id: string;
}

/** Kafka's RemoveAccessControlEntryRecord. */
export interface RemoveAccessControlEntryRecord {
  readonly type: 'RemoveAccessControlEntry';
  readonly id: string;
}

export type MetadataRecord =
  | BrokerRegistrationRecord
  | FenceBrokerRecord
  | UnfenceBrokerRecord
  | UnregisterBrokerRecord
  | TopicRecord
  | RemoveTopicRecord
  | PartitionRecord
  | PartitionChangeRecord
  | ConfigRecord
  | ProducerIdsRecord
  | FeatureLevelRecord
  | AccessControlEntryRecord
  | RemoveAccessControlEntryRecord;

export type MetadataRecordType = MetadataRecord['type'];

export interface RecordTypeInfo {
  readonly typeId: number;
  /** Versions this build reads and writes: minVersion..maxVersion inclusive. */
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** Type ids follow Kafka's MetadataRecordType numbering, so a hex dump reads the same. */
export const RECORD_TYPES: { readonly [T in MetadataRecordType]: RecordTypeInfo } = {
  BrokerRegistration: { typeId: 0, minVersion: 0, maxVersion: 1 },
  UnregisterBroker: { typeId: 1, minVersion: 0, maxVersion: 0 },
  Topic: { typeId: 2, minVersion: 0, maxVersion: 0 },
  Partition: { typeId: 3, minVersion: 0, maxVersion: 2 },
  Config: { typeId: 4, minVersion: 0, maxVersion: 0 },
  PartitionChange: { typeId: 5, minVersion: 0, maxVersion: 2 },
  FenceBroker: { typeId: 7, minVersion: 0, maxVersion: 0 },
  UnfenceBroker: { typeId: 8, minVersion: 0, maxVersion: 0 },
  RemoveTopic: { typeId: 9, minVersion: 0, maxVersion: 0 },
  FeatureLevel: { typeId: 12, minVersion: 0, maxVersion: 0 },
  ProducerIds: { typeId: 15, minVersion: 0, maxVersion: 0 },
  AccessControlEntry: { typeId: 23, minVersion: 0, maxVersion: 0 },
  RemoveAccessControlEntry: { typeId: 24, minVersion: 0, maxVersion: 0 },
};

const TYPE_BY_ID: ReadonlyMap<number, MetadataRecordType> = new Map(
  (Object.keys(RECORD_TYPES) as MetadataRecordType[]).map((type) => [RECORD_TYPES[type].typeId, type]),
);

export function recordTypeForId(typeId: number): MetadataRecordType | undefined {
  return TYPE_BY_ID.get(typeId);
}
