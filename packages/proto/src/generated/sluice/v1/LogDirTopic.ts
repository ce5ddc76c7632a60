// Original file: proto/sluice/v1/broker.proto

import type { LogDirPartition as _sluice_v1_LogDirPartition, LogDirPartition__Output as _sluice_v1_LogDirPartition__Output } from '../../sluice/v1/LogDirPartition';

export interface LogDirTopic {
  'name'?: (string);
  'partitions'?: (_sluice_v1_LogDirPartition)[];
}

export interface LogDirTopic__Output {
  'name': (string);
  'partitions': (_sluice_v1_LogDirPartition__Output)[];
}
