// Original file: proto/sluice/v1/controller.proto


export interface DescribeTopicsRequest {
  /**
   * Empty: all topics.
   */
  'names'?: (string)[];
}

export interface DescribeTopicsRequest__Output {
  /**
   * Empty: all topics.
   */
  'names': (string)[];
}
