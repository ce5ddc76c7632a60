export * from './murmur2';
export * from './partitioner';
export * from './accumulator-config';
export * from './record-size';
export * from './accumulator';
export * from './errors';
export * from './controller-channel';
export * from './admin';
export type {
  BrokerLogDirs,
  LogDirInfo,
  LogDirPartitionInfo,
  LogDirsTopics,
} from './admin-log-dirs';
export * from './admin-groups';
export * from './admin-share-groups';
export * from './coordinator-lookup';
export * from './topic-regex';
export * from './cluster-metadata';
export * from './topic-pages';
export * from './producer-config';
export * from './producer';
export * from './consumer';
export * from './list-offsets';
export * from './group-partition';
export * from './group-membership';
export * from './share-state-persister';
export * from './share-consumer';
export * from './coordinator-locator';
export * from './coordinator-share-state-persister';
export * from './share-group-membership';
export * from './fetch-client-options';
export * from './end-to-end-latency';
export { processRecord, type TraceableRecord } from './consumer-tracing';
export * from './token-providers';
export * from './admin-acls';
