/**
 * The leader's offset lookups: ListOffsets (earliest, earliest local (-4), latest = the high watermark, or the first
 * record at or after a timestamp, below the high watermark) and OffsetForLeaderEpoch (where an
 * epoch ends in the leader's log: followers truncate by it). Reads only.
 */
// Requests as they arrive (`__Output`: int64 as strings, defaults filled); answers as sent.
import type {
  ListOffsetsPartitionResult,
  ListOffsetsRequest__Output as ListOffsetsRequest,
  ListOffsetsResponse,
  OffsetForLeaderEpochPartitionResult,
  OffsetForLeaderEpochRequest__Output as OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
} from '@sluice/proto';
import { LogError } from '@sluice/log';
import { ApiError, decodeRecordBatches } from '@sluice/protocol';
import { errorFields } from './error-fields';
import type { PartitionReplica } from './partition-replica';

export class OffsetLookups {
  constructor(
    private readonly leaderOf: (topic: string, partition: number) => PartitionReplica | ApiError,
    /** The first offset readable anywhere: below the local log start when the topic tiers. */
    private readonly earliestOffset: (replica: PartitionReplica) => number = (replica) => replica.log.logStartOffset,
    /** A tiered partition's lookup by time below its local log start (null: not tiered here). */
    private readonly remoteOffsetForTimestamp: (
      replica: PartitionReplica,
      timestampMs: number,
    ) => Promise<{ offset: number; timestampMs: number } | null> | null = () => null,
  ) {}

  /**
   * Synchronous unless a lookup by time reaches a tiered partition's remote segments; then the
   * answer waits for those reads (the other partitions are answered from the same pass).
   */
  listOffsets(request: ListOffsetsRequest): ListOffsetsResponse | Promise<ListOffsetsResponse> {
    const remoteLookups: Promise<void>[] = [];
    const response: ListOffsetsResponse = {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p): ListOffsetsPartitionResult => {
          const failed = (error: unknown): ListOffsetsPartitionResult => ({
            partition: p.partition,
            ...errorFields(error),
            offset: -1,
            timestamp: -1,
            leaderEpoch: -1,
          });
          const replica = this.leaderOf(topic.name, p.partition);
          if (replica instanceof ApiError) return failed(replica);
          if (replica.role.kind !== 'leader')
            return failed(new ApiError('NOT_LEADER_OR_FOLLOWER', `not the leader of ${replica.key}`));
          const core = replica.role.core;
          const unavailable = core.checkOffsetsAvailable();
          if (unavailable !== null) return failed(unavailable);
          const timestamp = Number(p.timestamp);
          const ok = (offset: number, ts: number): ListOffsetsPartitionResult => ({
            partition: p.partition,
            errorName: '',
            errorMessage: '',
            offset,
            timestamp: ts,
            leaderEpoch: core.leaderEpoch,
          });
          if (timestamp === -2) return ok(this.earliestOffset(replica), -1);
          // Kafka's EARLIEST_LOCAL_TIMESTAMP (KIP-405): the local log start offset.
          if (timestamp === -4) return ok(replica.log.logStartOffset, -1);
          if (timestamp === -1) return ok(core.highWatermark, -1);
          if (timestamp < 0)
            return failed(new ApiError('INVALID_REQUEST', `timestamp ${timestamp} is neither -1, -2, -4 nor a time`));
          const remote = this.remoteOffsetForTimestamp(replica, timestamp);
          if (remote !== null) {
            // Filled in once the remote segments are read; the local log answers if they have none.
            const result = ok(-1, -1);
            remoteLookups.push(
              remote.then(
                (found) => {
                  const answer = found ?? offsetForTimestamp(replica, timestamp, core.highWatermark);
                  if (answer !== null) Object.assign(result, { offset: answer.offset, timestamp: answer.timestampMs });
                },
                (error: unknown) => {
                  Object.assign(result, errorFields(toStorageError(error)), {
                    offset: -1,
                    timestamp: -1,
                    leaderEpoch: -1,
                  });
                },
              ),
            );
            return result;
          }
          const found = offsetForTimestamp(replica, timestamp, core.highWatermark);
          return found === null ? ok(-1, -1) : ok(found.offset, found.timestampMs);
        }),
      })),
    };
    return remoteLookups.length === 0 ? response : Promise.all(remoteLookups).then(() => response);
  }

  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    return {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p): OffsetForLeaderEpochPartitionResult => {
          const failed = (error: unknown): OffsetForLeaderEpochPartitionResult => ({
            partition: p.partition,
            ...errorFields(error),
            leaderEpoch: -1,
            endOffset: -1,
          });
          const replica = this.leaderOf(topic.name, p.partition);
          if (replica instanceof ApiError) return failed(replica);
          const answer = replica.offsetForLeaderEpoch({
            currentLeaderEpoch: p.currentLeaderEpoch >= 0 ? p.currentLeaderEpoch : null,
            leaderEpoch: p.leaderEpoch,
          });
          if (answer.kind === 'error') return failed(answer.error);
          return {
            partition: p.partition,
            errorName: '',
            errorMessage: '',
            leaderEpoch: answer.epoch,
            endOffset: answer.endOffset,
          };
        }),
      })),
    };
  }
}

/** The object store's failures reach the client as the retriable KAFKA_STORAGE_ERROR. */
function toStorageError(error: unknown): unknown {
  if (error instanceof ApiError || error instanceof LogError) return error;
  return new ApiError(
    'KAFKA_STORAGE_ERROR',
    `remote lookup failed: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/**
 * Kafka's ListOffsets by timestamp: the first record (below the high watermark) whose timestamp
 * is at least `timestampMs`. The log finds the batch; its records say which one.
 */
function offsetForTimestamp(
  replica: PartitionReplica,
  timestampMs: number,
  highWatermark: number,
): { offset: number; timestampMs: number } | null {
  const log = replica.log;
  let from = log.offsetForTimestamp(timestampMs)?.offset ?? null;
  while (from !== null && from < highWatermark) {
    const read = log.read(from, 1, { maxOffset: highWatermark });
    if (read.lastOffset === null) return null;
    for (const batch of decodeRecordBatches(read.records)) {
      for (const record of batch.records) {
        if (record.offset >= from && record.timestamp >= timestampMs)
          return { offset: record.offset, timestampMs: record.timestamp };
      }
    }
    // Only the batch's max timestamp qualified it (a later record, or none): look further on.
    from = read.lastOffset + 1;
  }
  return null;
}
