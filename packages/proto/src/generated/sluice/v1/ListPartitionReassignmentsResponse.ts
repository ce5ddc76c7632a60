// Original file: proto/sluice/v1/controller.proto

import type { OngoingPartitionReassignment as _sluice_v1_OngoingPartitionReassignment, OngoingPartitionReassignment__Output as _sluice_v1_OngoingPartitionReassignment__Output } from '../../sluice/v1/OngoingPartitionReassignment';

export interface ListPartitionReassignmentsResponse {
  'reassignments'?: (_sluice_v1_OngoingPartitionReassignment)[];
}

export interface ListPartitionReassignmentsResponse__Output {
  'reassignments': (_sluice_v1_OngoingPartitionReassignment__Output)[];
}
