// Original file: proto/sluice/v1/controller.proto

import type { AlterableConfig as _sluice_v1_AlterableConfig, AlterableConfig__Output as _sluice_v1_AlterableConfig__Output } from '../../sluice/v1/AlterableConfig';

export interface AlterConfigsResource {
  /**
   * "topic", "broker" or "cluster".
   */
  'resourceType'?: (string);
  /**
   * Topic name or broker id; "" for the cluster.
   */
  'resourceName'?: (string);
  'configs'?: (_sluice_v1_AlterableConfig)[];
}

export interface AlterConfigsResource__Output {
  /**
   * "topic", "broker" or "cluster".
   */
  'resourceType': (string);
  /**
   * Topic name or broker id; "" for the cluster.
   */
  'resourceName': (string);
  'configs': (_sluice_v1_AlterableConfig__Output)[];
}
