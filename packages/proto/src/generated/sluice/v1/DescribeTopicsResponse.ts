// Original file: proto/sluice/v1/controller.proto

import type { TopicDescription as _sluice_v1_TopicDescription, TopicDescription__Output as _sluice_v1_TopicDescription__Output } from '../../sluice/v1/TopicDescription';
import type { Long } from '@grpc/proto-loader';

export interface DescribeTopicsResponse {
  'topics'?: (_sluice_v1_TopicDescription)[];
  'metadataOffset'?: (number | string | Long);
}

export interface DescribeTopicsResponse__Output {
  'topics': (_sluice_v1_TopicDescription__Output)[];
  'metadataOffset': (string);
}
