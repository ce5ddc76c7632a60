/**
 * Typed calls over loopback with the generated types: int64 sent as a number arrives as a
 * decimal string, bytes as Buffers, Kafka-named errors cross as ApiErrors. The `@ts-expect-error`
 * lines are the compile-time half: `tsc -p tsconfig.test.json` fails if any of them compiles.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ApiError } from '@sluice/protocol';
import {
  createGrpcClient,
  serviceDefinition,
  serviceRegistration,
  toGrpcStatus,
  unaryCall,
  type BrokerClient,
  type BrokerHandlers,
  type InitProducerIdRequest__Output,
  type RaftPeerSendRequest__Output,
} from '../src';

async function startServer(server: Server): Promise<string> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  return `127.0.0.1:${port}`;
}

describe('typed unary calls', () => {
  const server = new Server();
  const seen: { initProducerId: InitProducerIdRequest__Output[]; send: RaftPeerSendRequest__Output[] } = {
    initProducerId: [],
    send: [],
  };
  let address: string;
  let broker: BrokerClient;

  beforeAll(async () => {
    // One method of Broker is enough here; grpc-js answers the others UNIMPLEMENTED.
    const initProducerId: BrokerHandlers['InitProducerId'] = (call, callback) => {
      seen.initProducerId.push(call.request);
      if (call.request.producerEpoch === 32_767) {
        callback(toGrpcStatus(new ApiError('PRODUCER_FENCED', 'epoch exhausted', { producerId: '7' })));
        return;
      }
      callback(null, { producerId: '9007199254740993', producerEpoch: call.request.producerEpoch + 1 });
    };
    server.addService(serviceDefinition('Broker'), { InitProducerId: initProducerId });
    const raftPeer = serviceRegistration('RaftPeer', {
      Send: (call, callback) => {
        seen.send.push(call.request);
        callback(null, {});
      },
      // Not exercised here; a registration names every method of the service.
      SendSnapshot: (call, callback) => {
        call.resume();
        call.on('end', () => callback(null, {}));
      },
      Stream: (call, callback) => {
        call.resume();
        call.on('end', () => callback(null, {}));
      },
    });
    server.addService(raftPeer.definition, raftPeer.implementation);
    address = await startServer(server);
    broker = createGrpcClient('Broker', address);
  });

  afterAll(() => {
    broker.close();
    server.forceShutdown();
  });

  it('sends input types and receives __Output types: int64 as decimal strings', async () => {
    const answer = await unaryCall(
      broker,
      'InitProducerId',
      { producerId: -1, producerEpoch: 4 },
      { timeoutMs: 5_000 },
    );
    const producerId: string = answer.producerId;
    expect([producerId, answer.producerEpoch]).toEqual(['9007199254740993', 5]); // 2^53 + 1, not rounded
    expect(seen.initProducerId.at(-1)).toEqual({ producerId: '-1', producerEpoch: 4 });
  });

  it('fills defaults and keeps bytes as Buffers', async () => {
    const raft = createGrpcClient('RaftPeer', address);
    try {
      expect(
        await unaryCall(raft, 'Send', { fromNodeId: 1, messages: [Buffer.from([1, 2])] }, { timeoutMs: 5_000 }),
      ).toEqual({});
      const request = seen.send.at(-1);
      expect(request).toMatchObject({ clusterId: '', fromNodeId: 1, toNodeId: 0 });
      expect(Buffer.isBuffer(request?.messages[0])).toBe(true);
      expect([...(request?.messages[0] ?? [])]).toEqual([1, 2]);
    } finally {
      raft.close();
    }
  });

  it("rejects with the server's ApiError, name and detail kept", async () => {
    const error = await unaryCall(
      broker,
      'InitProducerId',
      { producerId: 7, producerEpoch: 32_767 },
      { timeoutMs: 5_000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).errorName, (error as ApiError).detail]).toEqual([
      'PRODUCER_FENCED',
      { producerId: '7' },
    ]);
  });

  it('refuses at compile time what is not a unary method of the service, and at run time past the types', async () => {
    const options = { timeoutMs: 5_000 };
    // @ts-expect-error misspelt method name
    await expect(unaryCall(broker, 'InitProducerID', {}, options)).rejects.toThrow('InitProducerID is not a unary');
    // @ts-expect-error the lowerCamelCase alias is not a proto name
    await expect(unaryCall(broker, 'initProducerId', {}, options)).rejects.toThrow('initProducerId is not a unary');
    // @ts-expect-error a bidi stream is not a unary call
    await expect(unaryCall(broker, 'ProduceStream', {}, options)).rejects.toThrow('ProduceStream is not a unary');
    // @ts-expect-error a request field the message does not have (the wire drops it: defaults arrive)
    await unaryCall(broker, 'InitProducerId', { producerID: 1 }, options);
    expect(seen.initProducerId.at(-1)).toEqual({ producerId: '0', producerEpoch: 0 });
  });

  it('refuses at compile time a server that misses a method', () => {
    // @ts-expect-error Send, SendSnapshot and Stream are missing
    const registration = serviceRegistration('RaftPeer', {});
    expect(Object.keys(registration.definition)).toEqual(['Send', 'SendSnapshot', 'Stream']);
  });
});
