/** Topics by id and by name, each with its compact partition table (Kafka's TopicsImage). */
import { PartitionTable, type PartitionRegistration } from './partition-table';
import { PersistentMap } from './persistent-map';

export class TopicImage {
  constructor(
    readonly topicId: string,
    readonly name: string,
    readonly partitions: PartitionTable,
  ) {}

  get partitionCount(): number {
    return this.partitions.count;
  }

  partition(partitionId: number): PartitionRegistration | undefined {
    return this.partitions.get(partitionId);
  }

  leader(partitionId: number): number {
    return this.partitions.leader(partitionId);
  }
}

/**
 * The image's topic ids and names in sorted order, computed on first use. Images that differ
 * only in partitions (a leader moved, an ISR shrank) share one: a fence moving thousands of
 * partitions in chunks, or a paged describe, sorts the topics once, not once per image.
 */
export class TopicOrder {
  private ids: readonly string[] | undefined;
  private names: readonly string[] | undefined;

  constructor(
    private readonly byId: PersistentMap<string, TopicImage>,
    private readonly byName: PersistentMap<string, TopicImage>,
  ) {}

  sortedIds(): readonly string[] {
    this.ids ??= Object.freeze([...this.byId.keys()].sort(compareStrings));
    return this.ids;
  }

  sortedNames(): readonly string[] {
    this.names ??= Object.freeze([...this.byName.keys()].sort(compareStrings));
    return this.names;
  }
}

/** Code-unit order: the order of every sorted topic list (ids, names, pages). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class TopicsImage {
  static readonly EMPTY = new TopicsImage(PersistentMap.empty(), PersistentMap.empty(), 0);
  private readonly order: TopicOrder;

  constructor(
    private readonly byId: PersistentMap<string, TopicImage>,
    private readonly byName: PersistentMap<string, TopicImage>,
    /** Sum of partitionCount over all topics. */
    readonly partitionCount: number,
    /** The previous image's order, when this one has exactly the same topics (ids and names). */
    sameTopicsAs?: TopicsImage,
  ) {
    this.order = sameTopicsAs?.order ?? new TopicOrder(byId, byName);
  }

  get topicCount(): number {
    return this.byId.size;
  }

  topicById(topicId: string): TopicImage | undefined {
    return this.byId.get(topicId);
  }

  topicByName(name: string): TopicImage | undefined {
    return this.byName.get(name);
  }

  partition(topicId: string, partitionId: number): PartitionRegistration | undefined {
    return this.byId.get(topicId)?.partition(partitionId);
  }

  /** All topics, unordered (use `sortedTopics` for a stable order). */
  topics(): IterableIterator<TopicImage> {
    return this.byId.values();
  }

  /** Topics ordered by id: the order snapshots are written in. */
  sortedTopics(): TopicImage[] {
    return this.order.sortedIds().map((id) => this.byId.get(id) as TopicImage);
  }

  /** Topic ids in order (the order of `sortedTopics`; binary-searchable). */
  sortedTopicIds(): readonly string[] {
    return this.order.sortedIds();
  }

  /** Topic names in order (what paged describes walk; binary-searchable). */
  sortedNames(): readonly string[] {
    return this.order.sortedNames();
  }

  /** Bytes held by all partition tables: the memory a large image is made of. */
  partitionTableBytes(): number {
    let total = 0;
    for (const topic of this.byId.values()) total += topic.partitions.sizeBytes;
    return total;
  }

  /** For TopicsDelta only. */
  edit(): {
    byId: ReturnType<PersistentMap<string, TopicImage>['edit']>;
    byName: ReturnType<PersistentMap<string, TopicImage>['edit']>;
  } {
    return { byId: this.byId.edit(), byName: this.byName.edit() };
  }
}
