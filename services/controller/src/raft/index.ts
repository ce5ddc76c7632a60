export * from './disk-storage';
export * from './grpc-transport';
export * from './message-codec';
export * from './raft-driver';
export * from './raft-peer-service';
export * from './raft-config';
