// Original file: proto/sluice/v1/controller.proto

import type { AlterPartitionTopic as _sluice_v1_AlterPartitionTopic, AlterPartitionTopic__Output as _sluice_v1_AlterPartitionTopic__Output } from '../../sluice/v1/AlterPartitionTopic';
import type { Long } from '@grpc/proto-loader';

export interface AlterPartitionRequest {
  'brokerId'?: (number);
  'brokerEpoch'?: (number | string | Long);
  'topics'?: (_sluice_v1_AlterPartitionTopic)[];
}

export interface AlterPartitionRequest__Output {
  'brokerId': (number);
  'brokerEpoch': (string);
  'topics': (_sluice_v1_AlterPartitionTopic__Output)[];
}
