// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface LogDirPartition {
  'partition'?: (number);
  /**
   * The replica's local log: every segment's bytes on this disk (remote segments not counted).
   */
  'sizeBytes'?: (number | string | Long);
  /**
   * Kafka's offset lag: how far the log end is below the high watermark this replica knows
   * (0 for a leader and for a caught-up follower).
   */
  'offsetLag'?: (number | string | Long);
  /**
   * A future replica of an intra-broker move (Kafka's alterReplicaLogDirs): never, in this build.
   */
  'isFuture'?: (boolean);
}

export interface LogDirPartition__Output {
  'partition': (number);
  /**
   * The replica's local log: every segment's bytes on this disk (remote segments not counted).
   */
  'sizeBytes': (string);
  /**
   * Kafka's offset lag: how far the log end is below the high watermark this replica knows
   * (0 for a leader and for a caught-up follower).
   */
  'offsetLag': (string);
  /**
   * A future replica of an intra-broker move (Kafka's alterReplicaLogDirs): never, in this build.
   */
  'isFuture': (boolean);
}
