// Original file: proto/sluice/v1/coordinator.proto


export interface ListGroupsRequest {
}

export interface ListGroupsRequest__Output {
}
