import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BrokerClient as _sluice_v1_BrokerClient, BrokerDefinition as _sluice_v1_BrokerDefinition } from './sluice/v1/Broker';
import type { BrokerEndpoint as _sluice_v1_BrokerEndpoint, BrokerEndpoint__Output as _sluice_v1_BrokerEndpoint__Output } from './sluice/v1/BrokerEndpoint';
import type { ConsumerRecord as _sluice_v1_ConsumerRecord, ConsumerRecord__Output as _sluice_v1_ConsumerRecord__Output } from './sluice/v1/ConsumerRecord';
import type { DescribeLogDirsRequest as _sluice_v1_DescribeLogDirsRequest, DescribeLogDirsRequest__Output as _sluice_v1_DescribeLogDirsRequest__Output } from './sluice/v1/DescribeLogDirsRequest';
import type { DescribeLogDirsResponse as _sluice_v1_DescribeLogDirsResponse, DescribeLogDirsResponse__Output as _sluice_v1_DescribeLogDirsResponse__Output } from './sluice/v1/DescribeLogDirsResponse';
import type { DescribeLogDirsTopic as _sluice_v1_DescribeLogDirsTopic, DescribeLogDirsTopic__Output as _sluice_v1_DescribeLogDirsTopic__Output } from './sluice/v1/DescribeLogDirsTopic';
import type { Empty as _sluice_v1_Empty, Empty__Output as _sluice_v1_Empty__Output } from './sluice/v1/Empty';
import type { EpochEndOffset as _sluice_v1_EpochEndOffset, EpochEndOffset__Output as _sluice_v1_EpochEndOffset__Output } from './sluice/v1/EpochEndOffset';
import type { FetchPartition as _sluice_v1_FetchPartition, FetchPartition__Output as _sluice_v1_FetchPartition__Output } from './sluice/v1/FetchPartition';
import type { FetchPartitionResult as _sluice_v1_FetchPartitionResult, FetchPartitionResult__Output as _sluice_v1_FetchPartitionResult__Output } from './sluice/v1/FetchPartitionResult';
import type { FetchRecordsPartition as _sluice_v1_FetchRecordsPartition, FetchRecordsPartition__Output as _sluice_v1_FetchRecordsPartition__Output } from './sluice/v1/FetchRecordsPartition';
import type { FetchRecordsPartitionResult as _sluice_v1_FetchRecordsPartitionResult, FetchRecordsPartitionResult__Output as _sluice_v1_FetchRecordsPartitionResult__Output } from './sluice/v1/FetchRecordsPartitionResult';
import type { FetchRecordsRequest as _sluice_v1_FetchRecordsRequest, FetchRecordsRequest__Output as _sluice_v1_FetchRecordsRequest__Output } from './sluice/v1/FetchRecordsRequest';
import type { FetchRecordsResponse as _sluice_v1_FetchRecordsResponse, FetchRecordsResponse__Output as _sluice_v1_FetchRecordsResponse__Output } from './sluice/v1/FetchRecordsResponse';
import type { FetchRecordsTopic as _sluice_v1_FetchRecordsTopic, FetchRecordsTopic__Output as _sluice_v1_FetchRecordsTopic__Output } from './sluice/v1/FetchRecordsTopic';
import type { FetchRecordsTopicResult as _sluice_v1_FetchRecordsTopicResult, FetchRecordsTopicResult__Output as _sluice_v1_FetchRecordsTopicResult__Output } from './sluice/v1/FetchRecordsTopicResult';
import type { FetchRequest as _sluice_v1_FetchRequest, FetchRequest__Output as _sluice_v1_FetchRequest__Output } from './sluice/v1/FetchRequest';
import type { FetchResponse as _sluice_v1_FetchResponse, FetchResponse__Output as _sluice_v1_FetchResponse__Output } from './sluice/v1/FetchResponse';
import type { FetchStreamRequest as _sluice_v1_FetchStreamRequest, FetchStreamRequest__Output as _sluice_v1_FetchStreamRequest__Output } from './sluice/v1/FetchStreamRequest';
import type { FetchStreamResponse as _sluice_v1_FetchStreamResponse, FetchStreamResponse__Output as _sluice_v1_FetchStreamResponse__Output } from './sluice/v1/FetchStreamResponse';
import type { FetchTopic as _sluice_v1_FetchTopic, FetchTopic__Output as _sluice_v1_FetchTopic__Output } from './sluice/v1/FetchTopic';
import type { FetchTopicResult as _sluice_v1_FetchTopicResult, FetchTopicResult__Output as _sluice_v1_FetchTopicResult__Output } from './sluice/v1/FetchTopicResult';
import type { InitProducerIdRequest as _sluice_v1_InitProducerIdRequest, InitProducerIdRequest__Output as _sluice_v1_InitProducerIdRequest__Output } from './sluice/v1/InitProducerIdRequest';
import type { InitProducerIdResponse as _sluice_v1_InitProducerIdResponse, InitProducerIdResponse__Output as _sluice_v1_InitProducerIdResponse__Output } from './sluice/v1/InitProducerIdResponse';
import type { ItemError as _sluice_v1_ItemError, ItemError__Output as _sluice_v1_ItemError__Output } from './sluice/v1/ItemError';
import type { ListOffsetsPartition as _sluice_v1_ListOffsetsPartition, ListOffsetsPartition__Output as _sluice_v1_ListOffsetsPartition__Output } from './sluice/v1/ListOffsetsPartition';
import type { ListOffsetsPartitionResult as _sluice_v1_ListOffsetsPartitionResult, ListOffsetsPartitionResult__Output as _sluice_v1_ListOffsetsPartitionResult__Output } from './sluice/v1/ListOffsetsPartitionResult';
import type { ListOffsetsRequest as _sluice_v1_ListOffsetsRequest, ListOffsetsRequest__Output as _sluice_v1_ListOffsetsRequest__Output } from './sluice/v1/ListOffsetsRequest';
import type { ListOffsetsResponse as _sluice_v1_ListOffsetsResponse, ListOffsetsResponse__Output as _sluice_v1_ListOffsetsResponse__Output } from './sluice/v1/ListOffsetsResponse';
import type { ListOffsetsTopic as _sluice_v1_ListOffsetsTopic, ListOffsetsTopic__Output as _sluice_v1_ListOffsetsTopic__Output } from './sluice/v1/ListOffsetsTopic';
import type { ListOffsetsTopicResult as _sluice_v1_ListOffsetsTopicResult, ListOffsetsTopicResult__Output as _sluice_v1_ListOffsetsTopicResult__Output } from './sluice/v1/ListOffsetsTopicResult';
import type { Listener as _sluice_v1_Listener, Listener__Output as _sluice_v1_Listener__Output } from './sluice/v1/Listener';
import type { LogDirDescription as _sluice_v1_LogDirDescription, LogDirDescription__Output as _sluice_v1_LogDirDescription__Output } from './sluice/v1/LogDirDescription';
import type { LogDirPartition as _sluice_v1_LogDirPartition, LogDirPartition__Output as _sluice_v1_LogDirPartition__Output } from './sluice/v1/LogDirPartition';
import type { LogDirTopic as _sluice_v1_LogDirTopic, LogDirTopic__Output as _sluice_v1_LogDirTopic__Output } from './sluice/v1/LogDirTopic';
import type { MetadataRequest as _sluice_v1_MetadataRequest, MetadataRequest__Output as _sluice_v1_MetadataRequest__Output } from './sluice/v1/MetadataRequest';
import type { MetadataResponse as _sluice_v1_MetadataResponse, MetadataResponse__Output as _sluice_v1_MetadataResponse__Output } from './sluice/v1/MetadataResponse';
import type { OffsetForLeaderEpochPartition as _sluice_v1_OffsetForLeaderEpochPartition, OffsetForLeaderEpochPartition__Output as _sluice_v1_OffsetForLeaderEpochPartition__Output } from './sluice/v1/OffsetForLeaderEpochPartition';
import type { OffsetForLeaderEpochPartitionResult as _sluice_v1_OffsetForLeaderEpochPartitionResult, OffsetForLeaderEpochPartitionResult__Output as _sluice_v1_OffsetForLeaderEpochPartitionResult__Output } from './sluice/v1/OffsetForLeaderEpochPartitionResult';
import type { OffsetForLeaderEpochRequest as _sluice_v1_OffsetForLeaderEpochRequest, OffsetForLeaderEpochRequest__Output as _sluice_v1_OffsetForLeaderEpochRequest__Output } from './sluice/v1/OffsetForLeaderEpochRequest';
import type { OffsetForLeaderEpochResponse as _sluice_v1_OffsetForLeaderEpochResponse, OffsetForLeaderEpochResponse__Output as _sluice_v1_OffsetForLeaderEpochResponse__Output } from './sluice/v1/OffsetForLeaderEpochResponse';
import type { OffsetForLeaderEpochTopic as _sluice_v1_OffsetForLeaderEpochTopic, OffsetForLeaderEpochTopic__Output as _sluice_v1_OffsetForLeaderEpochTopic__Output } from './sluice/v1/OffsetForLeaderEpochTopic';
import type { OffsetForLeaderEpochTopicResult as _sluice_v1_OffsetForLeaderEpochTopicResult, OffsetForLeaderEpochTopicResult__Output as _sluice_v1_OffsetForLeaderEpochTopicResult__Output } from './sluice/v1/OffsetForLeaderEpochTopicResult';
import type { PartitionMetadata as _sluice_v1_PartitionMetadata, PartitionMetadata__Output as _sluice_v1_PartitionMetadata__Output } from './sluice/v1/PartitionMetadata';
import type { ProducePartition as _sluice_v1_ProducePartition, ProducePartition__Output as _sluice_v1_ProducePartition__Output } from './sluice/v1/ProducePartition';
import type { ProducePartitionResult as _sluice_v1_ProducePartitionResult, ProducePartitionResult__Output as _sluice_v1_ProducePartitionResult__Output } from './sluice/v1/ProducePartitionResult';
import type { ProduceRecordsPartition as _sluice_v1_ProduceRecordsPartition, ProduceRecordsPartition__Output as _sluice_v1_ProduceRecordsPartition__Output } from './sluice/v1/ProduceRecordsPartition';
import type { ProduceRecordsRequest as _sluice_v1_ProduceRecordsRequest, ProduceRecordsRequest__Output as _sluice_v1_ProduceRecordsRequest__Output } from './sluice/v1/ProduceRecordsRequest';
import type { ProduceRecordsResponse as _sluice_v1_ProduceRecordsResponse, ProduceRecordsResponse__Output as _sluice_v1_ProduceRecordsResponse__Output } from './sluice/v1/ProduceRecordsResponse';
import type { ProduceRecordsTopic as _sluice_v1_ProduceRecordsTopic, ProduceRecordsTopic__Output as _sluice_v1_ProduceRecordsTopic__Output } from './sluice/v1/ProduceRecordsTopic';
import type { ProduceRequest as _sluice_v1_ProduceRequest, ProduceRequest__Output as _sluice_v1_ProduceRequest__Output } from './sluice/v1/ProduceRequest';
import type { ProduceResponse as _sluice_v1_ProduceResponse, ProduceResponse__Output as _sluice_v1_ProduceResponse__Output } from './sluice/v1/ProduceResponse';
import type { ProduceStreamRequest as _sluice_v1_ProduceStreamRequest, ProduceStreamRequest__Output as _sluice_v1_ProduceStreamRequest__Output } from './sluice/v1/ProduceStreamRequest';
import type { ProduceStreamResponse as _sluice_v1_ProduceStreamResponse, ProduceStreamResponse__Output as _sluice_v1_ProduceStreamResponse__Output } from './sluice/v1/ProduceStreamResponse';
import type { ProduceTopic as _sluice_v1_ProduceTopic, ProduceTopic__Output as _sluice_v1_ProduceTopic__Output } from './sluice/v1/ProduceTopic';
import type { ProduceTopicResult as _sluice_v1_ProduceTopicResult, ProduceTopicResult__Output as _sluice_v1_ProduceTopicResult__Output } from './sluice/v1/ProduceTopicResult';
import type { ProducerRecord as _sluice_v1_ProducerRecord, ProducerRecord__Output as _sluice_v1_ProducerRecord__Output } from './sluice/v1/ProducerRecord';
import type { RecordHeader as _sluice_v1_RecordHeader, RecordHeader__Output as _sluice_v1_RecordHeader__Output } from './sluice/v1/RecordHeader';
import type { ReplicaFetchStreamRequest as _sluice_v1_ReplicaFetchStreamRequest, ReplicaFetchStreamRequest__Output as _sluice_v1_ReplicaFetchStreamRequest__Output } from './sluice/v1/ReplicaFetchStreamRequest';
import type { ReplicaFetchStreamResponse as _sluice_v1_ReplicaFetchStreamResponse, ReplicaFetchStreamResponse__Output as _sluice_v1_ReplicaFetchStreamResponse__Output } from './sluice/v1/ReplicaFetchStreamResponse';
import type { ShareAcknowledgePartitionResult as _sluice_v1_ShareAcknowledgePartitionResult, ShareAcknowledgePartitionResult__Output as _sluice_v1_ShareAcknowledgePartitionResult__Output } from './sluice/v1/ShareAcknowledgePartitionResult';
import type { ShareAcknowledgeRequest as _sluice_v1_ShareAcknowledgeRequest, ShareAcknowledgeRequest__Output as _sluice_v1_ShareAcknowledgeRequest__Output } from './sluice/v1/ShareAcknowledgeRequest';
import type { ShareAcknowledgeResponse as _sluice_v1_ShareAcknowledgeResponse, ShareAcknowledgeResponse__Output as _sluice_v1_ShareAcknowledgeResponse__Output } from './sluice/v1/ShareAcknowledgeResponse';
import type { ShareAcknowledgeTopicResult as _sluice_v1_ShareAcknowledgeTopicResult, ShareAcknowledgeTopicResult__Output as _sluice_v1_ShareAcknowledgeTopicResult__Output } from './sluice/v1/ShareAcknowledgeTopicResult';
import type { ShareAcknowledgementBatch as _sluice_v1_ShareAcknowledgementBatch, ShareAcknowledgementBatch__Output as _sluice_v1_ShareAcknowledgementBatch__Output } from './sluice/v1/ShareAcknowledgementBatch';
import type { ShareAcquiredRange as _sluice_v1_ShareAcquiredRange, ShareAcquiredRange__Output as _sluice_v1_ShareAcquiredRange__Output } from './sluice/v1/ShareAcquiredRange';
import type { ShareFetchPartition as _sluice_v1_ShareFetchPartition, ShareFetchPartition__Output as _sluice_v1_ShareFetchPartition__Output } from './sluice/v1/ShareFetchPartition';
import type { ShareFetchPartitionResult as _sluice_v1_ShareFetchPartitionResult, ShareFetchPartitionResult__Output as _sluice_v1_ShareFetchPartitionResult__Output } from './sluice/v1/ShareFetchPartitionResult';
import type { ShareFetchRequest as _sluice_v1_ShareFetchRequest, ShareFetchRequest__Output as _sluice_v1_ShareFetchRequest__Output } from './sluice/v1/ShareFetchRequest';
import type { ShareFetchResponse as _sluice_v1_ShareFetchResponse, ShareFetchResponse__Output as _sluice_v1_ShareFetchResponse__Output } from './sluice/v1/ShareFetchResponse';
import type { ShareFetchTopic as _sluice_v1_ShareFetchTopic, ShareFetchTopic__Output as _sluice_v1_ShareFetchTopic__Output } from './sluice/v1/ShareFetchTopic';
import type { ShareFetchTopicResult as _sluice_v1_ShareFetchTopicResult, ShareFetchTopicResult__Output as _sluice_v1_ShareFetchTopicResult__Output } from './sluice/v1/ShareFetchTopicResult';
import type { TopicMetadata as _sluice_v1_TopicMetadata, TopicMetadata__Output as _sluice_v1_TopicMetadata__Output } from './sluice/v1/TopicMetadata';
import type { TopicPartitionCursor as _sluice_v1_TopicPartitionCursor, TopicPartitionCursor__Output as _sluice_v1_TopicPartitionCursor__Output } from './sluice/v1/TopicPartitionCursor';
import type { TopicPartitions as _sluice_v1_TopicPartitions, TopicPartitions__Output as _sluice_v1_TopicPartitions__Output } from './sluice/v1/TopicPartitions';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  sluice: {
    v1: {
      Broker: SubtypeConstructor<typeof grpc.Client, _sluice_v1_BrokerClient> & { service: _sluice_v1_BrokerDefinition }
      BrokerEndpoint: MessageTypeDefinition<_sluice_v1_BrokerEndpoint, _sluice_v1_BrokerEndpoint__Output>
      ConsumerRecord: MessageTypeDefinition<_sluice_v1_ConsumerRecord, _sluice_v1_ConsumerRecord__Output>
      DescribeLogDirsRequest: MessageTypeDefinition<_sluice_v1_DescribeLogDirsRequest, _sluice_v1_DescribeLogDirsRequest__Output>
      DescribeLogDirsResponse: MessageTypeDefinition<_sluice_v1_DescribeLogDirsResponse, _sluice_v1_DescribeLogDirsResponse__Output>
      DescribeLogDirsTopic: MessageTypeDefinition<_sluice_v1_DescribeLogDirsTopic, _sluice_v1_DescribeLogDirsTopic__Output>
      Empty: MessageTypeDefinition<_sluice_v1_Empty, _sluice_v1_Empty__Output>
      EpochEndOffset: MessageTypeDefinition<_sluice_v1_EpochEndOffset, _sluice_v1_EpochEndOffset__Output>
      FetchPartition: MessageTypeDefinition<_sluice_v1_FetchPartition, _sluice_v1_FetchPartition__Output>
      FetchPartitionResult: MessageTypeDefinition<_sluice_v1_FetchPartitionResult, _sluice_v1_FetchPartitionResult__Output>
      FetchRecordsPartition: MessageTypeDefinition<_sluice_v1_FetchRecordsPartition, _sluice_v1_FetchRecordsPartition__Output>
      FetchRecordsPartitionResult: MessageTypeDefinition<_sluice_v1_FetchRecordsPartitionResult, _sluice_v1_FetchRecordsPartitionResult__Output>
      FetchRecordsRequest: MessageTypeDefinition<_sluice_v1_FetchRecordsRequest, _sluice_v1_FetchRecordsRequest__Output>
      FetchRecordsResponse: MessageTypeDefinition<_sluice_v1_FetchRecordsResponse, _sluice_v1_FetchRecordsResponse__Output>
      FetchRecordsTopic: MessageTypeDefinition<_sluice_v1_FetchRecordsTopic, _sluice_v1_FetchRecordsTopic__Output>
      FetchRecordsTopicResult: MessageTypeDefinition<_sluice_v1_FetchRecordsTopicResult, _sluice_v1_FetchRecordsTopicResult__Output>
      FetchRequest: MessageTypeDefinition<_sluice_v1_FetchRequest, _sluice_v1_FetchRequest__Output>
      FetchResponse: MessageTypeDefinition<_sluice_v1_FetchResponse, _sluice_v1_FetchResponse__Output>
      FetchStreamRequest: MessageTypeDefinition<_sluice_v1_FetchStreamRequest, _sluice_v1_FetchStreamRequest__Output>
      FetchStreamResponse: MessageTypeDefinition<_sluice_v1_FetchStreamResponse, _sluice_v1_FetchStreamResponse__Output>
      FetchTopic: MessageTypeDefinition<_sluice_v1_FetchTopic, _sluice_v1_FetchTopic__Output>
      FetchTopicResult: MessageTypeDefinition<_sluice_v1_FetchTopicResult, _sluice_v1_FetchTopicResult__Output>
      InitProducerIdRequest: MessageTypeDefinition<_sluice_v1_InitProducerIdRequest, _sluice_v1_InitProducerIdRequest__Output>
      InitProducerIdResponse: MessageTypeDefinition<_sluice_v1_InitProducerIdResponse, _sluice_v1_InitProducerIdResponse__Output>
      ItemError: MessageTypeDefinition<_sluice_v1_ItemError, _sluice_v1_ItemError__Output>
      ListOffsetsPartition: MessageTypeDefinition<_sluice_v1_ListOffsetsPartition, _sluice_v1_ListOffsetsPartition__Output>
      ListOffsetsPartitionResult: MessageTypeDefinition<_sluice_v1_ListOffsetsPartitionResult, _sluice_v1_ListOffsetsPartitionResult__Output>
      ListOffsetsRequest: MessageTypeDefinition<_sluice_v1_ListOffsetsRequest, _sluice_v1_ListOffsetsRequest__Output>
      ListOffsetsResponse: MessageTypeDefinition<_sluice_v1_ListOffsetsResponse, _sluice_v1_ListOffsetsResponse__Output>
      ListOffsetsTopic: MessageTypeDefinition<_sluice_v1_ListOffsetsTopic, _sluice_v1_ListOffsetsTopic__Output>
      ListOffsetsTopicResult: MessageTypeDefinition<_sluice_v1_ListOffsetsTopicResult, _sluice_v1_ListOffsetsTopicResult__Output>
      Listener: MessageTypeDefinition<_sluice_v1_Listener, _sluice_v1_Listener__Output>
      LogDirDescription: MessageTypeDefinition<_sluice_v1_LogDirDescription, _sluice_v1_LogDirDescription__Output>
      LogDirPartition: MessageTypeDefinition<_sluice_v1_LogDirPartition, _sluice_v1_LogDirPartition__Output>
      LogDirTopic: MessageTypeDefinition<_sluice_v1_LogDirTopic, _sluice_v1_LogDirTopic__Output>
      MetadataRequest: MessageTypeDefinition<_sluice_v1_MetadataRequest, _sluice_v1_MetadataRequest__Output>
      MetadataResponse: MessageTypeDefinition<_sluice_v1_MetadataResponse, _sluice_v1_MetadataResponse__Output>
      OffsetForLeaderEpochPartition: MessageTypeDefinition<_sluice_v1_OffsetForLeaderEpochPartition, _sluice_v1_OffsetForLeaderEpochPartition__Output>
      OffsetForLeaderEpochPartitionResult: MessageTypeDefinition<_sluice_v1_OffsetForLeaderEpochPartitionResult, _sluice_v1_OffsetForLeaderEpochPartitionResult__Output>
      OffsetForLeaderEpochRequest: MessageTypeDefinition<_sluice_v1_OffsetForLeaderEpochRequest, _sluice_v1_OffsetForLeaderEpochRequest__Output>
      OffsetForLeaderEpochResponse: MessageTypeDefinition<_sluice_v1_OffsetForLeaderEpochResponse, _sluice_v1_OffsetForLeaderEpochResponse__Output>
      OffsetForLeaderEpochTopic: MessageTypeDefinition<_sluice_v1_OffsetForLeaderEpochTopic, _sluice_v1_OffsetForLeaderEpochTopic__Output>
      OffsetForLeaderEpochTopicResult: MessageTypeDefinition<_sluice_v1_OffsetForLeaderEpochTopicResult, _sluice_v1_OffsetForLeaderEpochTopicResult__Output>
      PartitionMetadata: MessageTypeDefinition<_sluice_v1_PartitionMetadata, _sluice_v1_PartitionMetadata__Output>
      ProducePartition: MessageTypeDefinition<_sluice_v1_ProducePartition, _sluice_v1_ProducePartition__Output>
      ProducePartitionResult: MessageTypeDefinition<_sluice_v1_ProducePartitionResult, _sluice_v1_ProducePartitionResult__Output>
      ProduceRecordsPartition: MessageTypeDefinition<_sluice_v1_ProduceRecordsPartition, _sluice_v1_ProduceRecordsPartition__Output>
      ProduceRecordsRequest: MessageTypeDefinition<_sluice_v1_ProduceRecordsRequest, _sluice_v1_ProduceRecordsRequest__Output>
      ProduceRecordsResponse: MessageTypeDefinition<_sluice_v1_ProduceRecordsResponse, _sluice_v1_ProduceRecordsResponse__Output>
      ProduceRecordsTopic: MessageTypeDefinition<_sluice_v1_ProduceRecordsTopic, _sluice_v1_ProduceRecordsTopic__Output>
      ProduceRequest: MessageTypeDefinition<_sluice_v1_ProduceRequest, _sluice_v1_ProduceRequest__Output>
      ProduceResponse: MessageTypeDefinition<_sluice_v1_ProduceResponse, _sluice_v1_ProduceResponse__Output>
      ProduceStreamRequest: MessageTypeDefinition<_sluice_v1_ProduceStreamRequest, _sluice_v1_ProduceStreamRequest__Output>
      ProduceStreamResponse: MessageTypeDefinition<_sluice_v1_ProduceStreamResponse, _sluice_v1_ProduceStreamResponse__Output>
      ProduceTopic: MessageTypeDefinition<_sluice_v1_ProduceTopic, _sluice_v1_ProduceTopic__Output>
      ProduceTopicResult: MessageTypeDefinition<_sluice_v1_ProduceTopicResult, _sluice_v1_ProduceTopicResult__Output>
      ProducerRecord: MessageTypeDefinition<_sluice_v1_ProducerRecord, _sluice_v1_ProducerRecord__Output>
      RecordHeader: MessageTypeDefinition<_sluice_v1_RecordHeader, _sluice_v1_RecordHeader__Output>
      ReplicaFetchStreamRequest: MessageTypeDefinition<_sluice_v1_ReplicaFetchStreamRequest, _sluice_v1_ReplicaFetchStreamRequest__Output>
      ReplicaFetchStreamResponse: MessageTypeDefinition<_sluice_v1_ReplicaFetchStreamResponse, _sluice_v1_ReplicaFetchStreamResponse__Output>
      ShareAcknowledgePartitionResult: MessageTypeDefinition<_sluice_v1_ShareAcknowledgePartitionResult, _sluice_v1_ShareAcknowledgePartitionResult__Output>
      ShareAcknowledgeRequest: MessageTypeDefinition<_sluice_v1_ShareAcknowledgeRequest, _sluice_v1_ShareAcknowledgeRequest__Output>
      ShareAcknowledgeResponse: MessageTypeDefinition<_sluice_v1_ShareAcknowledgeResponse, _sluice_v1_ShareAcknowledgeResponse__Output>
      ShareAcknowledgeTopicResult: MessageTypeDefinition<_sluice_v1_ShareAcknowledgeTopicResult, _sluice_v1_ShareAcknowledgeTopicResult__Output>
      ShareAcknowledgementBatch: MessageTypeDefinition<_sluice_v1_ShareAcknowledgementBatch, _sluice_v1_ShareAcknowledgementBatch__Output>
      ShareAcquiredRange: MessageTypeDefinition<_sluice_v1_ShareAcquiredRange, _sluice_v1_ShareAcquiredRange__Output>
      ShareFetchPartition: MessageTypeDefinition<_sluice_v1_ShareFetchPartition, _sluice_v1_ShareFetchPartition__Output>
      ShareFetchPartitionResult: MessageTypeDefinition<_sluice_v1_ShareFetchPartitionResult, _sluice_v1_ShareFetchPartitionResult__Output>
      ShareFetchRequest: MessageTypeDefinition<_sluice_v1_ShareFetchRequest, _sluice_v1_ShareFetchRequest__Output>
      ShareFetchResponse: MessageTypeDefinition<_sluice_v1_ShareFetchResponse, _sluice_v1_ShareFetchResponse__Output>
      ShareFetchTopic: MessageTypeDefinition<_sluice_v1_ShareFetchTopic, _sluice_v1_ShareFetchTopic__Output>
      ShareFetchTopicResult: MessageTypeDefinition<_sluice_v1_ShareFetchTopicResult, _sluice_v1_ShareFetchTopicResult__Output>
      TopicMetadata: MessageTypeDefinition<_sluice_v1_TopicMetadata, _sluice_v1_TopicMetadata__Output>
      TopicPartitionCursor: MessageTypeDefinition<_sluice_v1_TopicPartitionCursor, _sluice_v1_TopicPartitionCursor__Output>
      TopicPartitions: MessageTypeDefinition<_sluice_v1_TopicPartitions, _sluice_v1_TopicPartitions__Output>
    }
  }
}

