// Original file: proto/sluice/v1/tiering.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DescribeTieredPartitionsRequest as _sluice_v1_DescribeTieredPartitionsRequest, DescribeTieredPartitionsRequest__Output as _sluice_v1_DescribeTieredPartitionsRequest__Output } from '../../sluice/v1/DescribeTieredPartitionsRequest';
import type { DescribeTieredPartitionsResponse as _sluice_v1_DescribeTieredPartitionsResponse, DescribeTieredPartitionsResponse__Output as _sluice_v1_DescribeTieredPartitionsResponse__Output } from '../../sluice/v1/DescribeTieredPartitionsResponse';
import type { ScrubRemoteStorageRequest as _sluice_v1_ScrubRemoteStorageRequest, ScrubRemoteStorageRequest__Output as _sluice_v1_ScrubRemoteStorageRequest__Output } from '../../sluice/v1/ScrubRemoteStorageRequest';
import type { ScrubRemoteStorageResponse as _sluice_v1_ScrubRemoteStorageResponse, ScrubRemoteStorageResponse__Output as _sluice_v1_ScrubRemoteStorageResponse__Output } from '../../sluice/v1/ScrubRemoteStorageResponse';

export interface TieringClient extends grpc.Client {
  /**
   * Per partition of each tiered topic (remote.storage.enable=true): where its log starts
   * (remote storage included), where its leader's local log starts, the high watermark, and what
   * the object store holds for it (copied segments, their bytes, the offsets they cover).
   */
  DescribeTieredPartitions(argument: _sluice_v1_DescribeTieredPartitionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeTieredPartitionsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTieredPartitions(argument: _sluice_v1_DescribeTieredPartitionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeTieredPartitionsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTieredPartitions(argument: _sluice_v1_DescribeTieredPartitionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeTieredPartitionsResponse__Output>): grpc.ClientUnaryCall;
  DescribeTieredPartitions(argument: _sluice_v1_DescribeTieredPartitionsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeTieredPartitionsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Per partition of each tiered topic (remote.storage.enable=true): where its log starts
   * (remote storage included), where its leader's local log starts, the high watermark, and what
   * the object store holds for it (copied segments, their bytes, the offsets they cover).
   */
  describeTieredPartitions(argument: _sluice_v1_DescribeTieredPartitionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeTieredPartitionsResponse__Output>): grpc.ClientUnaryCall;
  describeTieredPartitions(argument: _sluice_v1_DescribeTieredPartitionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_DescribeTieredPartitionsResponse__Output>): grpc.ClientUnaryCall;
  describeTieredPartitions(argument: _sluice_v1_DescribeTieredPartitionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_DescribeTieredPartitionsResponse__Output>): grpc.ClientUnaryCall;
  describeTieredPartitions(argument: _sluice_v1_DescribeTieredPartitionsRequest, callback: grpc.requestCallback<_sluice_v1_DescribeTieredPartitionsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * One scrub now, as the scheduled one runs it: the uploads of deleted topics no leader cleaned
   * up, then objects no remote-log metadata names and multipart uploads, all older than the grace
   * period, are deleted (dry_run: only reported).
   */
  ScrubRemoteStorage(argument: _sluice_v1_ScrubRemoteStorageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ScrubRemoteStorageResponse__Output>): grpc.ClientUnaryCall;
  ScrubRemoteStorage(argument: _sluice_v1_ScrubRemoteStorageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ScrubRemoteStorageResponse__Output>): grpc.ClientUnaryCall;
  ScrubRemoteStorage(argument: _sluice_v1_ScrubRemoteStorageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ScrubRemoteStorageResponse__Output>): grpc.ClientUnaryCall;
  ScrubRemoteStorage(argument: _sluice_v1_ScrubRemoteStorageRequest, callback: grpc.requestCallback<_sluice_v1_ScrubRemoteStorageResponse__Output>): grpc.ClientUnaryCall;
  /**
   * One scrub now, as the scheduled one runs it: the uploads of deleted topics no leader cleaned
   * up, then objects no remote-log metadata names and multipart uploads, all older than the grace
   * period, are deleted (dry_run: only reported).
   */
  scrubRemoteStorage(argument: _sluice_v1_ScrubRemoteStorageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ScrubRemoteStorageResponse__Output>): grpc.ClientUnaryCall;
  scrubRemoteStorage(argument: _sluice_v1_ScrubRemoteStorageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_sluice_v1_ScrubRemoteStorageResponse__Output>): grpc.ClientUnaryCall;
  scrubRemoteStorage(argument: _sluice_v1_ScrubRemoteStorageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_sluice_v1_ScrubRemoteStorageResponse__Output>): grpc.ClientUnaryCall;
  scrubRemoteStorage(argument: _sluice_v1_ScrubRemoteStorageRequest, callback: grpc.requestCallback<_sluice_v1_ScrubRemoteStorageResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface TieringHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Per partition of each tiered topic (remote.storage.enable=true): where its log starts
   * (remote storage included), where its leader's local log starts, the high watermark, and what
   * the object store holds for it (copied segments, their bytes, the offsets they cover).
   */
  DescribeTieredPartitions: grpc.handleUnaryCall<_sluice_v1_DescribeTieredPartitionsRequest__Output, _sluice_v1_DescribeTieredPartitionsResponse>;
  
  /**
   * One scrub now, as the scheduled one runs it: the uploads of deleted topics no leader cleaned
   * up, then objects no remote-log metadata names and multipart uploads, all older than the grace
   * period, are deleted (dry_run: only reported).
   */
  ScrubRemoteStorage: grpc.handleUnaryCall<_sluice_v1_ScrubRemoteStorageRequest__Output, _sluice_v1_ScrubRemoteStorageResponse>;
  
}

export interface TieringDefinition extends grpc.ServiceDefinition {
  DescribeTieredPartitions: MethodDefinition<_sluice_v1_DescribeTieredPartitionsRequest, _sluice_v1_DescribeTieredPartitionsResponse, _sluice_v1_DescribeTieredPartitionsRequest__Output, _sluice_v1_DescribeTieredPartitionsResponse__Output>
  ScrubRemoteStorage: MethodDefinition<_sluice_v1_ScrubRemoteStorageRequest, _sluice_v1_ScrubRemoteStorageResponse, _sluice_v1_ScrubRemoteStorageRequest__Output, _sluice_v1_ScrubRemoteStorageResponse__Output>
}
