// Original file: proto/sluice/v1/controller.proto

import type { Long } from '@grpc/proto-loader';

export interface ControlledShutdownRequest {
  'brokerId'?: (number);
  'brokerEpoch'?: (number | string | Long);
}

export interface ControlledShutdownRequest__Output {
  'brokerId': (number);
  'brokerEpoch': (string);
}
