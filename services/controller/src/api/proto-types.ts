/**
 * TypeScript shapes of sluice/v1/controller.proto messages as @grpc/proto-loader presents them
 * (runtime's PROTO_LOADER_OPTIONS): lowerCamelCase fields, int64 as decimal strings on input
 * (numbers or strings accepted on output), bytes as Buffers, every scalar defaulted.
 */
export type Int64 = string | number;

export interface Listener {
  name: string;
  host: string;
  port: number;
}

export interface RegisterBrokerRequest {
  brokerId: number;
  clusterId: string;
  incarnationId: string;
  listeners: Listener[];
  rack: string;
}
export interface RegisterBrokerResponse {
  brokerEpoch: Int64;
}

export interface BrokerHeartbeatRequest {
  brokerId: number;
  brokerEpoch: Int64;
  currentMetadataOffset: Int64;
  wantFence: boolean;
  wantShutdown: boolean;
}
export interface BrokerHeartbeatResponse {
  isFenced: boolean;
  shouldShutDown: boolean;
  isCaughtUp: boolean;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}
export interface ControlledShutdownRequest {
  brokerId: number;
  brokerEpoch: Int64;
}
export interface ControlledShutdownResponse {
  remainingPartitions: TopicPartitions[];
}

export interface FetchMetadataRequest {
  fromOffset: Int64;
  observer: string;
}
export interface FetchMetadataResponse {
  batch?: { offset: Int64; epoch: number; records: Buffer[] };
  snapshotChunk?: {
    lastContainedOffset: Int64;
    lastContainedEpoch: number;
    position: Int64;
    data: Buffer;
    last: boolean;
  };
}

export interface AlterPartitionItem {
  partition: number;
  leaderEpoch: number;
  newIsr: number[];
  partitionEpoch: number;
}
export interface AlterPartitionRequest {
  brokerId: number;
  brokerEpoch: Int64;
  topics: { topicId: string; partitions: AlterPartitionItem[] }[];
}
export interface AlterPartitionItemResult {
  partition: number;
  errorName: string;
  errorMessage: string;
  leader: number;
  leaderEpoch: number;
  isr: number[];
  partitionEpoch: number;
}
export interface AlterPartitionResponse {
  topics: { topicId: string; partitions: AlterPartitionItemResult[] }[];
}

export interface AllocateProducerIdsRequest {
  brokerId: number;
  brokerEpoch: Int64;
}
export interface AllocateProducerIdsResponse {
  producerIdStart: Int64;
  producerIdLen: number;
}

export interface ReplicaAssignment {
  partition: number;
  brokerIds: number[];
}
export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: ReplicaAssignment[];
  configs: Record<string, string>;
}
export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  validateOnly: boolean;
}
export interface CreatableTopicResult {
  name: string;
  topicId: string;
  errorName: string;
  errorMessage: string;
  numPartitions: number;
  replicationFactor: number;
}
export interface CreateTopicsResponse {
  topics: CreatableTopicResult[];
}

export interface DeleteTopicsRequest {
  names: string[];
}
export interface DeleteTopicsResponse {
  topics: { name: string; topicId: string; errorName: string; errorMessage: string }[];
}

export interface CreatePartitionsRequest {
  topics: { name: string; count: number; assignments: ReplicaAssignment[] }[];
  validateOnly: boolean;
}
export interface CreatePartitionsResponse {
  topics: { name: string; errorName: string; errorMessage: string }[];
}

export interface BrokerDescription {
  brokerId: number;
  brokerEpoch: Int64;
  listeners: Listener[];
  rack: string;
  fenced: boolean;
}
export interface DescribeClusterResponse {
  clusterId: string;
  nodeId: number;
  controllerId: number;
  controllerAddress: string;
  raftTerm: Int64;
  metadataOffset: Int64;
  brokers: BrokerDescription[];
  controllers: { nodeId: number; address: string }[];
}

export interface PartitionDescription {
  partition: number;
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  replicas: number[];
  isr: number[];
  eligibleLeaderReplicas: number[];
}
export interface TopicDescription {
  name: string;
  topicId: string;
  errorName: string;
  errorMessage: string;
  partitions: PartitionDescription[];
  configs: Record<string, string>;
}
export interface DescribeTopicsRequest {
  names: string[];
}
export interface DescribeTopicsResponse {
  topics: TopicDescription[];
  metadataOffset: Int64;
}

export interface AlterConfigsRequest {
  resources: {
    resourceType: string;
    resourceName: string;
    configs: { name: string; operation: string; value: string }[];
  }[];
  validateOnly: boolean;
}
export interface AlterConfigsResponse {
  resources: { resourceType: string; resourceName: string; errorName: string; errorMessage: string }[];
}

export interface ElectLeadersRequest {
  electionType: string;
  topicPartitions: TopicPartitions[];
}
export interface ElectLeadersResponse {
  results: { topic: string; partition: number; errorName: string; errorMessage: string }[];
}
