/** A raw grpc-js client of the Broker service (followers' fetchers, tests, tools). */
import type { Client, ServiceClientConstructor, ServiceDefinition } from '@grpc/grpc-js';
import { createGrpcClient, loadProtos, serviceClientConstructor } from '@sluice/runtime';

export const BROKER_PROTO_FILES = ['sluice/v1/common.proto', 'sluice/v1/broker.proto'] as const;
export const BROKER_SERVICE_NAME = 'sluice.v1.Broker';

let cachedCtor: ServiceClientConstructor | undefined;

export function brokerClientConstructor(): ServiceClientConstructor {
  cachedCtor ??= serviceClientConstructor(loadProtos(BROKER_PROTO_FILES), BROKER_SERVICE_NAME);
  return cachedCtor;
}

export function brokerServiceDefinition(): ServiceDefinition {
  return brokerClientConstructor().service;
}

export function createBrokerClient(address: string): Client {
  return createGrpcClient(brokerClientConstructor(), address);
}
