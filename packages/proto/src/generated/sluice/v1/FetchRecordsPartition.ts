// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface FetchRecordsPartition {
  'partition'?: (number);
  'fetchOffset'?: (number | string | Long);
  'partitionMaxBytes'?: (number);
}

export interface FetchRecordsPartition__Output {
  'partition': (number);
  'fetchOffset': (string);
  'partitionMaxBytes': (number);
}
