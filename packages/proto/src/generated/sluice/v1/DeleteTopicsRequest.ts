// Original file: proto/sluice/v1/controller.proto


export interface DeleteTopicsRequest {
  'names'?: (string)[];
}

export interface DeleteTopicsRequest__Output {
  'names': (string)[];
}
