// Original file: proto/sluice/v1/broker.proto

import type { LogDirDescription as _sluice_v1_LogDirDescription, LogDirDescription__Output as _sluice_v1_LogDirDescription__Output } from '../../sluice/v1/LogDirDescription';

export interface DescribeLogDirsResponse {
  'logDirs'?: (_sluice_v1_LogDirDescription)[];
}

export interface DescribeLogDirsResponse__Output {
  'logDirs': (_sluice_v1_LogDirDescription__Output)[];
}
