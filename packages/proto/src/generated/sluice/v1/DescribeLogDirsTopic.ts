// Original file: proto/sluice/v1/broker.proto


export interface DescribeLogDirsTopic {
  'name'?: (string);
  /**
   * Empty: every partition of the topic this broker holds.
   */
  'partitions'?: (number)[];
}

export interface DescribeLogDirsTopic__Output {
  'name': (string);
  /**
   * Empty: every partition of the topic this broker holds.
   */
  'partitions': (number)[];
}
