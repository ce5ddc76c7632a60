/** TypeScript shapes of proto/sluice/v1/broker.proto as @sluice/runtime's loader gives them (int64 as string on the way in). */
export type Int64 = string | number;

export interface ProduceRequest {
  acks: number;
  timeoutMs: number;
  topics: { name: string; partitions: { partition: number; records: Buffer }[] }[];
}
export interface ProducePartitionResult {
  partition: number;
  errorName: string;
  errorMessage: string;
  baseOffset: Int64;
  logAppendTime: Int64;
  logStartOffset: Int64;
}
export interface ProduceResponse {
  topics: { name: string; partitions: ProducePartitionResult[] }[];
}

export interface FetchPartition {
  partition: number;
  fetchOffset: Int64;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  logStartOffset: Int64;
  partitionMaxBytes: number;
}
export interface FetchRequest {
  replicaId: number;
  replicaEpoch: Int64;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: { name: string; partitions: FetchPartition[] }[];
}
export interface FetchPartitionResult {
  partition: number;
  errorName: string;
  errorMessage: string;
  highWatermark: Int64;
  logStartOffset: Int64;
  records: Buffer;
  divergingEpoch: { epoch: number; endOffset: Int64 } | null;
  leaderEpoch: number;
}
export interface FetchResponse {
  topics: { name: string; partitions: FetchPartitionResult[] }[];
}

export interface ListOffsetsRequest {
  topics: { name: string; partitions: { partition: number; timestamp: Int64; currentLeaderEpoch: number }[] }[];
}
export interface ListOffsetsPartitionResult {
  partition: number;
  errorName: string;
  errorMessage: string;
  offset: Int64;
  timestamp: Int64;
  leaderEpoch: number;
}
export interface ListOffsetsResponse {
  topics: { name: string; partitions: ListOffsetsPartitionResult[] }[];
}

export interface MetadataRequest {
  topics: string[];
}
export interface MetadataResponse {
  clusterId: string;
  brokers: { brokerId: number; listeners: { name: string; host: string; port: number }[]; rack: string }[];
  topics: {
    name: string;
    topicId: string;
    errorName: string;
    errorMessage: string;
    partitions: { partition: number; leader: number; leaderEpoch: number; replicas: number[]; isr: number[] }[];
  }[];
  metadataOffset: Int64;
}

export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: { name: string; partitions: { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[] }[];
}
export interface OffsetForLeaderEpochPartitionResult {
  partition: number;
  errorName: string;
  errorMessage: string;
  leaderEpoch: number;
  endOffset: Int64;
}
export interface OffsetForLeaderEpochResponse {
  topics: { name: string; partitions: OffsetForLeaderEpochPartitionResult[] }[];
}
