/**
 * TypeScript shapes of the share group calls of proto/sluice/v1/broker.proto (KIP-932's
 * ShareFetch and ShareAcknowledge) as @sluice/runtime's loader gives them: int64 fields arrive as
 * strings and may be sent as numbers. The broker serves these same shapes.
 */
import type { Int64 } from './broker-api';

export type ShareAcknowledgeTypeName = 'ACCEPT' | 'RELEASE' | 'REJECT';

export interface ShareAcknowledgementBatch {
  firstOffset: Int64;
  lastOffset: Int64;
  acknowledgeType: string;
}

export interface ShareFetchPartition {
  partition: number;
  acknowledgements: ShareAcknowledgementBatch[];
}

export interface ShareFetchTopic {
  name: string;
  partitions: ShareFetchPartition[];
}

export interface ShareFetchRequest {
  groupId: string;
  memberId: string;
  shareSessionEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxRecords: number;
  topics: ShareFetchTopic[];
}

export interface ShareAcquiredRange {
  firstOffset: Int64;
  lastOffset: Int64;
  deliveryCount: number;
}

export interface ShareFetchPartitionResult {
  partition: number;
  errorName: string;
  errorMessage: string;
  acknowledgeErrorName: string;
  acknowledgeErrorMessage: string;
  records: Buffer;
  acquiredRecords: ShareAcquiredRange[];
  leaderEpoch: number;
}

export interface ShareFetchResponse {
  topics: { name: string; partitions: ShareFetchPartitionResult[] }[];
}

export interface ShareAcknowledgeRequest {
  groupId: string;
  memberId: string;
  shareSessionEpoch: number;
  topics: ShareFetchTopic[];
}

export interface ShareAcknowledgePartitionResult {
  partition: number;
  errorName: string;
  errorMessage: string;
}

export interface ShareAcknowledgeResponse {
  topics: { name: string; partitions: ShareAcknowledgePartitionResult[] }[];
}
