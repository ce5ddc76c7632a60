// Original file: proto/sluice/v1/coordinator.proto


export interface DescribeGroupsRequest {
  'groupIds'?: (string)[];
}

export interface DescribeGroupsRequest__Output {
  'groupIds': (string)[];
}
