/**
 * What the broker's RPC controllers delegate to: one method per RPC, built by the BrokerNode
 * over its replica manager, share-partition manager and metadata follower. Requests arrive as
 * gRPC hands them (`__Output`); answers are what the generated types accept. Paths that wait on
 * others (acks=all, long polls, share state writes) mark the call's `remote` phase in `phases`.
 */
import type * as pb from '@sluice/proto';
import type { RequestPhases } from '@sluice/runtime';
import type { FollowerHold } from '../node/fetch-path';

export interface BrokerRequests {
  produce(request: pb.ProduceRequest__Output, phases?: RequestPhases): Promise<pb.ProduceResponse>;
  /** Sequences the request in the logs before it returns; the promise settles when acks allow. */
  appendProduce(request: pb.ProduceRequest__Output, phases?: RequestPhases): Promise<pb.ProduceResponse>;
  produceRecords(request: pb.ProduceRecordsRequest__Output, phases?: RequestPhases): Promise<pb.ProduceRecordsResponse>;
  /** `hold`: a follower fetch session's (node/fetch-path.ts FollowerHold). */
  fetch(request: pb.FetchRequest__Output, phases?: RequestPhases, hold?: FollowerHold): Promise<pb.FetchResponse>;
  /** The unary Fetch RPC and ReplicaFetchStream: as `fetch`, its records possibly read by the answer's encoder (pb.RecordsSource). */
  fetchAnswer(request: pb.FetchRequest__Output, phases?: RequestPhases, hold?: FollowerHold): Promise<pb.FetchAnswer>;
  fetchRecords(request: pb.FetchRecordsRequest__Output, phases?: RequestPhases): Promise<pb.FetchRecordsResponse>;
  listOffsets(request: pb.ListOffsetsRequest__Output): pb.ListOffsetsResponse | Promise<pb.ListOffsetsResponse>;
  offsetForLeaderEpoch(
    request: pb.OffsetForLeaderEpochRequest__Output,
  ): pb.OffsetForLeaderEpochResponse | Promise<pb.OffsetForLeaderEpochResponse>;
  metadata(request: pb.MetadataRequest__Output): pb.MetadataResponse | Promise<pb.MetadataResponse>;
  initProducerId(request: pb.InitProducerIdRequest__Output): Promise<pb.InitProducerIdResponse>;
  shareFetch(request: pb.ShareFetchRequest__Output, phases?: RequestPhases): Promise<pb.ShareFetchResponse>;
  shareAcknowledge(
    request: pb.ShareAcknowledgeRequest__Output,
    phases?: RequestPhases,
  ): Promise<pb.ShareAcknowledgeResponse>;
  describeLogDirs(request: pb.DescribeLogDirsRequest__Output): Promise<pb.DescribeLogDirsResponse>;
}
