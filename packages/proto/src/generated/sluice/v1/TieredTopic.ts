// Original file: proto/sluice/v1/tiering.proto

import type { TieredPartition as _sluice_v1_TieredPartition, TieredPartition__Output as _sluice_v1_TieredPartition__Output } from '../../sluice/v1/TieredPartition';

export interface TieredTopic {
  'name'?: (string);
  'topicId'?: (string);
  /**
   * UNKNOWN_TOPIC_OR_PARTITION for a name that is not a topic.
   */
  'errorName'?: (string);
  'errorMessage'?: (string);
  /**
   * remote.storage.enable=true on the topic; a named topic that is not tiered has no partitions here.
   */
  'tiered'?: (boolean);
  'partitions'?: (_sluice_v1_TieredPartition)[];
}

export interface TieredTopic__Output {
  'name': (string);
  'topicId': (string);
  /**
   * UNKNOWN_TOPIC_OR_PARTITION for a name that is not a topic.
   */
  'errorName': (string);
  'errorMessage': (string);
  /**
   * remote.storage.enable=true on the topic; a named topic that is not tiered has no partitions here.
   */
  'tiered': (boolean);
  'partitions': (_sluice_v1_TieredPartition__Output)[];
}
