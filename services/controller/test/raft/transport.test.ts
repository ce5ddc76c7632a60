import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { ApiError } from '@sluice/protocol';
import type { Message } from '@sluice/raft';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadSluiceConfig } from '@sluice/runtime';
import type { GrpcApp } from '@sluice/service-common';
import { startRaftPeerRpc } from '../../src/rpc/controller-rpc.module';
import { GrpcRaftTransport } from '../../src/raft/grpc-transport';
import { raftSettingsFromConfig } from '../../src/raft/raft-config';
import { encodeRaftMessage } from '../../src/raft/message-codec';
import { createRaftPeerHandler } from '../../src/raft/raft-peer-service';
import { waitFor } from './cluster-harness';
import {
  createGrpcClient,
  fromGrpcError,
  serviceDefinition,
  toGrpcStatus,
  unaryCall,
  type RaftPeerSendRequest,
  type RaftPeerSendRequest__Output,
  type RaftPeerSendResponse,
  type RaftPeerSendSnapshotRequest,
  type RaftPeerStreamRequest,
} from '@sluice/proto';

const heartbeat = (from: number, to: number, term: number): Message => ({
  type: 'heartbeat',
  from,
  to,
  term,
  commit: 0,
});

describe('RaftPeer over loopback gRPC', () => {
  let server: GrpcApp;
  const received: Message[] = [];

  beforeAll(async () => {
    const handler = createRaftPeerHandler({ nodeId: 2, clusterId: 'c1', receive: (m) => received.push(m) });
    server = await startRaftPeerRpc('127.0.0.1', 0, handler);
  });
  afterAll(() => server.close());
  beforeEach(() => (received.length = 0));

  it('delivers messages in order through GrpcRaftTransport', async () => {
    const transport = new GrpcRaftTransport({
      nodeId: 1,
      peers: new Map([
        [1, 'unused:1'],
        [2, server.address],
      ]),
      clusterId: 'c1',
    });
    try {
      for (let term = 1; term <= 50; term++) transport.send([heartbeat(1, 2, term)]);
      await waitFor(() => received.length === 50, 3_000, '50 messages');
      expect(received.map((m) => m.term)).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
      await waitFor(() => transport.stats().sentMessages === 50, 3_000, 'acks');
      // All of them on one stream: no call per batch.
      expect(transport.stats()).toMatchObject({ streamsOpened: 1, streamsFailed: 0, streamFallbacks: 0 });
    } finally {
      await transport.close();
    }
  });

  it('ends a Stream at the first refused envelope, after delivering the ones before it', async () => {
    const client = createGrpcClient('RaftPeer', server.address);
    const stream = (envelopes: RaftPeerStreamRequest[]): Promise<string> =>
      new Promise((resolve) => {
        const call = client.Stream({ deadline: new Date(Date.now() + 2_000) }, (error) =>
          resolve(error === null ? 'accepted' : fromGrpcError(error).errorName),
        );
        call.on('error', () => undefined);
        for (const envelope of envelopes) call.write(envelope);
        call.end();
      });
    const good = (term: number): RaftPeerStreamRequest => ({
      clusterId: 'c1',
      fromNodeId: 1,
      toNodeId: 2,
      messages: [encodeRaftMessage(heartbeat(1, 2, term))],
    });
    try {
      expect(await stream([good(1), { ...good(2), messages: [Buffer.from([1, 2, 3])] }, good(3)])).toBe(
        'CORRUPT_MESSAGE',
      );
      expect(received.map((m) => m.term)).toEqual([1]);
      expect(await stream([good(4), { ...good(5), clusterId: 'other' }])).toBe('INCONSISTENT_CLUSTER_ID');
      expect(await stream([{ ...good(6), toNodeId: 3 }])).toBe('INVALID_REQUEST');
      expect(received.map((m) => m.term)).toEqual([1, 4]);
      expect(await stream([good(7), good(8)])).toBe('accepted');
      expect(received.map((m) => m.term)).toEqual([1, 4, 7, 8]);
    } finally {
      client.close();
    }
  });

  it('falls back to Send calls against a peer without Stream (an older controller)', async () => {
    // An older controller's RaftPeer: Send only; grpc-js answers Stream with UNIMPLEMENTED.
    const older = new Server();
    const olderReceived: Message[] = [];
    const handler = createRaftPeerHandler({ nodeId: 2, clusterId: 'c1', receive: (m) => olderReceived.push(m) });
    older.addService(serviceDefinition('RaftPeer'), {
      Send: (
        call: ServerUnaryCall<RaftPeerSendRequest__Output, RaftPeerSendResponse>,
        callback: sendUnaryData<RaftPeerSendResponse>,
      ) => {
        try {
          callback(null, handler.send(call.request));
        } catch (error) {
          callback(toGrpcStatus(error));
        }
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      older.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
        error === null ? resolve(bound) : reject(error),
      ),
    );
    const transport = new GrpcRaftTransport({
      nodeId: 1,
      peers: new Map([[2, `127.0.0.1:${port}`]]),
      clusterId: 'c1',
    });
    try {
      // The first messages go to the stream the older peer refuses (Raft retries such losses).
      transport.send([heartbeat(1, 2, 1)]);
      await waitFor(() => transport.stats().streamFallbacks === 1, 3_000, 'UNIMPLEMENTED');
      for (let term = 2; term <= 20; term++) transport.send([heartbeat(1, 2, term)]);
      await waitFor(() => olderReceived.some((m) => m.term === 20), 3_000, 'the later messages by Send');
      const terms = olderReceived.map((m) => m.term);
      expect(terms).toEqual([...terms].sort((a, b) => a - b)); // still in order
      expect(transport.stats()).toMatchObject({ streamsOpened: 1, streamFallbacks: 1, failedCalls: 0 });
    } finally {
      await transport.close();
      older.forceShutdown();
    }
  });

  it('a peer shutting down is not held by the stream open to it', async () => {
    const handler = createRaftPeerHandler({ nodeId: 2, clusterId: 'c1', receive: () => undefined });
    const stopping = await startRaftPeerRpc('127.0.0.1', 0, handler);
    const transport = new GrpcRaftTransport({
      nodeId: 1,
      peers: new Map([[2, stopping.address]]),
      clusterId: 'c1',
    });
    try {
      transport.send([heartbeat(1, 2, 1)]);
      await waitFor(() => transport.stats().sentMessages === 1, 3_000, 'the stream to open');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      await stopping.close();
      // The server's grace for open calls is 1 s: the transport ended its stream on GOAWAY.
      expect(performance.now() - started).toBeLessThan(800);
    } finally {
      await transport.close();
    }
  });

  it('still sends one message larger than the queue byte bound (a big append)', async () => {
    const transport = new GrpcRaftTransport({
      nodeId: 1,
      peers: new Map([[2, server.address]]),
      clusterId: 'c1',
      maxQueuedBytesPerPeer: 1_024,
    });
    try {
      // Snapshots take their own stream (next test); an append of many entries is the big Send message.
      const append: Message = {
        type: 'append',
        from: 1,
        to: 2,
        term: 1,
        prevLogIndex: 0,
        prevLogTerm: 0,
        commit: 0,
        entries: [{ term: 1, index: 1, data: Buffer.alloc(64 * 1024, 7) }],
      };
      transport.send([append, heartbeat(1, 2, 1)]); // the heartbeat would exceed the bound behind it: dropped
      await waitFor(() => received.length === 1, 3_000, 'the append');
      expect(received[0]?.type).toBe('append');
      expect(transport.stats().droppedQueueFull).toBe(1);
    } finally {
      await transport.close();
    }
  });

  it('streams a snapshot in chunks over SendSnapshot, beside the Send queue; a repeat offer is dropped', async () => {
    const transport = new GrpcRaftTransport({
      nodeId: 1,
      peers: new Map([[2, server.address]]),
      clusterId: 'c1',
      maxQueuedBytesPerPeer: 1_024,
      snapshot: { chunkBytes: 1_000 },
    });
    try {
      const snapshot: Message = {
        type: 'snapshot',
        from: 1,
        to: 2,
        term: 1,
        snapshot: {
          metadata: { index: 9, term: 1, membership: { voters: [1, 2], observers: [] } },
          data: Buffer.alloc(64 * 1024, 7),
        },
      };
      transport.send([snapshot, heartbeat(1, 2, 1)]);
      transport.send([snapshot]); // Raft offers it again while the first is on its way
      await waitFor(() => received.length === 2, 3_000, 'the snapshot and the heartbeat');
      const delivered = received.find((m) => m.type === 'snapshot');
      expect(
        delivered?.type === 'snapshot' && Buffer.from(delivered.snapshot.data).equals(Buffer.alloc(64 * 1024, 7)),
      ).toBe(true);
      expect(transport.stats().droppedQueueFull).toBe(0);
      await waitFor(() => transport.snapshotStats().transfersDelivered === 1, 3_000, 'the transfer to settle');
      const stats = transport.snapshotStats();
      expect(stats.chunksSent).toBe(Math.ceil(stats.bytesSent / 1_000));
      expect(stats.chunksSent).toBeGreaterThan(60);
      expect(stats.offersDropped).toBe(1);
      transport.send([snapshot]); // just delivered: not sent again for a while
      expect(transport.snapshotStats()).toMatchObject({ transfersStarted: 1, offersDropped: 2 });
    } finally {
      await transport.close();
    }
  });

  it('refuses a whole envelope with a bad message, another cluster, or the wrong addressee', async () => {
    const client = createGrpcClient('RaftPeer', server.address);
    const send = (envelope: RaftPeerSendRequest): Promise<ApiError> =>
      unaryCall(client, 'Send', envelope, { timeoutMs: 2_000 }).then(
        () => {
          throw new Error('accepted');
        },
        (e: ApiError) => e,
      );
    try {
      const good = encodeRaftMessage(heartbeat(1, 2, 7));
      expect(
        (await send({ clusterId: 'c1', fromNodeId: 1, toNodeId: 2, messages: [good, Buffer.from([1, 2, 3])] }))
          .errorName,
      ).toBe('CORRUPT_MESSAGE');
      expect((await send({ clusterId: 'other', fromNodeId: 1, toNodeId: 2, messages: [good] })).errorName).toBe(
        'INCONSISTENT_CLUSTER_ID',
      );
      expect((await send({ clusterId: 'c1', fromNodeId: 1, toNodeId: 3, messages: [good] })).errorName).toBe(
        'INVALID_REQUEST',
      );
      expect((await send({ clusterId: 'c1', fromNodeId: 3, toNodeId: 2, messages: [good] })).message).toMatch(
        /envelope is 3->2/,
      );
      expect(received).toEqual([]); // nothing from a refused envelope reached raft
      await unaryCall(
        client,
        'Send',
        { clusterId: 'c1', fromNodeId: 1, toNodeId: 2, messages: [good] },
        { timeoutMs: 2_000 },
      );
      expect(received).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('refuses a snapshot stream that skips bytes, changes envelope, ends short, is too big or is not a snapshot', async () => {
    const client = createGrpcClient('RaftPeer', server.address);
    const stream = (chunks: RaftPeerSendSnapshotRequest[]): Promise<string> =>
      new Promise((resolve) => {
        const call = client.SendSnapshot({ deadline: new Date(Date.now() + 2_000) }, (error) =>
          resolve(error === null ? 'accepted' : fromGrpcError(error).errorName),
        );
        for (const chunk of chunks) call.write(chunk);
        call.end();
      });
    const message = encodeRaftMessage({
      type: 'snapshot',
      from: 1,
      to: 2,
      term: 3,
      snapshot: {
        metadata: { index: 5, term: 3, membership: { voters: [1, 2], observers: [] } },
        data: Buffer.alloc(100, 1),
      },
    });
    const chunk = (
      position: number,
      end: number,
      extra: Partial<RaftPeerSendSnapshotRequest> = {},
    ): RaftPeerSendSnapshotRequest => ({
      clusterId: 'c1',
      fromNodeId: 1,
      toNodeId: 2,
      totalBytes: message.length,
      position,
      data: message.subarray(position, end),
      ...extra,
    });
    const half = Math.floor(message.length / 2);
    try {
      expect(await stream([chunk(0, half), chunk(half + 1, message.length)])).toBe('INVALID_REQUEST');
      expect(await stream([chunk(0, half), chunk(half, message.length, { fromNodeId: 3 })])).toBe('INVALID_REQUEST');
      expect(await stream([chunk(0, half)])).toBe('INVALID_REQUEST');
      expect(await stream([])).toBe('INVALID_REQUEST');
      expect(await stream([chunk(0, half, { totalBytes: 2 * 1024 ** 3 })])).toBe('INVALID_REQUEST');
      expect(await stream([chunk(0, message.length, { clusterId: 'other' })])).toBe('INCONSISTENT_CLUSTER_ID');
      expect(await stream([chunk(0, message.length, { fromNodeId: 2 })])).toBe('INVALID_REQUEST');
      const garbage = Buffer.alloc(message.length, 0xff);
      expect(await stream([{ ...chunk(0, message.length), data: garbage }])).toBe('CORRUPT_MESSAGE');
      const notSnapshot = encodeRaftMessage(heartbeat(1, 2, 4));
      expect(await stream([{ ...chunk(0, 0), totalBytes: notSnapshot.length, data: notSnapshot }])).toBe(
        'INVALID_REQUEST',
      );
      expect(received).toEqual([]); // nothing refused reached raft
      expect(await stream([chunk(0, half), chunk(half, message.length)])).toBe('accepted');
      expect(received.map((m) => m.type)).toEqual(['snapshot']);
    } finally {
      client.close();
    }
  });

  it('never blocks on an unreachable peer and bounds its queue', async () => {
    // A port nothing listens on any more.
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const spareAddress = `127.0.0.1:${(spare.address() as AddressInfo).port}`;
    await new Promise((resolve) => spare.close(resolve));
    const transport = new GrpcRaftTransport({
      nodeId: 1,
      peers: new Map([[3, spareAddress]]),
      maxQueuedMessagesPerPeer: 16,
      requestTimeoutMs: 200,
    });
    try {
      const started = performance.now();
      for (let k = 0; k < 1_000; k++) transport.send([heartbeat(1, 3, k + 1), heartbeat(1, 9, 1)]);
      expect(performance.now() - started).toBeLessThan(500);
      const stats = transport.stats();
      expect(stats.droppedQueueFull).toBeGreaterThan(900);
      expect(stats.droppedUnknownPeer).toBe(1_000);
      await waitFor(() => transport.stats().streamsFailed > 0, 3_000, 'the stream to fail');
    } finally {
      await transport.close();
    }
  });
});

describe('raft settings from config', () => {
  it('maps Kafka-named keys onto driver options', () => {
    const config = loadSluiceConfig({
      overrides: {
        'node.id': 1,
        'process.roles': 'controller',
        'controller.quorum.voters': '1@127.0.0.1:9093,2@[::1]:9094',
        'log.dirs': '/data/a',
      },
    }).values;
    const settings = raftSettingsFromConfig(config);
    expect([...settings.voters]).toEqual([
      [1, '127.0.0.1:9093'],
      [2, '[::1]:9094'],
    ]);
    expect(settings.dataDir).toBe('/data/a/__cluster_metadata-0');
    expect([settings.tickMs, settings.electionTimeoutMs, settings.heartbeatIntervalMs]).toEqual([25, 300, 50]);
  });
});
