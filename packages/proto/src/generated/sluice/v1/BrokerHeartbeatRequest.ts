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
}
