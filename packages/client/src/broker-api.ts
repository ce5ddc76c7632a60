/**
 * The broker's public gRPC API (proto/sluice/v1/broker.proto) as the client uses it: the proto
 * files, a cached client constructor, and the TypeScript shapes @sluice/runtime's loader gives
 * (int64 fields arrive as strings and may be sent as numbers). services/broker serves these same
 * shapes and imports them from here.
 */
import type { Client, ServiceClientConstructor, ServiceDefinition } from '@grpc/grpc-js';
import { createGrpcClient, serviceClientConstructor } from '@sluice/runtime/dist/grpc';
import { loadProtos } from '@sluice/runtime/dist/proto';

export const BROKER_PROTO_FILES = ['sluice/v1/common.proto', 'sluice/v1/broker.proto'] as const;
export const BROKER_SERVICE_NAME = 'sluice.v1.Broker';

let cachedCtor: ServiceClientConstructor | undefined;

export function brokerClientConstructor(): ServiceClientConstructor {
  cachedCtor ??= serviceClientConstructor(loadProtos(BROKER_PROTO_FILES), BROKER_SERVICE_NAME);
  return cachedCtor;
}

export function brokerServiceDefinition(): ServiceDefinition {
  return brokerClientConstructor().service;
}

export function createBrokerClient(address: string): Client {
  return createGrpcClient(brokerClientConstructor(), address);
}

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
export interface ProduceStreamRequest {
  correlationId: Int64;
  request: ProduceRequest | null;
}
export interface ProduceStreamResponse {
  correlationId: Int64;
  response: ProduceResponse | null;
  errorName: string;
  errorMessage: string;
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
export interface MetadataBroker {
  brokerId: number;
  listeners: { name: string; host: string; port: number }[];
  rack: string;
}
export interface MetadataPartition {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}
export interface MetadataTopic {
  name: string;
  topicId: string;
  errorName: string;
  errorMessage: string;
  partitions: MetadataPartition[];
}
export interface MetadataResponse {
  clusterId: string;
  brokers: MetadataBroker[];
  topics: MetadataTopic[];
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

export interface InitProducerIdRequest {
  producerId: Int64;
  producerEpoch: number;
}
export interface InitProducerIdResponse {
  producerId: Int64;
  producerEpoch: number;
}
