/** The controller's pure decision core. The shell imports only from here. */
export { ControllerCore, type ControllerCoreOptions } from './controller-core';
export type { ControllerResult } from './result';
export { ControllerAssertionError } from './assert';
export * from './limits';
export { seededRng, randomUuid, type Rng } from './rng';
export type {
  RegisterBrokerRequest,
  RegisterBrokerResponse,
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  ControlledShutdownRequest,
  ControlledShutdownResponse,
  FenceExpiredResponse,
} from './cluster-control';
export type { AlterPartitionRequest, AlterPartitionResponse } from './alter-partition';
export type { AllocateProducerIdsRequest, AllocateProducerIdsResponse } from './producer-ids';
export type { CreatableTopic, CreateTopicsOptions, CreateTopicResult, CreateTopicsResponse } from './create-topics';
export type { DeleteTopicsRequest, DeleteTopicResult, DeleteTopicsResponse } from './delete-topics';
export type { CreatePartitionsRequest, CreatePartitionsResponse } from './create-partitions';
export type {
  ConfigResourceRef,
  ConfigOp,
  ConfigChange,
  ConfigValueChange,
  AlterConfigsResponse,
} from './configuration-control';
export { topicConfigValue, uncleanLeaderElectionEnabled } from './configuration-control';
export { TOPIC_CONFIGS, BROKER_CONFIGS, configValueProblem, type ConfigDef, type ConfigType } from './config-defs';
export type { ElectLeadersRequest, ElectLeaderResult, ElectLeadersResponse, TopicPartitionRef } from './elect-leaders';
export type { BootstrapResponse } from './bootstrap';
export type {
  AlterPartitionReassignmentsResponse,
  OngoingReassignment,
  PartitionReassignmentRequest,
  PartitionReassignmentResult,
} from './partition-reassignment';
export {
  describeCluster,
  describeTopics,
  type ClusterDescription,
  type BrokerDescription,
  type TopicDescription,
  type PartitionDescription,
} from './describe';
export { placeReplicas, type PlacementBroker, type PlacementRequest } from './replica-placer';
export { BrokerHeartbeatManager, type BrokerSession } from './broker-heartbeats';
export { applyRecords, checkRecordsApply, clusterInvariantViolations, type InvariantOptions } from './invariants';
export {
  MAX_ACL_CHANGES_PER_REQUEST,
  type AclCreationResult,
  type CreateAclsResponse,
  type AclDeletionResult,
  type DeleteAclsResponse,
} from './acl-control';
export {
  brokersWithLostReplicas,
  minInsyncReplicasOf,
  nextEligibleLeaderReplicas,
  elrClearingRecords,
} from './eligible-leaders';
