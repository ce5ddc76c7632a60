// Original file: proto/sluice/v1/coordinator.proto


export interface DescribeShareGroupsRequest {
  'groupIds'?: (string)[];
}

export interface DescribeShareGroupsRequest__Output {
  'groupIds': (string)[];
}
