/**
 * In-process calls of the broker's request handlers (ReplicaManager, SharePartitionManager) get
 * exactly what they would get over gRPC: the request is encoded and decoded with the contract's
 * codec (int64 as decimal strings, defaults filled), so tests may write it as a client would.
 */
import { serviceDefinition } from '@sluice/proto';
import type { BrokerClient, BrokerDefinition, UnaryMethodName, UnaryRequest } from '@sluice/proto';

type BrokerMethod = UnaryMethodName<BrokerClient>;

/** The request type the broker's handler for `M` receives. */
export type Received<M extends BrokerMethod> = ReturnType<BrokerDefinition[M]['requestDeserialize']>;

export function received<M extends BrokerMethod>(method: M, request: UnaryRequest<BrokerClient, M>): Received<M> {
  const codec = serviceDefinition('Broker')[method] as BrokerDefinition[M];
  return codec.requestDeserialize(codec.requestSerialize(request as never)) as Received<M>;
}
