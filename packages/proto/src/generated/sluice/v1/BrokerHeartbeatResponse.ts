// Original file: proto/sluice/v1/controller.proto


export interface BrokerHeartbeatResponse {
  'isFenced'?: (boolean);
  'shouldShutDown'?: (boolean);
  'isCaughtUp'?: (boolean);
}

export interface BrokerHeartbeatResponse__Output {
  'isFenced': (boolean);
  'shouldShutDown': (boolean);
  'isCaughtUp': (boolean);
}
