// Original file: proto/sluice/v1/controller.proto

import type { MetadataBatch as _sluice_v1_MetadataBatch, MetadataBatch__Output as _sluice_v1_MetadataBatch__Output } from '../../sluice/v1/MetadataBatch';
import type { SnapshotChunk as _sluice_v1_SnapshotChunk, SnapshotChunk__Output as _sluice_v1_SnapshotChunk__Output } from '../../sluice/v1/SnapshotChunk';

/**
 * Offsets are Raft log indexes: one committed entry is one atomic batch of metadata records.
 */
export interface FetchMetadataResponse {
  'batch'?: (_sluice_v1_MetadataBatch | null);
  'snapshotChunk'?: (_sluice_v1_SnapshotChunk | null);
  'payload'?: "batch"|"snapshotChunk";
}

/**
 * Offsets are Raft log indexes: one committed entry is one atomic batch of metadata records.
 */
export interface FetchMetadataResponse__Output {
  'batch'?: (_sluice_v1_MetadataBatch__Output | null);
  'snapshotChunk'?: (_sluice_v1_SnapshotChunk__Output | null);
  'payload'?: "batch"|"snapshotChunk";
}
