// Original file: proto/sluice/v1/broker.proto

import type { DescribeLogDirsTopic as _sluice_v1_DescribeLogDirsTopic, DescribeLogDirsTopic__Output as _sluice_v1_DescribeLogDirsTopic__Output } from '../../sluice/v1/DescribeLogDirsTopic';

export interface DescribeLogDirsRequest {
  /**
   * Empty: every partition replica on this broker (Kafka's null). Topics or partitions this
   * broker holds no replica of are left out of the answer, as Kafka does.
   */
  'topics'?: (_sluice_v1_DescribeLogDirsTopic)[];
}

export interface DescribeLogDirsRequest__Output {
  /**
   * Empty: every partition replica on this broker (Kafka's null). Topics or partitions this
   * broker holds no replica of are left out of the answer, as Kafka does.
   */
  'topics': (_sluice_v1_DescribeLogDirsTopic__Output)[];
}
