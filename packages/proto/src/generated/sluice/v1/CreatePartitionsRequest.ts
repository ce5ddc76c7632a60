// Original file: proto/sluice/v1/controller.proto

import type { CreatePartitionsTopic as _sluice_v1_CreatePartitionsTopic, CreatePartitionsTopic__Output as _sluice_v1_CreatePartitionsTopic__Output } from '../../sluice/v1/CreatePartitionsTopic';

export interface CreatePartitionsRequest {
  'topics'?: (_sluice_v1_CreatePartitionsTopic)[];
  'validateOnly'?: (boolean);
}

export interface CreatePartitionsRequest__Output {
  'topics': (_sluice_v1_CreatePartitionsTopic__Output)[];
  'validateOnly': (boolean);
}
