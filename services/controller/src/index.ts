/** What other packages (benches, tests) use from the controller: its client. The wire types are @sluice/proto's. */
export * from './client/controller-client';
/** The metadata log's storage and directory name: benches seed a quorum from a snapshot with them. */
export { DiskRaftStorage } from './raft/disk-storage';
export { CLUSTER_METADATA_DIR } from './raft/raft-config';
