/**
 * What the broker's RPC controllers delegate to: one method per RPC, built by the BrokerNode
 * over its replica manager, share-partition manager and metadata follower. Requests arrive as
 * gRPC hands them (`__Output`); answers are what the generated types accept.
 */
import type * as pb from '@sluice/proto';

export interface BrokerRequests {
  produce(request: pb.ProduceRequest__Output): Promise<pb.ProduceResponse>;
  /** Sequences the request in the logs before it returns; the promise settles when acks allow. */
  appendProduce(request: pb.ProduceRequest__Output): Promise<pb.ProduceResponse>;
  produceRecords(request: pb.ProduceRecordsRequest__Output): Promise<pb.ProduceRecordsResponse>;
  fetch(request: pb.FetchRequest__Output): Promise<pb.FetchResponse>;
  fetchRecords(request: pb.FetchRecordsRequest__Output): Promise<pb.FetchRecordsResponse>;
  listOffsets(request: pb.ListOffsetsRequest__Output): pb.ListOffsetsResponse | Promise<pb.ListOffsetsResponse>;
  offsetForLeaderEpoch(
    request: pb.OffsetForLeaderEpochRequest__Output,
  ): pb.OffsetForLeaderEpochResponse | Promise<pb.OffsetForLeaderEpochResponse>;
  metadata(request: pb.MetadataRequest__Output): pb.MetadataResponse | Promise<pb.MetadataResponse>;
  initProducerId(request: pb.InitProducerIdRequest__Output): Promise<pb.InitProducerIdResponse>;
  shareFetch(request: pb.ShareFetchRequest__Output): Promise<pb.ShareFetchResponse>;
  shareAcknowledge(request: pb.ShareAcknowledgeRequest__Output): Promise<pb.ShareAcknowledgeResponse>;
}
