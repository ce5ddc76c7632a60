/**
 * The follower's fetch transport against a real gRPC server on loopback whose ReplicaFetchStream is
 * the leader's real stream handler (ReplicaFetchStreams) over a scripted fetch path, reached
 * through a TCP proxy that can cut a connection part way through an answer. What is checked is the
 * stream's own failure modes: a stream cut mid-response fails that request (never a partial
 * answer), requests go unary while the stream backs off, then a new stream takes over; a leader
 * that does not serve the stream (UNIMPLEMENTED) is fetched from with unary Fetch at once; a
 * stream that misses its deadline is cancelled on both sides.
 */
import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { createGrpcClient, serviceDefinition, type BrokerClient, type BrokerHandlers } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { silentLogger } from '@sluice/runtime';
import { waitFor } from '@sluice/local-cluster';
import type { FollowerHold } from '../src/node/fetch-path';
import { ReplicaFetchStreams } from '../src/node/replica-fetch-stream';
import { ReplicaFetchTransport } from '../src/node/replica-fetch-transport';

jest.setTimeout(30_000);

/** Forwards bytes both ways; `cutAfter(n)` destroys the next connection to pass n leader->follower bytes. */
class CutProxy {
  private cutAtBytes: number | undefined;
  private readonly sockets = new Set<Socket>();
  cuts = 0;

  private constructor(
    private readonly server: NetServer,
    readonly address: string,
  ) {}

  static async start(targetPort: number): Promise<CutProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const proxy = new CutProxy(server, `127.0.0.1:${port}`);
    server.on('connection', (downstream) => proxy.forward(downstream, targetPort));
    return proxy;
  }

  cutAfter(bytes: number): void {
    this.cutAtBytes = bytes;
  }

  private forward(downstream: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    this.sockets.add(downstream).add(upstream);
    let passed = 0;
    const destroy = (): void => {
      downstream.destroy();
      upstream.destroy();
      this.sockets.delete(downstream);
      this.sockets.delete(upstream);
    };
    downstream.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (this.cutAtBytes !== undefined) {
        passed += chunk.length;
        if (passed >= this.cutAtBytes) {
          this.cutAtBytes = undefined;
          this.cuts++;
          // Half of this chunk goes: the follower holds part of an answer when the connection dies.
          downstream.write(chunk.subarray(0, chunk.length >> 1), destroy);
          return;
        }
      }
      if (!downstream.write(chunk)) {
        upstream.pause();
        downstream.once('drain', () => upstream.resume());
      }
    });
    downstream.on('error', destroy).on('close', destroy);
    upstream.on('error', destroy).on('close', destroy);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A scripted leader: what its fetch path answers, and how long it takes. */
interface Script {
  highWatermark: number;
  recordBytes: number;
  delayMs: number;
}

function answerOf(script: Script): pb.FetchResponse {
  return {
    topics: [
      {
        name: 'orders',
        partitions: [
          {
            partition: 0,
            errorName: '',
            errorMessage: '',
            highWatermark: script.highWatermark,
            logStartOffset: 0,
            records: Buffer.alloc(script.recordBytes, 7),
            leaderEpoch: 3,
          },
          // A quiet partition: nothing new after its first answer.
          { partition: 1, errorName: '', errorMessage: '', highWatermark: 5, logStartOffset: 0, leaderEpoch: 3 },
        ],
      },
    ],
  };
}

const request = (fetchOffset: number): pb.FetchRequest => ({
  replicaId: 2,
  replicaEpoch: 10,
  maxWaitMs: 100,
  minBytes: 1,
  maxBytes: 10 * 1024 * 1024,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partition: 0, fetchOffset, currentLeaderEpoch: 3, lastFetchedEpoch: 3, logStartOffset: 0 },
        { partition: 1, fetchOffset: 5, currentLeaderEpoch: 3, lastFetchedEpoch: 3, logStartOffset: 0 },
      ],
    },
  ],
});

/**
 * A scripted leader's fetch path that long-polls as the real one does: it answers at once when
 * partition 0 has records, else when `changed()` is called (an append or a moved high watermark
 * wakes the real one) or when the request's max wait is up. Counts its passes.
 */
class LongPollScript {
  /** Reads of the script: one when a fetch arrives, one at each wake-up of its long poll. */
  passes = 0;
  private wake: (() => void) | undefined;

  constructor(readonly script: Script) {}

  /** As the fetch path's long poll: waits while there are no records, asking `hold` at each wake-up. */
  readonly fetch = async (request: pb.FetchRequest__Output, hold?: FollowerHold): Promise<pb.FetchResponse> => {
    const deadlineMs = Date.now() + request.maxWaitMs;
    this.passes++;
    let answer = answerOf(this.script);
    while (this.script.recordBytes === 0) {
      const woken = await this.changeOrTimeout(deadlineMs - Date.now());
      this.passes++;
      answer = answerOf(this.script);
      if (!woken || hold === undefined) break;
      const answered = (answer.topics ?? []).flatMap((topic) =>
        (topic.partitions ?? []).map((result) => ({ topic: topic.name ?? '', result })),
      );
      if (hold(answered)) break;
    }
    return answer;
  };

  private changeOrTimeout(waitMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const done = (woken: boolean): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(woken);
      };
      const timer = setTimeout(() => done(false), Math.max(0, waitMs));
      this.wake = () => done(true);
    });
  }

  changed(change: Partial<Script>): void {
    Object.assign(this.script, change);
    this.wake?.();
  }
}

async function startLeader(
  streams: ReplicaFetchStreams,
  script: Script,
  fetchPath?: (request: pb.FetchRequest__Output, hold?: FollowerHold) => Promise<pb.FetchResponse>,
): Promise<{ server: Server; port: number; unaryFetches: () => number }> {
  const server = new Server();
  let unary = 0;
  const answer = async (request: pb.FetchRequest__Output, hold?: FollowerHold): Promise<pb.FetchResponse> => {
    if (fetchPath !== undefined) return fetchPath(request, hold);
    if (script.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, script.delayMs));
    return answerOf(script);
  };
  const handlers: Pick<BrokerHandlers, 'Fetch' | 'ReplicaFetchStream'> = {
    Fetch: (call, callback) => {
      unary++;
      void answer(call.request).then((response) => callback(null, response));
    },
    ReplicaFetchStream: (call) => void streams.serve(call, { fetch: answer }),
  };
  server.addService(serviceDefinition('Broker'), handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  return { server, port, unaryFetches: () => unary };
}

describe('ReplicaFetchTransport', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(
    enabled: boolean,
    script: Script,
    fetchPath?: (request: pb.FetchRequest__Output, hold?: FollowerHold) => Promise<pb.FetchResponse>,
  ) {
    const streams = new ReplicaFetchStreams(enabled);
    const leader = await startLeader(streams, script, fetchPath);
    cleanups.push(() => leader.server.forceShutdown());
    const proxy = await CutProxy.start(leader.port);
    cleanups.push(() => proxy.close());
    const client: BrokerClient = createGrpcClient('Broker', proxy.address);
    cleanups.push(() => client.close());
    const transport = new ReplicaFetchTransport({
      client,
      leaderId: 1,
      log: silentLogger(),
      useStream: true,
      initialBackoffMs: 300,
      maxBackoffMs: 300,
    });
    cleanups.push(() => transport.close());
    return { streams, leader, proxy, transport };
  }

  it('keeps one stream for many fetches and leaves out partitions with nothing new', async () => {
    const script = { highWatermark: 10, recordBytes: 100, delayMs: 0 };
    const { streams, leader, transport } = await setUp(true, script);
    const first = await transport.fetch(request(0), 5_000);
    expect(first.topics[0]!.partitions.map((p) => p.partition)).toEqual([0, 1]);
    script.highWatermark = 20;
    const second = await transport.fetch(request(10), 5_000);
    // Partition 1 was asked at the same offset and answered the same: left out.
    expect(second.topics[0]!.partitions.map((p) => [p.partition, p.highWatermark, p.records.length])).toEqual([
      [0, '20', 100],
    ]);
    script.recordBytes = 0;
    const third = await transport.fetch(request(10), 5_000);
    // Same ask, same answer, no records: nothing at all.
    expect(third.topics).toEqual([]);
    expect(transport.counters).toMatchObject({ streamAnswers: 3, unaryAnswers: 0, streamsOpened: 1 });
    expect(transport.kind).toBe('stream');
    expect(streams.openCount).toBe(1);
    expect(leader.unaryFetches()).toBe(0);
  });

  it('holds an answer whose only news is a moved high watermark until records come, or the max wait', async () => {
    const leaderLog = new LongPollScript({ highWatermark: 10, recordBytes: 100, delayMs: 0 });
    const { transport } = await setUp(true, leaderLog.script, leaderLog.fetch);
    expect((await transport.fetch(request(0), 5_000)).topics[0]!.partitions.map((p) => p.partition)).toEqual([0, 1]);
    leaderLog.changed({ recordBytes: 0 });
    const passesBefore = leaderLog.passes;
    let answered = false;
    const held = transport.fetch({ ...request(10), maxWaitMs: 10_000 }, 15_000).finally(() => (answered = true));
    await waitFor('the leader holds the fetch', () => leaderLog.passes === passesBefore + 1, 5_000);
    // The other follower moved the high watermark: the long poll wakes, but the answer waits.
    leaderLog.changed({ highWatermark: 20 });
    await waitFor('the leader holds the fetch again', () => leaderLog.passes === passesBefore + 2, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    // Records arrive: one answer carries them and the high watermark.
    leaderLog.changed({ recordBytes: 50 });
    const withRecords = await held;
    expect(withRecords.topics[0]!.partitions.map((p) => [p.partition, p.highWatermark, p.records.length])).toEqual([
      [0, '20', 50],
    ]);
    expect(transport.counters).toMatchObject({ streamAnswers: 2, streamsOpened: 1 });
    // No records follow: the moved high watermark goes out when the request's max wait is up.
    leaderLog.changed({ recordBytes: 0 });
    const startedMs = Date.now();
    const late = transport.fetch({ ...request(60), maxWaitMs: 300 }, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    leaderLog.changed({ highWatermark: 60 });
    const atMaxWait = await late;
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(250);
    expect(atMaxWait.topics[0]!.partitions.map((p) => [p.partition, p.highWatermark, p.records.length])).toEqual([
      [0, '60', 0],
    ]);
    expect(transport.counters).toMatchObject({ streamAnswers: 3, streamsOpened: 1 });
  });

  it('fails a request whose stream is cut mid-response, goes unary while backing off, then reopens', async () => {
    const script = { highWatermark: 10, recordBytes: 2 * 1024 * 1024, delayMs: 0 };
    const { streams, leader, proxy, transport } = await setUp(true, script);
    expect((await transport.fetch(request(0), 5_000)).topics[0]!.partitions[0]!.records.length).toBe(2 * 1024 * 1024);
    proxy.cutAfter(256 * 1024);
    const cut = await transport.fetch(request(10), 5_000).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(proxy.cuts).toBe(1);
    expect(cut).toBeInstanceOf(ApiError);
    expect((cut as ApiError).errorName).toBe('NETWORK_EXCEPTION');
    expect(transport.counters).toMatchObject({ streamFailures: 1, streamsOpened: 1 });
    // Within the backoff: a whole answer by unary Fetch, not a piece of the cut one.
    const unary = await transport.fetch(request(10), 5_000);
    expect(unary.topics[0]!.partitions[0]!.records.length).toBe(2 * 1024 * 1024);
    expect(transport.kind).toBe('unary');
    expect(leader.unaryFetches()).toBe(1);
    // The leader dropped the cut stream.
    await waitFor('the cut stream closed on the leader', () => streams.openCount === 0, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const reopened = await transport.fetch(request(10), 5_000);
    expect(reopened.topics[0]!.partitions[0]!.records.length).toBe(2 * 1024 * 1024);
    expect(transport.kind).toBe('stream');
    expect(transport.counters).toMatchObject({ streamsOpened: 2, streamFailures: 1, unaryAnswers: 1 });
  });

  it('fetches with unary Fetch at once from a leader that answers the stream UNIMPLEMENTED', async () => {
    const script = { highWatermark: 10, recordBytes: 100, delayMs: 0 };
    const { streams, leader, transport } = await setUp(false, script);
    const answer = await transport.fetch(request(0), 5_000);
    expect(answer.topics[0]!.partitions.map((p) => p.partition)).toEqual([0, 1]);
    expect(transport.kind).toBe('unary');
    expect(transport.counters).toMatchObject({ fallbacksUnimplemented: 1, streamFailures: 0, unaryAnswers: 1 });
    // And stays unary (no stream per request) until the retry time passes.
    await transport.fetch(request(10), 5_000);
    expect(transport.counters).toMatchObject({ streamsOpened: 1, unaryAnswers: 2 });
    expect(leader.unaryFetches()).toBe(2);
    expect(streams.openCount).toBe(0);
  });

  it('cancels a stream that misses its deadline, on both sides', async () => {
    const script = { highWatermark: 10, recordBytes: 100, delayMs: 1_000 };
    const { streams, transport } = await setUp(true, script);
    const late = await transport.fetch(request(0), 200).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((late as ApiError).errorName).toBe('REQUEST_TIMED_OUT');
    expect(transport.counters).toMatchObject({ streamFailures: 1 });
    await waitFor('the leader dropped the cancelled stream', () => streams.openCount === 0, 5_000);
  });

  it('ends every open stream when the leader stops, failing the request in flight', async () => {
    const script = { highWatermark: 10, recordBytes: 100, delayMs: 500 };
    const { streams, transport } = await setUp(true, script);
    const inFlight = transport.fetch(request(0), 5_000).then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor('the stream is open', () => streams.openCount === 1, 5_000);
    streams.closeAll();
    expect(streams.openCount).toBe(0);
    expect(((await inFlight) as ApiError).errorName).toBe('NETWORK_EXCEPTION');
  });
});
