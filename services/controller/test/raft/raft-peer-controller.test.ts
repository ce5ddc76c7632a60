import 'reflect-metadata';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiError } from '@sluice/protocol';
import type { Message } from '@sluice/raft';
import { ApiErrorRpcFilter, grpcMicroserviceOptions } from '@sluice/runtime';
import { encodeRaftMessage } from '../../src/raft/message-codec';
import { RAFT_PEER_HANDLER, RaftPeerController } from '../../src/raft/raft-peer.controller';
import { createRaftPeerHandler } from '../../src/raft/raft-peer-service';
import { createGrpcClient, unaryCall } from '@sluice/proto';

const received: Message[] = [];

@Module({
  controllers: [RaftPeerController],
  providers: [
    { provide: RAFT_PEER_HANDLER, useValue: createRaftPeerHandler({ nodeId: 2, receive: (m) => received.push(m) }) },
  ],
})
class RaftPeerTestModule {}

describe('RaftPeerController (NestJS)', () => {
  let app: INestMicroservice;
  let address: string;

  beforeAll(async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    app = await NestFactory.createMicroservice(RaftPeerTestModule, {
      ...grpcMicroserviceOptions({ url: address, protoFiles: ['sluice/v1/raft.proto'], packages: ['sluice.v1'] }),
      logger: false,
    });
    app.useGlobalFilters(new ApiErrorRpcFilter());
    await app.listen();
  });
  afterAll(() => app.close());

  it('delivers envelopes and refuses bad ones with Kafka error names', async () => {
    const client = createGrpcClient('RaftPeer', address);
    try {
      const message = encodeRaftMessage({ type: 'heartbeat', from: 1, to: 2, term: 3, commit: 0 });
      await unaryCall(client, 'Send', { fromNodeId: 1, toNodeId: 2, messages: [message] }, { timeoutMs: 2_000 });
      expect(received.map((m) => m.type)).toEqual(['heartbeat']);
      const error = await unaryCall(
        client,
        'Send',
        { fromNodeId: 1, toNodeId: 2, messages: [Buffer.from([9])] },
        { timeoutMs: 2_000 },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).errorName).toBe('CORRUPT_MESSAGE');
    } finally {
      client.close();
    }
  });
});
