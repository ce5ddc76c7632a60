import 'reflect-metadata';
import { ApiError } from '@sluice/protocol';
import type { Message } from '@sluice/raft';
import type { GrpcApp } from '@sluice/service-common';
import { encodeRaftMessage } from '../../src/raft/message-codec';
import { createRaftPeerHandler } from '../../src/raft/raft-peer-service';
import { startRaftPeerRpc } from '../../src/rpc/controller-rpc.module';
import { createGrpcClient, unaryCall } from '@sluice/proto';

const received: Message[] = [];

describe('RaftPeerController (NestJS)', () => {
  let app: GrpcApp;
  let address: string;

  beforeAll(async () => {
    app = await startRaftPeerRpc(
      '127.0.0.1',
      0,
      createRaftPeerHandler({ nodeId: 2, receive: (m) => received.push(m) }),
    );
    address = app.address;
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

  it('with the quorum configured, takes Raft messages and snapshots from its other voters only', async () => {
    const fromVoters: Message[] = [];
    const handler = createRaftPeerHandler({
      nodeId: 2,
      voterIds: new Set([1, 2, 3]),
      receive: (m) => fromVoters.push(m),
    });
    const vote = (from: number): Buffer =>
      encodeRaftMessage({
        type: 'vote',
        from,
        to: 2,
        term: 1_000,
        lastLogIndex: 0,
        lastLogTerm: 0,
        leadershipTransfer: false,
      });
    const refusal = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        return (error as ApiError).errorName;
      }
      return 'accepted';
    };
    expect(refusal(() => handler.send({ clusterId: '', fromNodeId: 7, toNodeId: 2, messages: [vote(7)] }))).toBe(
      'INVALID_REQUEST',
    );
    expect(refusal(() => handler.send({ clusterId: '', fromNodeId: 2, toNodeId: 2, messages: [vote(2)] }))).toBe(
      'INVALID_REQUEST',
    );
    expect(fromVoters).toEqual([]);
    expect(refusal(() => handler.send({ clusterId: '', fromNodeId: 3, toNodeId: 2, messages: [vote(3)] }))).toBe(
      'accepted',
    );
    expect(fromVoters.map((m) => [m.type, m.from])).toEqual([['vote', 3]]);
  });
});
