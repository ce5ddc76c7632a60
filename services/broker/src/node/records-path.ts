/**
 * ProduceRecords and FetchRecords (records as protobuf messages, for plain gRPC clients) on top
 * of the ordinary Produce and Fetch paths: produced records become one batch per partition before
 * the produce path sees them, fetched batches are decoded after the fetch path answered. A
 * partition whose records cannot be encoded gets its own error; the others are produced.
 */
import type * as pb from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { decodeFetchedRecords, encodeProducerRecords } from '../rpc/plain-records';

type ProducePartitionResult = Required<pb.ProducePartitionResult>;

function refused(partition: number, error: unknown): ProducePartitionResult {
  const apiError = error instanceof ApiError ? error : new ApiError('UNKNOWN_SERVER_ERROR', String(error));
  return {
    partition,
    errorName: apiError.errorName,
    errorMessage: apiError.message,
    baseOffset: -1,
    logAppendTime: -1,
    logStartOffset: -1,
  };
}

export async function produceRecords(
  request: pb.ProduceRecordsRequest__Output,
  produce: (request: pb.ProduceRequest__Output) => Promise<pb.ProduceResponse>,
  nowMs: number,
): Promise<pb.ProduceRecordsResponse> {
  const refusals = new Map<string, ProducePartitionResult[]>();
  const produceRequest: pb.ProduceRequest__Output = {
    acks: request.acks,
    timeoutMs: request.timeoutMs,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.flatMap((partition) => {
        try {
          return [{ partition: partition.partition, records: encodeProducerRecords(partition.records, nowMs) }];
        } catch (error) {
          const list = refusals.get(topic.name) ?? [];
          list.push(refused(partition.partition, error));
          refusals.set(topic.name, list);
          return [];
        }
      }),
    })),
  };
  const anythingToProduce = produceRequest.topics.some((topic) => topic.partitions.length > 0);
  const produced: pb.ProduceResponse = anythingToProduce ? await produce(produceRequest) : { topics: [] };
  const topics = request.topics.map((topic) => {
    const answered = produced.topics?.find((t) => t.name === topic.name)?.partitions ?? [];
    return { name: topic.name, partitions: [...answered, ...(refusals.get(topic.name) ?? [])] };
  });
  return { topics };
}

export async function fetchRecords(
  request: pb.FetchRecordsRequest__Output,
  fetch: (request: pb.FetchRequest__Output) => Promise<pb.FetchResponse>,
): Promise<pb.FetchRecordsResponse> {
  const fetched = await fetch({
    // A consumer's fetch: up to the high watermark, no follower bookkeeping.
    replicaId: -1,
    replicaEpoch: '-1',
    maxWaitMs: request.maxWaitMs,
    minBytes: request.minBytes,
    maxBytes: request.maxBytes,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partition: partition.partition,
        fetchOffset: partition.fetchOffset,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
        logStartOffset: '-1',
        partitionMaxBytes: partition.partitionMaxBytes,
        flushedOffset: '-1',
      })),
    })),
  });
  return {
    topics: (fetched.topics ?? []).map((topic) => ({
      name: topic.name,
      partitions: (topic.partitions ?? []).map((partition) => {
        const asked = request.topics
          .find((t) => t.name === topic.name)
          ?.partitions.find((p) => p.partition === partition.partition);
        const fetchOffset = Number(asked?.fetchOffset ?? 0);
        const base = {
          partition: partition.partition,
          errorName: partition.errorName,
          errorMessage: partition.errorMessage,
          highWatermark: partition.highWatermark,
          logStartOffset: partition.logStartOffset,
        };
        if ((partition.errorName ?? '') !== '') return { ...base, records: [], nextOffset: fetchOffset };
        const decoded = decodeFetchedRecords(asBuffer(partition.records), fetchOffset);
        return { ...base, records: decoded.records, nextOffset: decoded.nextOffset };
      }),
    })),
  };
}

function asBuffer(records: pb.FetchPartitionResult['records']): Buffer {
  if (records === undefined) return Buffer.alloc(0);
  if (Buffer.isBuffer(records)) return records;
  if (typeof records === 'string') return Buffer.from(records, 'base64');
  return Buffer.from(records.buffer, records.byteOffset, records.byteLength);
}
