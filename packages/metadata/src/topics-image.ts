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

export class TopicsImage {
  static readonly EMPTY = new TopicsImage(PersistentMap.empty(), PersistentMap.empty(), 0);

  constructor(
    private readonly byId: PersistentMap<string, TopicImage>,
    private readonly byName: PersistentMap<string, TopicImage>,
    /** Sum of partitionCount over all topics. */
    readonly partitionCount: number,
  ) {}

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
    return [...this.byId.values()].sort((a, b) => (a.topicId < b.topicId ? -1 : a.topicId > b.topicId ? 1 : 0));
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
