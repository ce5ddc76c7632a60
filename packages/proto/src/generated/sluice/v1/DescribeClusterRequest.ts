// Original file: proto/sluice/v1/controller.proto


export interface DescribeClusterRequest {
}

export interface DescribeClusterRequest__Output {
}
