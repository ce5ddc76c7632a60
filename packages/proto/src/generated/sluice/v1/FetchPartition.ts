// Original file: proto/sluice/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface FetchPartition {
  'partition'?: (number);
  'fetchOffset'?: (number | string | Long);
  /**
   * -1: not checked.
   */
  'currentLeaderEpoch'?: (number);
  /**
   * The epoch of the fetcher's last record, for the divergence check (-1: none).
   */
  'lastFetchedEpoch'?: (number);
  'logStartOffset'?: (number | string | Long);
  'partitionMaxBytes'?: (number);
  /**
   * A follower's: what its log has fdatasynced (its recovery point). For a topic with
   * durable.acks.enable=true the leader's high watermark waits for it. -1: not sent (consumers;
   * a follower that does not send it counts as having flushed nothing).
   */
  'flushedOffset'?: (number | string | Long);
}

export interface FetchPartition__Output {
  'partition': (number);
  'fetchOffset': (string);
  /**
   * -1: not checked.
   */
  'currentLeaderEpoch': (number);
  /**
   * The epoch of the fetcher's last record, for the divergence check (-1: none).
   */
  'lastFetchedEpoch': (number);
  'logStartOffset': (string);
  'partitionMaxBytes': (number);
  /**
   * A follower's: what its log has fdatasynced (its recovery point). For a topic with
   * durable.acks.enable=true the leader's high watermark waits for it. -1: not sent (consumers;
   * a follower that does not send it counts as having flushed nothing).
   */
  'flushedOffset': (string);
}
