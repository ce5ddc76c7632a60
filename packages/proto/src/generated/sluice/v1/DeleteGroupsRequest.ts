// Original file: proto/sluice/v1/coordinator.proto


export interface DeleteGroupsRequest {
  'groupIds'?: (string)[];
}

export interface DeleteGroupsRequest__Output {
  'groupIds': (string)[];
}
