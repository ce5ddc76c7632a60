// Original file: proto/sluice/v1/controller.proto

import type { Listener as _sluice_v1_Listener, Listener__Output as _sluice_v1_Listener__Output } from '../../sluice/v1/Listener';
import type { Long } from '@grpc/proto-loader';

export interface BrokerDescription {
  'brokerId'?: (number);
  'brokerEpoch'?: (number | string | Long);
  'listeners'?: (_sluice_v1_Listener)[];
  'rack'?: (string);
  'fenced'?: (boolean);
}

export interface BrokerDescription__Output {
  'brokerId': (number);
  'brokerEpoch': (string);
  'listeners': (_sluice_v1_Listener__Output)[];
  'rack': (string);
  'fenced': (boolean);
}
