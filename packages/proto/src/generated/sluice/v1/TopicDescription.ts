// Original file: proto/sluice/v1/controller.proto

import type { PartitionDescription as _sluice_v1_PartitionDescription, PartitionDescription__Output as _sluice_v1_PartitionDescription__Output } from '../../sluice/v1/PartitionDescription';

export interface TopicDescription {
  'name'?: (string);
  'topicId'?: (string);
  'errorName'?: (string);
  'errorMessage'?: (string);
  'partitions'?: (_sluice_v1_PartitionDescription)[];
  'configs'?: ({[key: string]: string});
}

export interface TopicDescription__Output {
  'name': (string);
  'topicId': (string);
  'errorName': (string);
  'errorMessage': (string);
  'partitions': (_sluice_v1_PartitionDescription__Output)[];
  'configs': ({[key: string]: string});
}
