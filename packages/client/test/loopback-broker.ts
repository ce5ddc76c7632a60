/**
 * A real grpc-js server on loopback serving the Broker service with handlers a test scripts (the
 * SDK's transports tested against real HTTP/2, not a mock of the client). The port is the OS's.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { serviceDefinition, type BrokerHandlers } from '@sluice/proto';

export interface LoopbackBroker {
  readonly server: Server;
  readonly port: number;
  readonly address: string;
}

/** Serves `handlers` (only the calls a test needs; the rest answer UNIMPLEMENTED) on 127.0.0.1:0. */
export async function startLoopbackBroker(handlers: Partial<BrokerHandlers>): Promise<LoopbackBroker> {
  const server = new Server();
  server.addService(serviceDefinition('Broker'), handlers as BrokerHandlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  return { server, port, address: `127.0.0.1:${port}` };
}
