/**
 * The contract's services, typed by the generated code: a client constructor, a server-side
 * definition and a registration per service, all from the one cached package definition.
 *
 * `serviceRegistration('Broker', handlers)` takes the generated `BrokerHandlers`, so a server that
 * misses a method or answers with the wrong shape fails to compile; `createGrpcClient('Broker', ...)`
 * returns the generated `BrokerClient`, whose methods `unaryCall` checks by name.
 */
import { loadPackageDefinition, makeClientConstructor } from '@grpc/grpc-js';
import type {
  ChannelCredentials,
  ChannelOptions,
  MethodDefinition,
  ServiceClientConstructor,
  ServiceDefinition,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type {
  BrokerClient,
  BrokerDefinition,
  BrokerHandlers,
  ControllerClient,
  ControllerDefinition,
  ControllerHandlers,
  CoordinatorClient,
  CoordinatorDefinition,
  CoordinatorHandlers,
  HealthClient,
  HealthDefinition,
  HealthHandlers,
  RaftPeerClient,
  RaftPeerDefinition,
  RaftPeerHandlers,
  TieringClient,
  TieringDefinition,
  TieringHandlers,
} from './generated';
import { framedProduceStreamSerializer } from './produce-request-encoder';
import { contractPackageDefinition } from './proto-files';

/** Per service: its generated client, definition and handler types. */
export interface ContractServices {
  Broker: { client: BrokerClient; definition: BrokerDefinition; handlers: BrokerHandlers };
  Controller: { client: ControllerClient; definition: ControllerDefinition; handlers: ControllerHandlers };
  Coordinator: { client: CoordinatorClient; definition: CoordinatorDefinition; handlers: CoordinatorHandlers };
  RaftPeer: { client: RaftPeerClient; definition: RaftPeerDefinition; handlers: RaftPeerHandlers };
  Tiering: { client: TieringClient; definition: TieringDefinition; handlers: TieringHandlers };
  Health: { client: HealthClient; definition: HealthDefinition; handlers: HealthHandlers };
}

export type ServiceName = keyof ContractServices;

/** Fully qualified names: the first half of every gRPC path (`/sluice.v1.Broker/Produce`). */
export const SERVICE_FULL_NAMES: { readonly [N in ServiceName]: string } = Object.freeze({
  Broker: 'sluice.v1.Broker',
  Controller: 'sluice.v1.Controller',
  Coordinator: 'sluice.v1.Coordinator',
  RaftPeer: 'sluice.v1.RaftPeer',
  Tiering: 'sluice.v1.Tiering',
  Health: 'grpc.health.v1.Health',
});

/** What grpc-js's generated client class is, with the generated types on it. */
export interface TypedClientConstructor<N extends ServiceName> {
  new (address: string, credentials: ChannelCredentials, options?: ChannelOptions): ContractServices[N]['client'];
  readonly service: ContractServices[N]['definition'];
}

/** What `Server.addService` takes (and `startGrpcServer` registers). */
export interface GrpcServiceRegistration {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

const constructors = new Map<ServiceName, ServiceClientConstructor>();

export function serviceClientConstructor<N extends ServiceName>(service: N): TypedClientConstructor<N> {
  let ctor = constructors.get(service);
  if (ctor === undefined) {
    const fullName = SERVICE_FULL_NAMES[service];
    let node: unknown = loadPackageDefinition(contractPackageDefinition());
    for (const part of fullName.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    if (typeof node !== 'function' || !('service' in node))
      throw new Error(`service ${fullName} is not in the contract's protos`);
    ctor = withFramedRequests(service, node as ServiceClientConstructor);
    constructors.set(service, ctor);
  }
  return ctor as unknown as TypedClientConstructor<N>;
}

/**
 * Requests serialized straight into their gRPC frame (produce-request-encoder.ts): the producer's
 * ProduceStream requests, whose record bytes are then copied once instead of twice. Servers never
 * call `requestSerialize`, so the definition stays the server's too.
 */
function withFramedRequests(service: ServiceName, ctor: ServiceClientConstructor): ServiceClientConstructor {
  if (service !== 'Broker') return ctor;
  const definition = ctor.service;
  const produceStream = definition.ProduceStream as MethodDefinition<unknown, unknown> | undefined;
  if (produceStream === undefined) throw new Error('sluice.v1.Broker has no ProduceStream in the contract');
  const framed: ServiceDefinition = {
    ...definition,
    ProduceStream: {
      ...produceStream,
      requestSerialize: framedProduceStreamSerializer(produceStream.requestSerialize),
    },
  };
  return makeClientConstructor(framed, ctor.serviceName);
}

/** The server-side definition of a service. */
export function serviceDefinition<N extends ServiceName>(service: N): ContractServices[N]['definition'] {
  return serviceClientConstructor(service).service;
}

/** A service's definition with its handlers, for `startGrpcServer({ services: [...] })`. */
export function serviceRegistration<N extends ServiceName>(
  service: N,
  handlers: ContractServices[N]['handlers'],
): GrpcServiceRegistration {
  return { definition: serviceDefinition(service), implementation: handlers };
}
