// Original file: proto/sluice/v1/broker.proto

import type { Listener as _sluice_v1_Listener, Listener__Output as _sluice_v1_Listener__Output } from '../../sluice/v1/Listener';

export interface BrokerEndpoint {
  'brokerId'?: (number);
  'listeners'?: (_sluice_v1_Listener)[];
  'rack'?: (string);
}

export interface BrokerEndpoint__Output {
  'brokerId': (number);
  'listeners': (_sluice_v1_Listener__Output)[];
  'rack': (string);
}
