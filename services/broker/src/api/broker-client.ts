/** A raw grpc-js client of the Broker service (followers' fetchers, tests, tools): the client SDK's. */
export {
  BROKER_PROTO_FILES,
  BROKER_SERVICE_NAME,
  brokerClientConstructor,
  brokerServiceDefinition,
  createBrokerClient,
} from '@sluice/client/dist/broker-api';
