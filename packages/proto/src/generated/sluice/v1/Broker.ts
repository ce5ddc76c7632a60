// Original file: proto/sluice/v1/broker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DescribeLogDirsRequest as _sluice_v1_DescribeLogDirsRequest, DescribeLogDirsRequest__Output as _sluice_v1_DescribeLogDirsRequest__Output } from '../../sluice/v1/DescribeLogDirsRequest';
import type { DescribeLogDirsResponse as _sluice_v1_DescribeLogDirsResponse, DescribeLogDirsResponse__Output as _sluice_v1_DescribeLogDirsResponse__Output } from '../../sluice/v1/DescribeLogDirsResponse';
import type { FetchRecordsRequest as _sluice_v1_FetchRecordsRequest, FetchRecordsRequest__Output as _sluice_v1_FetchRecordsRequest__Output } from '../../sluice/v1/FetchRecordsRequest';
import type { FetchRecordsResponse as _sluice_v1_FetchRecordsResponse, FetchRecordsResponse__Output as _sluice_v1_FetchRecordsResponse__Output } from '../../sluice/v1/FetchRecordsResponse';
import type { FetchRequest as _sluice_v1_FetchRequest, FetchRequest__Output as _sluice_v1_FetchRequest__Output } from '../../sluice/v1/FetchRequest';
import type { FetchResponse as _sluice_v1_FetchResponse, FetchResponse__Output as _sluice_v1_FetchResponse__Output } from '../../sluice/v1/FetchResponse';
import type { FetchStreamRequest as _sluice_v1_FetchStreamRequest, FetchStreamRequest__Output as _sluice_v1_FetchStreamRequest__Output } from '../../sluice/v1/FetchStreamRequest';
import type { FetchStreamResponse as _sluice_v1_FetchStreamResponse, FetchStreamResponse__Output as _sluice_v1_FetchStreamResponse__Output } from '../../sluice/v1/FetchStreamResponse';
import type { InitProducerIdRequest as _sluice_v1_InitProducerIdRequest, InitProducerIdRequest__Output as _sluice_v1_InitProducerIdRequest__Output } from '../../sluice/v1/InitProducerIdRequest';
import type { InitProducerIdResponse as _sluice_v1_InitProducerIdResponse, InitProducerIdResponse__Output as _sluice_v1_InitProducerIdResponse__Output } from '../../sluice/v1/InitProducerIdResponse';
import type { ListOffsetsRequest as _sluice_v1_ListOffsetsRequest, ListOffsetsRequest__Output as _sluice_v1_ListOffsetsRequest__Output } from '../../sluice/v1/ListOffsetsRequest';
import type { ListOffsetsResponse as _sluice_v1_ListOffsetsResponse, ListOffsetsResponse__Output as _sluice_v1_ListOffsetsResponse__Output } from '../../sluice/v1/ListOffsetsResponse';
import type { MetadataRequest as _sluice_v1_MetadataRequest, MetadataRequest__Output as _sluice_v1_MetadataRequest__Output } from '../../sluice/v1/MetadataRequest';
import type { MetadataResponse as _sluice_v1_MetadataResponse, MetadataResponse__Output as _sluice_v1_MetadataResponse__Output } from '../../sluice/v1/MetadataResponse';
import type { OffsetForLeaderEpochRequest as _sluice_v1_OffsetForLeaderEpochRequest, OffsetForLeaderEpochRequest__Output as _sluice_v1_OffsetForLeaderEpochRequest__Output } from '../../sluice/v1/OffsetForLeaderEpochRequest';
import type { OffsetForLeaderEpochResponse as _sluice_v1_OffsetForLeaderEpochResponse, OffsetForLeaderEpochResponse__Output as _sluice_v1_OffsetForLeaderEpochResponse__Output } from '../../sluice/v1/OffsetForLeaderEpochResponse';
import type { ProduceRecordsRequest as _sluice_v1_ProduceRecordsRequest, ProduceRecordsRequest__Output as _sluice_v1_ProduceRecordsRequest__Output } from '../../sluice/v1/ProduceRecordsRequest';
import type { ProduceRecordsResponse as _sluice_v1_ProduceRecordsResponse, ProduceRecordsResponse__Output as _sluice_v1_ProduceRecordsResponse__Output } from '../../sluice/v1/ProduceRecordsResponse';
import type { ProduceRequest as _sluice_v1_ProduceRequest, ProduceRequest__Output as _sluice_v1_ProduceRequest__Output } from '../../sluice/v1/ProduceRequest';
import type { ProduceResponse as _sluice_v1_ProduceResponse, ProduceResponse__Output as _sluice_v1_ProduceResponse__Output } from '../../sluice/v1/ProduceResponse';
import type { ProduceStreamRequest as _sluice_v1_ProduceStreamRequest, ProduceStreamRequest__Output as _sluice_v1_ProduceStreamRequest__Output } from '../../sluice/v1/ProduceStreamRequest';
import type { ProduceStreamResponse as _sluice_v1_ProduceStreamResponse, ProduceStreamResponse__Output as _sluice_v1_ProduceStreamResponse__Output } from '../../sluice/v1/ProduceStreamResponse';
import type { ReplicaFetchStreamRequest as _sluice_v1_ReplicaFetchStreamRequest, ReplicaFetchStreamRequest__Output as _sluice_v1_ReplicaFetchStreamRequest__Output } from '../../sluice/v1/ReplicaFetchStreamRequest';
import type { ReplicaFetchStreamResponse as _sluice_v1_ReplicaFetchStreamResponse, ReplicaFetchStreamResponse__Output as _sluice_v1_ReplicaFetchStreamResponse__Output } from '../../sluice/v1/ReplicaFetchStreamResponse';
import type { ShareAcknowledgeRequest as _sluice_v1_ShareAcknowledgeRequest, ShareAcknowledgeRequest__Output as _sluice_v1_ShareAcknowledgeRequest__Output } from '../../sluice/v1/ShareAcknowledgeRequest';
import type { ShareAcknowledgeResponse as _sluice_v1_ShareAcknowledgeResponse, ShareAcknowledgeResponse__Output as _sluice_v1_ShareAcknowledgeResponse__Output } from '../../sluice/v1/ShareAcknowledgeResponse';
import type { ShareFetchRequest as _sluice_v1_ShareFetchRequest, ShareFetchRequest__Output as _sluice_v1_ShareFetchRequest__Output } from '../../sluice/v1/ShareFetchRequest';
import type { ShareFetchResponse as _sluice_v1_ShareFetchResponse, ShareFetchResponse__Output as _sluice_v1_ShareFetchResponse__Output } from '../../sluice/v1/ShareFetchResponse';

export interface BrokerClient extends grpc.Client {
  /**
   * Kafka's DescribeLogDirs (kafka-log-dirs.sh --describe): per log directory of this broker, its
   * state and space, and the size and offset lag of each partition replica in it (leaders and
   * followers alike). Needs DESCRIBE on the cluster, as in Kafka.
   */
  DescribeLogDirs(argument: _sluice_v1_DescribeLogDirsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeLogDirsResponse__Output>): grpc.ClientUnaryCall;
  DescribeLogDirs(argument: _sluice_v1_DescribeLogDirsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeLogDirsResponse__Output>): grpc.ClientUnaryCall;
  DescribeLogDirs(argument: _sluice_v1_DescribeLogDirsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeLogDirsResponse__Output>): grpc.ClientUnaryCall;
  DescribeLogDirs(argument: _sluice_v1_DescribeLogDirsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeLogDirsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Kafka's DescribeLogDirs (kafka-log-dirs.sh --describe): per log directory of this broker, its
   * state and space, and the size and offset lag of each partition replica in it (leaders and
   * followers alike). Needs DESCRIBE on the cluster, as in Kafka.
   */
  describeLogDirs(argument: _sluice_v1_DescribeLogDirsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeLogDirsResponse__Output>): grpc.ClientUnaryCall;
  describeLogDirs(argument: _sluice_v1_DescribeLogDirsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeLogDirsResponse__Output>): grpc.ClientUnaryCall;
  describeLogDirs(argument: _sluice_v1_DescribeLogDirsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeLogDirsResponse__Output>): grpc.ClientUnaryCall;
  describeLogDirs(argument: _sluice_v1_DescribeLogDirsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeLogDirsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Long poll: answers once min_bytes are available or max_wait_ms passed.
   */
  Fetch(argument: _sluice_v1_FetchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  Fetch(argument: _sluice_v1_FetchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  Fetch(argument: _sluice_v1_FetchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  Fetch(argument: _sluice_v1_FetchRequest, callback: grpc.requestCallback<_sluice_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Long poll: answers once min_bytes are available or max_wait_ms passed.
   */
  fetch(argument: _sluice_v1_FetchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  fetch(argument: _sluice_v1_FetchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  fetch(argument: _sluice_v1_FetchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  fetch(argument: _sluice_v1_FetchRequest, callback: grpc.requestCallback<_sluice_v1_FetchResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Fetch for plain gRPC clients: the batches a Fetch would return, decoded (and decompressed)
   * into records at or after fetch_offset, control records left out. Long poll like Fetch.
   */
  FetchRecords(argument: _sluice_v1_FetchRecordsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FetchRecordsResponse__Output>): grpc.ClientUnaryCall;
  FetchRecords(argument: _sluice_v1_FetchRecordsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_FetchRecordsResponse__Output>): grpc.ClientUnaryCall;
  FetchRecords(argument: _sluice_v1_FetchRecordsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FetchRecordsResponse__Output>): grpc.ClientUnaryCall;
  FetchRecords(argument: _sluice_v1_FetchRecordsRequest, callback: grpc.requestCallback<_sluice_v1_FetchRecordsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Fetch for plain gRPC clients: the batches a Fetch would return, decoded (and decompressed)
   * into records at or after fetch_offset, control records left out. Long poll like Fetch.
   */
  fetchRecords(argument: _sluice_v1_FetchRecordsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FetchRecordsResponse__Output>): grpc.ClientUnaryCall;
  fetchRecords(argument: _sluice_v1_FetchRecordsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_FetchRecordsResponse__Output>): grpc.ClientUnaryCall;
  fetchRecords(argument: _sluice_v1_FetchRecordsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_FetchRecordsResponse__Output>): grpc.ClientUnaryCall;
  fetchRecords(argument: _sluice_v1_FetchRecordsRequest, callback: grpc.requestCallback<_sluice_v1_FetchRecordsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A consumer's Fetch on one long-lived stream per consumer->broker pair: each request is a
   * consumer's Fetch (replica_id -1), answered by one response with its correlation_id, exactly as
   * a unary Fetch would answer it (no partitions left out). The consumer grants credit by sending:
   * it may have up to 4 requests unanswered, answers leave as they complete, and the broker stops
   * reading the stream while it holds 4 unanswered, so a stream holds at most 4 answers
   * (max_bytes each) in flight. Each request needs what a consumer's Fetch needs (READ on each of
   * its topics), checked per message. It removes the HTTP/2 stream, headers, deadline and
   * per-call server work of one unary Fetch per round. A broker that does not serve it answers
   * UNIMPLEMENTED; the consumer then fetches with unary Fetch.
   */
  FetchStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_FetchStreamRequest, _sluice_v1_FetchStreamResponse__Output>;
  FetchStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_FetchStreamRequest, _sluice_v1_FetchStreamResponse__Output>;
  /**
   * A consumer's Fetch on one long-lived stream per consumer->broker pair: each request is a
   * consumer's Fetch (replica_id -1), answered by one response with its correlation_id, exactly as
   * a unary Fetch would answer it (no partitions left out). The consumer grants credit by sending:
   * it may have up to 4 requests unanswered, answers leave as they complete, and the broker stops
   * reading the stream while it holds 4 unanswered, so a stream holds at most 4 answers
   * (max_bytes each) in flight. Each request needs what a consumer's Fetch needs (READ on each of
   * its topics), checked per message. It removes the HTTP/2 stream, headers, deadline and
   * per-call server work of one unary Fetch per round. A broker that does not serve it answers
   * UNIMPLEMENTED; the consumer then fetches with unary Fetch.
   */
  fetchStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_FetchStreamRequest, _sluice_v1_FetchStreamResponse__Output>;
  fetchStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_FetchStreamRequest, _sluice_v1_FetchStreamResponse__Output>;
  
  /**
   * An idempotent producer's identity (Kafka's InitProducerId without transactions).
   */
  InitProducerId(argument: _sluice_v1_InitProducerIdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  InitProducerId(argument: _sluice_v1_InitProducerIdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  InitProducerId(argument: _sluice_v1_InitProducerIdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  InitProducerId(argument: _sluice_v1_InitProducerIdRequest, callback: grpc.requestCallback<_sluice_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  /**
   * An idempotent producer's identity (Kafka's InitProducerId without transactions).
   */
  initProducerId(argument: _sluice_v1_InitProducerIdRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  initProducerId(argument: _sluice_v1_InitProducerIdRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  initProducerId(argument: _sluice_v1_InitProducerIdRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  initProducerId(argument: _sluice_v1_InitProducerIdRequest, callback: grpc.requestCallback<_sluice_v1_InitProducerIdResponse__Output>): grpc.ClientUnaryCall;
  
  ListOffsets(argument: _sluice_v1_ListOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsets(argument: _sluice_v1_ListOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsets(argument: _sluice_v1_ListOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  ListOffsets(argument: _sluice_v1_ListOffsetsRequest, callback: grpc.requestCallback<_sluice_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  listOffsets(argument: _sluice_v1_ListOffsetsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  listOffsets(argument: _sluice_v1_ListOffsetsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  listOffsets(argument: _sluice_v1_ListOffsetsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  listOffsets(argument: _sluice_v1_ListOffsetsRequest, callback: grpc.requestCallback<_sluice_v1_ListOffsetsResponse__Output>): grpc.ClientUnaryCall;
  
  Metadata(argument: _sluice_v1_MetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_MetadataResponse__Output>): grpc.ClientUnaryCall;
  Metadata(argument: _sluice_v1_MetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_MetadataResponse__Output>): grpc.ClientUnaryCall;
  Metadata(argument: _sluice_v1_MetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_MetadataResponse__Output>): grpc.ClientUnaryCall;
  Metadata(argument: _sluice_v1_MetadataRequest, callback: grpc.requestCallback<_sluice_v1_MetadataResponse__Output>): grpc.ClientUnaryCall;
  metadata(argument: _sluice_v1_MetadataRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_MetadataResponse__Output>): grpc.ClientUnaryCall;
  metadata(argument: _sluice_v1_MetadataRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_MetadataResponse__Output>): grpc.ClientUnaryCall;
  metadata(argument: _sluice_v1_MetadataRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_MetadataResponse__Output>): grpc.ClientUnaryCall;
  metadata(argument: _sluice_v1_MetadataRequest, callback: grpc.requestCallback<_sluice_v1_MetadataResponse__Output>): grpc.ClientUnaryCall;
  
  OffsetForLeaderEpoch(argument: _sluice_v1_OffsetForLeaderEpochRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  OffsetForLeaderEpoch(argument: _sluice_v1_OffsetForLeaderEpochRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  OffsetForLeaderEpoch(argument: _sluice_v1_OffsetForLeaderEpochRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  OffsetForLeaderEpoch(argument: _sluice_v1_OffsetForLeaderEpochRequest, callback: grpc.requestCallback<_sluice_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  offsetForLeaderEpoch(argument: _sluice_v1_OffsetForLeaderEpochRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  offsetForLeaderEpoch(argument: _sluice_v1_OffsetForLeaderEpochRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  offsetForLeaderEpoch(argument: _sluice_v1_OffsetForLeaderEpochRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  offsetForLeaderEpoch(argument: _sluice_v1_OffsetForLeaderEpochRequest, callback: grpc.requestCallback<_sluice_v1_OffsetForLeaderEpochResponse__Output>): grpc.ClientUnaryCall;
  
  Produce(argument: _sluice_v1_ProduceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  Produce(argument: _sluice_v1_ProduceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  Produce(argument: _sluice_v1_ProduceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  Produce(argument: _sluice_v1_ProduceRequest, callback: grpc.requestCallback<_sluice_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  produce(argument: _sluice_v1_ProduceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  produce(argument: _sluice_v1_ProduceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  produce(argument: _sluice_v1_ProduceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  produce(argument: _sluice_v1_ProduceRequest, callback: grpc.requestCallback<_sluice_v1_ProduceResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Produce for plain gRPC clients: each partition's records become one uncompressed,
   * non-idempotent RecordBatch that the broker appends exactly as Produce would (same acks, same
   * validation, same per-partition errors).
   */
  ProduceRecords(argument: _sluice_v1_ProduceRecordsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ProduceRecordsResponse__Output>): grpc.ClientUnaryCall;
  ProduceRecords(argument: _sluice_v1_ProduceRecordsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ProduceRecordsResponse__Output>): grpc.ClientUnaryCall;
  ProduceRecords(argument: _sluice_v1_ProduceRecordsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ProduceRecordsResponse__Output>): grpc.ClientUnaryCall;
  ProduceRecords(argument: _sluice_v1_ProduceRecordsRequest, callback: grpc.requestCallback<_sluice_v1_ProduceRecordsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Produce for plain gRPC clients: each partition's records become one uncompressed,
   * non-idempotent RecordBatch that the broker appends exactly as Produce would (same acks, same
   * validation, same per-partition errors).
   */
  produceRecords(argument: _sluice_v1_ProduceRecordsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ProduceRecordsResponse__Output>): grpc.ClientUnaryCall;
  produceRecords(argument: _sluice_v1_ProduceRecordsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ProduceRecordsResponse__Output>): grpc.ClientUnaryCall;
  produceRecords(argument: _sluice_v1_ProduceRecordsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ProduceRecordsResponse__Output>): grpc.ClientUnaryCall;
  produceRecords(argument: _sluice_v1_ProduceRecordsRequest, callback: grpc.requestCallback<_sluice_v1_ProduceRecordsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Produce pipelined on one ordered stream (a producer keeps one per broker): the broker appends
   * the requests of a stream strictly in arrival order, so several batches of one partition may be
   * unanswered at once without being reordered (unary calls of one channel may be handled in any
   * order). Answers leave in completion order, matched by correlation_id; acks=0 requests get
   * none. The broker stops reading a stream while it has its limit of requests unanswered.
   */
  ProduceStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_ProduceStreamRequest, _sluice_v1_ProduceStreamResponse__Output>;
  ProduceStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_ProduceStreamRequest, _sluice_v1_ProduceStreamResponse__Output>;
  /**
   * Produce pipelined on one ordered stream (a producer keeps one per broker): the broker appends
   * the requests of a stream strictly in arrival order, so several batches of one partition may be
   * unanswered at once without being reordered (unary calls of one channel may be handled in any
   * order). Answers leave in completion order, matched by correlation_id; acks=0 requests get
   * none. The broker stops reading a stream while it has its limit of requests unanswered.
   */
  produceStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_ProduceStreamRequest, _sluice_v1_ProduceStreamResponse__Output>;
  produceStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_ProduceStreamRequest, _sluice_v1_ProduceStreamResponse__Output>;
  
  /**
   * Follower replication on one long-lived stream per follower->leader broker pair, a fetch
   * session in Kafka's sense (KIP-227). Each request is a follower's Fetch (replica_id set) and is
   * answered by one response with its correlation_id; the follower sends the next request only
   * once the previous one is answered, so a stream holds at most one answer (max_bytes) in flight.
   * For the life of the stream the leader remembers, per partition, what it was last asked and
   * what it last answered, and leaves out of an answer every partition asked at the same offset
   * and leader epoch whose answer carries no records, no error and the same high watermark, log
   * start offset and leader epoch as before. Same authorization as a follower's Fetch
   * (CLUSTER_ACTION). A leader that does not serve it answers UNIMPLEMENTED; the follower then
   * fetches with unary Fetch.
   */
  ReplicaFetchStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_ReplicaFetchStreamRequest, _sluice_v1_ReplicaFetchStreamResponse__Output>;
  ReplicaFetchStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_ReplicaFetchStreamRequest, _sluice_v1_ReplicaFetchStreamResponse__Output>;
  /**
   * Follower replication on one long-lived stream per follower->leader broker pair, a fetch
   * session in Kafka's sense (KIP-227). Each request is a follower's Fetch (replica_id set) and is
   * answered by one response with its correlation_id; the follower sends the next request only
   * once the previous one is answered, so a stream holds at most one answer (max_bytes) in flight.
   * For the life of the stream the leader remembers, per partition, what it was last asked and
   * what it last answered, and leaves out of an answer every partition asked at the same offset
   * and leader epoch whose answer carries no records, no error and the same high watermark, log
   * start offset and leader epoch as before. Same authorization as a follower's Fetch
   * (CLUSTER_ACTION). A leader that does not serve it answers UNIMPLEMENTED; the follower then
   * fetches with unary Fetch.
   */
  replicaFetchStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_ReplicaFetchStreamRequest, _sluice_v1_ReplicaFetchStreamResponse__Output>;
  replicaFetchStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_sluice_v1_ReplicaFetchStreamRequest, _sluice_v1_ReplicaFetchStreamResponse__Output>;
  
  ShareAcknowledge(argument: _sluice_v1_ShareAcknowledgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareAcknowledgeResponse__Output>): grpc.ClientUnaryCall;
  ShareAcknowledge(argument: _sluice_v1_ShareAcknowledgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ShareAcknowledgeResponse__Output>): grpc.ClientUnaryCall;
  ShareAcknowledge(argument: _sluice_v1_ShareAcknowledgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareAcknowledgeResponse__Output>): grpc.ClientUnaryCall;
  ShareAcknowledge(argument: _sluice_v1_ShareAcknowledgeRequest, callback: grpc.requestCallback<_sluice_v1_ShareAcknowledgeResponse__Output>): grpc.ClientUnaryCall;
  shareAcknowledge(argument: _sluice_v1_ShareAcknowledgeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareAcknowledgeResponse__Output>): grpc.ClientUnaryCall;
  shareAcknowledge(argument: _sluice_v1_ShareAcknowledgeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ShareAcknowledgeResponse__Output>): grpc.ClientUnaryCall;
  shareAcknowledge(argument: _sluice_v1_ShareAcknowledgeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareAcknowledgeResponse__Output>): grpc.ClientUnaryCall;
  shareAcknowledge(argument: _sluice_v1_ShareAcknowledgeRequest, callback: grpc.requestCallback<_sluice_v1_ShareAcknowledgeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Share groups (KIP-932), served by the partition leader: acquire records for a member (and
   * acknowledge earlier ones in the same call), or only acknowledge. Each state change is written
   * to the share coordinator (WriteShareGroupState) before the answer leaves.
   */
  ShareFetch(argument: _sluice_v1_ShareFetchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareFetchResponse__Output>): grpc.ClientUnaryCall;
  ShareFetch(argument: _sluice_v1_ShareFetchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ShareFetchResponse__Output>): grpc.ClientUnaryCall;
  ShareFetch(argument: _sluice_v1_ShareFetchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareFetchResponse__Output>): grpc.ClientUnaryCall;
  ShareFetch(argument: _sluice_v1_ShareFetchRequest, callback: grpc.requestCallback<_sluice_v1_ShareFetchResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Share groups (KIP-932), served by the partition leader: acquire records for a member (and
   * acknowledge earlier ones in the same call), or only acknowledge. Each state change is written
   * to the share coordinator (WriteShareGroupState) before the answer leaves.
   */
  shareFetch(argument: _sluice_v1_ShareFetchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareFetchResponse__Output>): grpc.ClientUnaryCall;
  shareFetch(argument: _sluice_v1_ShareFetchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ShareFetchResponse__Output>): grpc.ClientUnaryCall;
  shareFetch(argument: _sluice_v1_ShareFetchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ShareFetchResponse__Output>): grpc.ClientUnaryCall;
  shareFetch(argument: _sluice_v1_ShareFetchRequest, callback: grpc.requestCallback<_sluice_v1_ShareFetchResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface BrokerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Kafka's DescribeLogDirs (kafka-log-dirs.sh --describe): per log directory of this broker, its
   * state and space, and the size and offset lag of each partition replica in it (leaders and
   * followers alike). Needs DESCRIBE on the cluster, as in Kafka.
   */
  DescribeLogDirs: grpc.handleUnaryCall<_sluice_v1_DescribeLogDirsRequest__Output, _sluice_v1_DescribeLogDirsResponse>;
  
  /**
   * Long poll: answers once min_bytes are available or max_wait_ms passed.
   */
  Fetch: grpc.handleUnaryCall<_sluice_v1_FetchRequest__Output, _sluice_v1_FetchResponse>;
  
  /**
   * Fetch for plain gRPC clients: the batches a Fetch would return, decoded (and decompressed)
   * into records at or after fetch_offset, control records left out. Long poll like Fetch.
   */
  FetchRecords: grpc.handleUnaryCall<_sluice_v1_FetchRecordsRequest__Output, _sluice_v1_FetchRecordsResponse>;
  
  /**
   * A consumer's Fetch on one long-lived stream per consumer->broker pair: each request is a
   * consumer's Fetch (replica_id -1), answered by one response with its correlation_id, exactly as
   * a unary Fetch would answer it (no partitions left out). The consumer grants credit by sending:
   * it may have up to 4 requests unanswered, answers leave as they complete, and the broker stops
   * reading the stream while it holds 4 unanswered, so a stream holds at most 4 answers
   * (max_bytes each) in flight. Each request needs what a consumer's Fetch needs (READ on each of
   * its topics), checked per message. It removes the HTTP/2 stream, headers, deadline and
   * per-call server work of one unary Fetch per round. A broker that does not serve it answers
   * UNIMPLEMENTED; the consumer then fetches with unary Fetch.
   */
  FetchStream: grpc.handleBidiStreamingCall<_sluice_v1_FetchStreamRequest__Output, _sluice_v1_FetchStreamResponse>;
  
  /**
   * An idempotent producer's identity (Kafka's InitProducerId without transactions).
   */
  InitProducerId: grpc.handleUnaryCall<_sluice_v1_InitProducerIdRequest__Output, _sluice_v1_InitProducerIdResponse>;
  
  ListOffsets: grpc.handleUnaryCall<_sluice_v1_ListOffsetsRequest__Output, _sluice_v1_ListOffsetsResponse>;
  
  Metadata: grpc.handleUnaryCall<_sluice_v1_MetadataRequest__Output, _sluice_v1_MetadataResponse>;
  
  OffsetForLeaderEpoch: grpc.handleUnaryCall<_sluice_v1_OffsetForLeaderEpochRequest__Output, _sluice_v1_OffsetForLeaderEpochResponse>;
  
  Produce: grpc.handleUnaryCall<_sluice_v1_ProduceRequest__Output, _sluice_v1_ProduceResponse>;
  
  /**
   * Produce for plain gRPC clients: each partition's records become one uncompressed,
   * non-idempotent RecordBatch that the broker appends exactly as Produce would (same acks, same
   * validation, same per-partition errors).
   */
  ProduceRecords: grpc.handleUnaryCall<_sluice_v1_ProduceRecordsRequest__Output, _sluice_v1_ProduceRecordsResponse>;
  
  /**
   * Produce pipelined on one ordered stream (a producer keeps one per broker): the broker appends
   * the requests of a stream strictly in arrival order, so several batches of one partition may be
   * unanswered at once without being reordered (unary calls of one channel may be handled in any
   * order). Answers leave in completion order, matched by correlation_id; acks=0 requests get
   * none. The broker stops reading a stream while it has its limit of requests unanswered.
   */
  ProduceStream: grpc.handleBidiStreamingCall<_sluice_v1_ProduceStreamRequest__Output, _sluice_v1_ProduceStreamResponse>;
  
  /**
   * Follower replication on one long-lived stream per follower->leader broker pair, a fetch
   * session in Kafka's sense (KIP-227). Each request is a follower's Fetch (replica_id set) and is
   * answered by one response with its correlation_id; the follower sends the next request only
   * once the previous one is answered, so a stream holds at most one answer (max_bytes) in flight.
   * For the life of the stream the leader remembers, per partition, what it was last asked and
   * what it last answered, and leaves out of an answer every partition asked at the same offset
   * and leader epoch whose answer carries no records, no error and the same high watermark, log
   * start offset and leader epoch as before. Same authorization as a follower's Fetch
   * (CLUSTER_ACTION). A leader that does not serve it answers UNIMPLEMENTED; the follower then
   * fetches with unary Fetch.
   */
  ReplicaFetchStream: grpc.handleBidiStreamingCall<_sluice_v1_ReplicaFetchStreamRequest__Output, _sluice_v1_ReplicaFetchStreamResponse>;
  
  ShareAcknowledge: grpc.handleUnaryCall<_sluice_v1_ShareAcknowledgeRequest__Output, _sluice_v1_ShareAcknowledgeResponse>;
  
  /**
   * Share groups (KIP-932), served by the partition leader: acquire records for a member (and
   * acknowledge earlier ones in the same call), or only acknowledge. Each state change is written
   * to the share coordinator (WriteShareGroupState) before the answer leaves.
   */
  ShareFetch: grpc.handleUnaryCall<_sluice_v1_ShareFetchRequest__Output, _sluice_v1_ShareFetchResponse>;
  
}

export interface BrokerDefinition extends grpc.ServiceDefinition {
  DescribeLogDirs: MethodDefinition<_sluice_v1_DescribeLogDirsRequest, _sluice_v1_DescribeLogDirsResponse, _sluice_v1_DescribeLogDirsRequest__Output, _sluice_v1_DescribeLogDirsResponse__Output>
  Fetch: MethodDefinition<_sluice_v1_FetchRequest, _sluice_v1_FetchResponse, _sluice_v1_FetchRequest__Output, _sluice_v1_FetchResponse__Output>
  FetchRecords: MethodDefinition<_sluice_v1_FetchRecordsRequest, _sluice_v1_FetchRecordsResponse, _sluice_v1_FetchRecordsRequest__Output, _sluice_v1_FetchRecordsResponse__Output>
  FetchStream: MethodDefinition<_sluice_v1_FetchStreamRequest, _sluice_v1_FetchStreamResponse, _sluice_v1_FetchStreamRequest__Output, _sluice_v1_FetchStreamResponse__Output>
  InitProducerId: MethodDefinition<_sluice_v1_InitProducerIdRequest, _sluice_v1_InitProducerIdResponse, _sluice_v1_InitProducerIdRequest__Output, _sluice_v1_InitProducerIdResponse__Output>
  ListOffsets: MethodDefinition<_sluice_v1_ListOffsetsRequest, _sluice_v1_ListOffsetsResponse, _sluice_v1_ListOffsetsRequest__Output, _sluice_v1_ListOffsetsResponse__Output>
  Metadata: MethodDefinition<_sluice_v1_MetadataRequest, _sluice_v1_MetadataResponse, _sluice_v1_MetadataRequest__Output, _sluice_v1_MetadataResponse__Output>
  OffsetForLeaderEpoch: MethodDefinition<_sluice_v1_OffsetForLeaderEpochRequest, _sluice_v1_OffsetForLeaderEpochResponse, _sluice_v1_OffsetForLeaderEpochRequest__Output, _sluice_v1_OffsetForLeaderEpochResponse__Output>
  Produce: MethodDefinition<_sluice_v1_ProduceRequest, _sluice_v1_ProduceResponse, _sluice_v1_ProduceRequest__Output, _sluice_v1_ProduceResponse__Output>
  ProduceRecords: MethodDefinition<_sluice_v1_ProduceRecordsRequest, _sluice_v1_ProduceRecordsResponse, _sluice_v1_ProduceRecordsRequest__Output, _sluice_v1_ProduceRecordsResponse__Output>
  ProduceStream: MethodDefinition<_sluice_v1_ProduceStreamRequest, _sluice_v1_ProduceStreamResponse, _sluice_v1_ProduceStreamRequest__Output, _sluice_v1_ProduceStreamResponse__Output>
  ReplicaFetchStream: MethodDefinition<_sluice_v1_ReplicaFetchStreamRequest, _sluice_v1_ReplicaFetchStreamResponse, _sluice_v1_ReplicaFetchStreamRequest__Output, _sluice_v1_ReplicaFetchStreamResponse__Output>
  ShareAcknowledge: MethodDefinition<_sluice_v1_ShareAcknowledgeRequest, _sluice_v1_ShareAcknowledgeResponse, _sluice_v1_ShareAcknowledgeRequest__Output, _sluice_v1_ShareAcknowledgeResponse__Output>
  ShareFetch: MethodDefinition<_sluice_v1_ShareFetchRequest, _sluice_v1_ShareFetchResponse, _sluice_v1_ShareFetchRequest__Output, _sluice_v1_ShareFetchResponse__Output>
}
