// Original file: proto/sluice/v1/controller.proto


export interface ControllerDescription {
  'nodeId'?: (number);
  'address'?: (string);
}

export interface ControllerDescription__Output {
  'nodeId': (number);
  'address': (string);
}
