/** Pending topic and partition changes on top of a TopicsImage (Kafka's TopicsDelta). */
import {
  DuplicatePartitionError,
  DuplicateTopicIdError,
  DuplicateTopicNameError,
  InvalidTopicIdError,
  InvalidTopicNameError,
  NonContiguousPartitionError,
  UnknownPartitionError,
  UnknownTopicError,
} from './errors';
import { mergePartitionChange, validatePartition } from './partition-state';
import { PartitionTableBuilder, type PartitionFields, type PartitionRegistration } from './partition-table';
import type { PartitionChangeRecord, PartitionRecord, RemoveTopicRecord, TopicRecord } from './records';
import { TopicImage, TopicsImage } from './topics-image';
import { isUuid, ZERO_UUID } from './uuid';

/** Kafka's topic name rule: 1..249 of [a-zA-Z0-9._-], and not "." or "..". */
const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

export function validateTopicName(name: string): void {
  if (name.length === 0 || name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicNameError(`topic name length ${name.length} is outside 1..${MAX_TOPIC_NAME_LENGTH}`);
  }
  if (name === '.' || name === '..') throw new InvalidTopicNameError(`topic name ${JSON.stringify(name)} is reserved`);
  if (!LEGAL_TOPIC_NAME.test(name)) {
    throw new InvalidTopicNameError(`topic name ${JSON.stringify(name)} has characters outside [a-zA-Z0-9._-]`);
  }
}

/** One topic touched by this delta. */
interface TopicChange {
  readonly topicId: string;
  readonly name: string;
  /** The topic as it was in the base image; undefined when created by this delta. */
  readonly base: TopicImage | undefined;
  /** Partitions created by this delta, ids base.partitionCount and up. */
  readonly appended: PartitionTableBuilder;
  /** Changed partitions (base or appended) by id; these win over `base` and `appended`. */
  readonly overrides: Map<number, PartitionFields>;
}

export interface PartitionChange {
  readonly topicId: string;
  readonly topicName: string;
  readonly partitionId: number;
  /** undefined when the partition was created by this delta. */
  readonly previous: PartitionRegistration | undefined;
  readonly current: PartitionRegistration;
}

export interface ChangedTopic {
  readonly topicId: string;
  readonly name: string;
  readonly created: boolean;
  /** Ids of partitions created or changed, ascending. */
  readonly partitionIds: readonly number[];
}

export interface LocalPartition {
  readonly topicId: string;
  readonly topicName: string;
  readonly partitionId: number;
  readonly registration: PartitionRegistration;
}

/** What one broker must do after this delta, as Kafka's TopicsDelta.localChanges. */
export interface LocalChanges {
  /** Partitions this broker now leads (new, or changed while leading). */
  readonly leaders: readonly LocalPartition[];
  /** Partitions this broker now follows (a replica, not the leader). */
  readonly followers: readonly LocalPartition[];
  /** Partitions this broker must stop hosting: topic deleted or broker removed from replicas. */
  readonly deletes: readonly { readonly topicId: string; readonly topicName: string; readonly partitionId: number }[];
}

function toRegistration(fields: PartitionFields): PartitionRegistration {
  return {
    replicas: Int32Array.from(fields.replicas),
    isr: Int32Array.from(fields.isr),
    eligibleLeaderReplicas: Int32Array.from(fields.eligibleLeaderReplicas),
    addingReplicas: Int32Array.from(fields.addingReplicas ?? []),
    removingReplicas: Int32Array.from(fields.removingReplicas ?? []),
    leader: fields.leader,
    leaderEpoch: fields.leaderEpoch,
    partitionEpoch: fields.partitionEpoch,
  };
}

export class TopicsDelta {
  private readonly changes = new Map<string, TopicChange>();
  /** Base-image topics removed by this delta. */
  private readonly deleted = new Map<string, TopicImage>();
  /** Names claimed by topics created in this delta. */
  private readonly createdNames = new Map<string, string>();

  constructor(readonly image: TopicsImage) {}

  /** The topic's id-to-name binding as of the records replayed so far, or undefined. */
  private live(
    topicId: string,
  ): { name: string; change: TopicChange | undefined; base: TopicImage | undefined } | undefined {
    const change = this.changes.get(topicId);
    if (change !== undefined) return { name: change.name, change, base: change.base };
    if (this.deleted.has(topicId)) return undefined;
    const base = this.image.topicById(topicId);
    return base === undefined ? undefined : { name: base.name, change: undefined, base };
  }

  topicExists(topicId: string): boolean {
    return this.live(topicId) !== undefined;
  }

  topicIdByName(name: string): string | undefined {
    const created = this.createdNames.get(name);
    if (created !== undefined) return created;
    const base = this.image.topicByName(name);
    if (base === undefined || this.deleted.has(base.topicId)) return undefined;
    return base.topicId;
  }

  partitionCount(topicId: string): number | undefined {
    const live = this.live(topicId);
    if (live === undefined) return undefined;
    return (live.base?.partitionCount ?? 0) + (live.change?.appended.count ?? 0);
  }

  private fields(
    live: { change: TopicChange | undefined; base: TopicImage | undefined },
    partitionId: number,
  ): PartitionFields | undefined {
    const override = live.change?.overrides.get(partitionId);
    if (override !== undefined) return override;
    const baseCount = live.base?.partitionCount ?? 0;
    if (partitionId < baseCount) return live.base?.partition(partitionId);
    return live.change?.appended.get(partitionId - baseCount);
  }

  /** The partition as of the records replayed so far. */
  partition(topicId: string, partitionId: number): PartitionRegistration | undefined {
    const live = this.live(topicId);
    if (live === undefined) return undefined;
    const fields = this.fields(live, partitionId);
    return fields === undefined ? undefined : toRegistration(fields);
  }

  private changeFor(topicId: string, base: TopicImage): TopicChange {
    let change = this.changes.get(topicId);
    if (change === undefined) {
      change = { topicId, name: base.name, base, appended: new PartitionTableBuilder(), overrides: new Map() };
      this.changes.set(topicId, change);
    }
    return change;
  }

  replayTopic(record: TopicRecord): void {
    validateTopicName(record.name);
    if (!isUuid(record.topicId) || record.topicId === ZERO_UUID) {
      throw new InvalidTopicIdError(`topic id ${record.topicId} is not a usable UUID`);
    }
    if (this.topicExists(record.topicId)) throw new DuplicateTopicIdError(`topic id ${record.topicId} already exists`);
    const holder = this.topicIdByName(record.name);
    if (holder !== undefined)
      throw new DuplicateTopicNameError(`topic name ${record.name} is already used by ${holder}`);
    this.changes.set(record.topicId, {
      topicId: record.topicId,
      name: record.name,
      base: undefined,
      appended: new PartitionTableBuilder(),
      overrides: new Map(),
    });
    this.createdNames.set(record.name, record.topicId);
  }

  /** Returns the removed topic's name (its topic configs go with it). */
  replayRemoveTopic(record: RemoveTopicRecord): string {
    const live = this.live(record.topicId);
    if (live === undefined) throw new UnknownTopicError(`cannot remove unknown topic ${record.topicId}`);
    if (live.change !== undefined) {
      this.changes.delete(record.topicId);
      if (live.change.base === undefined) this.createdNames.delete(live.name);
    }
    if (live.base !== undefined) this.deleted.set(record.topicId, live.base);
    return live.name;
  }

  replayPartition(record: PartitionRecord): void {
    const where = `partition ${record.topicId}:${record.partitionId}`;
    const live = this.live(record.topicId);
    if (live === undefined) throw new UnknownTopicError(`${where}: unknown topic`);
    const count = (live.base?.partitionCount ?? 0) + (live.change?.appended.count ?? 0);
    if (record.partitionId < count) throw new DuplicatePartitionError(`${where} already exists`);
    if (record.partitionId !== count) {
      throw new NonContiguousPartitionError(`${where}: the next partition of this topic must be ${count}`);
    }
    const fields: PartitionFields = {
      replicas: record.replicas,
      isr: record.isr,
      eligibleLeaderReplicas: record.eligibleLeaderReplicas ?? [],
      addingReplicas: record.addingReplicas ?? [],
      removingReplicas: record.removingReplicas ?? [],
      leader: record.leader,
      leaderEpoch: record.leaderEpoch,
      partitionEpoch: record.partitionEpoch,
    };
    validatePartition(fields, where);
    const change = live.change ?? this.changeFor(record.topicId, live.base as TopicImage);
    change.appended.append(fields);
  }

  replayPartitionChange(record: PartitionChangeRecord): void {
    const where = `partition change ${record.topicId}:${record.partitionId}`;
    const live = this.live(record.topicId);
    if (live === undefined) throw new UnknownTopicError(`${where}: unknown topic`);
    const current = this.fields(live, record.partitionId);
    if (current === undefined) throw new UnknownPartitionError(`${where}: unknown partition`);
    const merged = mergePartitionChange(current, record);
    validatePartition(merged, where);
    const change = live.change ?? this.changeFor(record.topicId, live.base as TopicImage);
    // Own copies: the record's arrays belong to the caller.
    change.overrides.set(record.partitionId, {
      ...merged,
      replicas: Int32Array.from(merged.replicas),
      isr: Int32Array.from(merged.isr),
      eligibleLeaderReplicas: Int32Array.from(merged.eligibleLeaderReplicas),
      addingReplicas: Int32Array.from(merged.addingReplicas ?? []),
      removingReplicas: Int32Array.from(merged.removingReplicas ?? []),
    });
  }

  get isEmpty(): boolean {
    return this.changes.size === 0 && this.deleted.size === 0;
  }

  /** Topics created by this delta (and not deleted again), by id. */
  createdTopicIds(): string[] {
    return [...this.changes.values()].filter((change) => change.base === undefined).map((change) => change.topicId);
  }

  /** Base-image topics this delta deletes. */
  deletedTopics(): TopicImage[] {
    return [...this.deleted.values()];
  }

  private changedPartitionIds(change: TopicChange): number[] {
    const baseCount = change.base?.partitionCount ?? 0;
    const ids = new Set<number>(change.overrides.keys());
    for (let i = 0; i < change.appended.count; i++) ids.add(baseCount + i);
    return [...ids].sort((a, b) => a - b);
  }

  changedTopics(): ChangedTopic[] {
    return [...this.changes.values()].map((change) => ({
      topicId: change.topicId,
      name: change.name,
      created: change.base === undefined,
      partitionIds: this.changedPartitionIds(change),
    }));
  }

  /** Every created or changed partition with its before and after state. */
  *partitionChanges(): IterableIterator<PartitionChange> {
    for (const change of this.changes.values()) {
      const live = { change, base: change.base };
      for (const partitionId of this.changedPartitionIds(change)) {
        yield {
          topicId: change.topicId,
          topicName: change.name,
          partitionId,
          previous: change.base?.partition(partitionId),
          current: toRegistration(this.fields(live, partitionId) as PartitionFields),
        };
      }
    }
  }

  localChanges(brokerId: number): LocalChanges {
    const leaders: LocalPartition[] = [];
    const followers: LocalPartition[] = [];
    const deletes: { topicId: string; topicName: string; partitionId: number }[] = [];
    for (const topic of this.deleted.values()) {
      for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++) {
        if (topic.partitions.hasReplica(partitionId, brokerId)) {
          deletes.push({ topicId: topic.topicId, topicName: topic.name, partitionId });
        }
      }
    }
    for (const change of this.partitionChanges()) {
      const local = {
        topicId: change.topicId,
        topicName: change.topicName,
        partitionId: change.partitionId,
        registration: change.current,
      };
      if (change.current.leader === brokerId) leaders.push(local);
      else if (change.current.replicas.includes(brokerId)) followers.push(local);
      else if (change.previous?.replicas.includes(brokerId) === true) {
        deletes.push({ topicId: change.topicId, topicName: change.topicName, partitionId: change.partitionId });
      }
    }
    return { leaders, followers, deletes };
  }

  private buildTopic(change: TopicChange): TopicImage {
    const base = change.base;
    const baseCount = base?.partitionCount ?? 0;
    const total = baseCount + change.appended.count;
    if (base !== undefined && change.overrides.size === 0 && change.appended.count === 0) return base;
    const builder = new PartitionTableBuilder(total);
    // Copy runs of untouched partitions in bulk; encode only the overridden ones.
    const copyRange = (from: number, to: number): void => {
      if (base !== undefined) base.partitions.copyRangeInto(builder, from, Math.min(to, baseCount));
      change.appended.copyRangeInto(builder, Math.max(from, baseCount) - baseCount, to - baseCount);
    };
    let next = 0;
    for (const partitionId of [...change.overrides.keys()].sort((a, b) => a - b)) {
      copyRange(next, partitionId);
      builder.append(change.overrides.get(partitionId) as PartitionFields);
      next = partitionId + 1;
    }
    copyRange(next, total);
    const table = builder.build();
    if (table.count !== total) throw new Error(`assertion: built ${table.count} partitions, expected ${total}`);
    return new TopicImage(change.topicId, change.name, table);
  }

  apply(): TopicsImage {
    if (this.isEmpty) return this.image;
    const { byId, byName } = this.image.edit();
    let partitionCount = this.image.partitionCount;
    // Deletions first so a name freed in this delta can be taken by a topic created in it.
    for (const topic of this.deleted.values()) {
      byId.delete(topic.topicId);
      byName.delete(topic.name);
      partitionCount -= topic.partitionCount;
    }
    let sameTopics = this.deleted.size === 0;
    for (const change of this.changes.values()) {
      const topic = this.buildTopic(change);
      if (change.base === undefined) sameTopics = false;
      partitionCount += topic.partitionCount - (change.base?.partitionCount ?? 0);
      byId.set(topic.topicId, topic);
      byName.set(topic.name, topic);
    }
    return new TopicsImage(byId.build(), byName.build(), partitionCount, sameTopics ? this.image : undefined);
  }
}
