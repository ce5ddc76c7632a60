// Original file: proto/sluice/v1/controller.proto

import type { BrokerDescription as _sluice_v1_BrokerDescription, BrokerDescription__Output as _sluice_v1_BrokerDescription__Output } from '../../sluice/v1/BrokerDescription';
import type { ControllerDescription as _sluice_v1_ControllerDescription, ControllerDescription__Output as _sluice_v1_ControllerDescription__Output } from '../../sluice/v1/ControllerDescription';
import type { Long } from '@grpc/proto-loader';

export interface DescribeClusterResponse {
  'clusterId'?: (string);
  /**
   * The node answering, and who it thinks leads the quorum (-1: unknown).
   */
  'nodeId'?: (number);
  'controllerId'?: (number);
  'controllerAddress'?: (string);
  'raftTerm'?: (number | string | Long);
  /**
   * The offset (Raft index) of the metadata image this answer was read from.
   */
  'metadataOffset'?: (number | string | Long);
  'brokers'?: (_sluice_v1_BrokerDescription)[];
  'controllers'?: (_sluice_v1_ControllerDescription)[];
}

export interface DescribeClusterResponse__Output {
  'clusterId': (string);
  /**
   * The node answering, and who it thinks leads the quorum (-1: unknown).
   */
  'nodeId': (number);
  'controllerId': (number);
  'controllerAddress': (string);
  'raftTerm': (string);
  /**
   * The offset (Raft index) of the metadata image this answer was read from.
   */
  'metadataOffset': (string);
  'brokers': (_sluice_v1_BrokerDescription__Output)[];
  'controllers': (_sluice_v1_ControllerDescription__Output)[];
}
