// Original file: proto/sluice/v1/controller.proto

import type { Long } from '@grpc/proto-loader';

export interface BrokerHeartbeatRequest {
  'brokerId'?: (number);
  'brokerEpoch'?: (number | string | Long);
  /**
   * The highest metadata offset the broker has applied.
   */
  'currentMetadataOffset'?: (number | string | Long);
  /**
   * Ready to lead: asks to be unfenced.
   */
  'wantFence'?: (boolean);
  'wantShutdown'?: (boolean);
  /**
   * Log directories this broker took offline after an I/O error (a full disk, a failed fsync):
   * their replicas are no longer served (Kafka's log directory failure, KIP-858). Each is named
   * by its path. A broker whose every log directory is offline is fenced: the controller moves
   * leadership and ISR membership off it and keeps it fenced while it reports them.
   */
  'offlineLogDirs'?: (string)[];
}

export interface BrokerHeartbeatRequest__Output {
  'brokerId': (number);
  'brokerEpoch': (string);
  /**
   * The highest metadata offset the broker has applied.
   */
  'currentMetadataOffset': (string);
  /**
   * Ready to lead: asks to be unfenced.
   */
  'wantFence': (boolean);
  'wantShutdown': (boolean);
  /**
   * Log directories this broker took offline after an I/O error (a full disk, a failed fsync):
   * their replicas are no longer served (Kafka's log directory failure, KIP-858). Each is named
   * by its path. A broker whose every log directory is offline is fenced: the controller moves
   * leadership and ISR membership off it and keeps it fenced while it reports them.
   */
  'offlineLogDirs': (string)[];
}
