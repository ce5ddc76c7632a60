// Original file: proto/sluice/v1/controller.proto


export interface ReplicaAssignment {
  'partition'?: (number);
  'brokerIds'?: (number)[];
}

export interface ReplicaAssignment__Output {
  'partition': (number);
  'brokerIds': (number)[];
}
