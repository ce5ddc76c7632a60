// Original file: proto/sluice/v1/controller.proto

import type { ReassignmentResult as _sluice_v1_ReassignmentResult, ReassignmentResult__Output as _sluice_v1_ReassignmentResult__Output } from '../../sluice/v1/ReassignmentResult';

export interface AlterPartitionReassignmentsResponse {
  'results'?: (_sluice_v1_ReassignmentResult)[];
}

export interface AlterPartitionReassignmentsResponse__Output {
  'results': (_sluice_v1_ReassignmentResult__Output)[];
}
