// Original file: proto/sluice/v1/controller.proto

import type { AlterConfigsResourceResult as _sluice_v1_AlterConfigsResourceResult, AlterConfigsResourceResult__Output as _sluice_v1_AlterConfigsResourceResult__Output } from '../../sluice/v1/AlterConfigsResourceResult';

export interface AlterConfigsResponse {
  'resources'?: (_sluice_v1_AlterConfigsResourceResult)[];
}

export interface AlterConfigsResponse__Output {
  'resources': (_sluice_v1_AlterConfigsResourceResult__Output)[];
}
