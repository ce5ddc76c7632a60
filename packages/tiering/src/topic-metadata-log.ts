import { Consumer, partitionForKey, Producer, type Admin, type TopicPartition } from '@sluice/client';
import { decodeMetadataRecord, encodeMetadataRecord, metadataRecordKey } from './metadata-codec';
import type { RemoteLogMetadataLog } from './metadata-log';
import { recordPartition, type RemoteLogMetadataRecord } from './remote-log-metadata';

/** Kafka's internal topic name for TopicBasedRemoteLogMetadataManager. */
export const REMOTE_LOG_METADATA_TOPIC = '__remote_log_metadata';

export interface TopicMetadataLogOptions {
  readonly bootstrap: string | readonly string[];
  /** `remote.log.metadata.topic.num.partitions` (Kafka's default 50). */
  readonly numPartitions: number;
  readonly topic?: string;
  /** Bound on one replay (reading a metadata partition to its end). */
  readonly replayTimeoutMs?: number;
}

/**
 * Remote-log metadata in an internal topic, as Kafka's TopicBasedRemoteLogMetadataManager: every
 * record of one user partition goes to one metadata partition (murmur2 of `topicId:partition`,
 * so their order is kept), written by an idempotent producer with acks=all, so a record is on
 * every in-sync replica before `append` resolves. Compacted: the latest record per upload is kept
 * (metadataRecordKey), which is all replay needs. Chosen over metadata-log records through the
 * controller because copy / delete steps are per segment and frequent: they belong on the data
 * plane, not in the Raft log every broker replays.
 */
export class TopicRemoteLogMetadataLog implements RemoteLogMetadataLog {
  private readonly producer: Producer;
  private readonly topic: string;

  constructor(private readonly options: TopicMetadataLogOptions) {
    if (!(Number.isSafeInteger(options.numPartitions) && options.numPartitions >= 1)) {
      throw new RangeError(`numPartitions ${options.numPartitions} must be >= 1`);
    }
    this.topic = options.topic ?? REMOTE_LOG_METADATA_TOPIC;
    this.producer = new Producer({ bootstrap: options.bootstrap, acks: 'all', lingerMs: 0 });
  }

  /** Creates the compacted metadata topic when missing (RF 3, min.insync.replicas 2, as Kafka's). */
  static async ensureTopic(
    admin: Admin,
    numPartitions: number,
    replicationFactor: number,
    topic = REMOTE_LOG_METADATA_TOPIC,
  ): Promise<void> {
    const result = await admin.createTopics([
      {
        name: topic,
        numPartitions,
        replicationFactor,
        configs: { 'cleanup.policy': 'compact', 'min.insync.replicas': String(Math.min(2, replicationFactor)) },
      },
    ]);
    const error = result[0]?.error;
    if (error !== undefined && error.errorName !== 'TOPIC_ALREADY_EXISTS') throw error;
  }

  metadataPartitionFor(topicId: string, partition: number): number {
    return partitionForKey(Buffer.from(`${topicId}:${partition}`), this.options.numPartitions);
  }

  async append(record: RemoteLogMetadataRecord): Promise<void> {
    const { topicId, partition } = recordPartition(record);
    await this.producer.send({
      topic: this.topic,
      partition: this.metadataPartitionFor(topicId, partition),
      key: metadataRecordKey(record),
      value: encodeMetadataRecord(record),
    });
  }

  async replay(topicId: string, partition: number): Promise<RemoteLogMetadataRecord[]> {
    const topicPartition: TopicPartition = {
      topic: this.topic,
      partition: this.metadataPartitionFor(topicId, partition),
    };
    const consumer = new Consumer({ bootstrap: this.options.bootstrap, autoOffsetReset: 'earliest' });
    try {
      consumer.assign([topicPartition]);
      const ends = await consumer.endOffsets([topicPartition]);
      const endOffset = [...ends.values()][0]?.offset ?? 0;
      consumer.seekToBeginning([topicPartition]);
      const out: RemoteLogMetadataRecord[] = [];
      const deadline = Date.now() + (this.options.replayTimeoutMs ?? 30_000);
      let position = await consumer.position(topicPartition);
      while (position < endOffset) {
        if (Date.now() > deadline) {
          throw new Error(
            `replay of ${this.topic}-${topicPartition.partition} stopped at ${position} of ${endOffset}: timed out`,
          );
        }
        for (const record of await consumer.poll(500)) {
          position = record.offset + 1;
          if (record.value === null) continue;
          const decoded = decodeMetadataRecord(record.value);
          const owner = recordPartition(decoded);
          if (owner.topicId === topicId && owner.partition === partition) out.push(decoded);
        }
      }
      return out;
    } finally {
      await consumer.close();
    }
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
