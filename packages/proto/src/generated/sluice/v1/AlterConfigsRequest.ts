// Original file: proto/sluice/v1/controller.proto

import type { AlterConfigsResource as _sluice_v1_AlterConfigsResource, AlterConfigsResource__Output as _sluice_v1_AlterConfigsResource__Output } from '../../sluice/v1/AlterConfigsResource';

export interface AlterConfigsRequest {
  'resources'?: (_sluice_v1_AlterConfigsResource)[];
  'validateOnly'?: (boolean);
}

export interface AlterConfigsRequest__Output {
  'resources': (_sluice_v1_AlterConfigsResource__Output)[];
  'validateOnly': (boolean);
}
