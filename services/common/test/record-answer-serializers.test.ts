/**
 * Fetch and ReplicaFetchStream answers are hand-encoded on the server, with the patched grpc-js
 * into frames lent until each answer's write completes (answer-frames.ts), else into one reused
 * scratch buffer. Both are only sound while nothing overwrites an answer's bytes before grpc-js
 * and HTTP/2 are done with them: checked here against a real grpc-js server, with many answers of
 * different sizes and contents in flight at once on a stream and on unary calls, each compared
 * byte for byte; and the frames' bytes against grpc-js' own framing of protobufjs' encoding.
 */
import fc from 'fast-check';
import { credentials, loadPackageDefinition, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { propertyOptions } from '../../../test-support/property';
import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData, ServiceClientConstructor } from '@grpc/grpc-js';
import {
  contractPackageDefinition,
  encodeFetchResponse,
  encodeReplicaFetchStreamResponse,
  type BrokerClient,
  type FetchAnswer,
  type RecordsSource,
  type FetchRequest__Output,
  type FetchResponse,
  type ReplicaFetchStreamRequest,
  type ReplicaFetchStreamRequest__Output,
  type ReplicaFetchStreamResponse,
  type ReplicaFetchStreamResponse__Output,
} from '@sluice/proto';
import {
  answerFrameStats,
  AnswerFramePool,
  lendFramedAnswer,
  recordAnswerSerializers,
  ScratchSpace,
  MAX_SCRATCH_BYTES,
} from '../src';

const TIMEOUT_MS = 30_000;
/** A ReplicaFetchStream request from this replica asks for `correlationId` answers at once. */
const BURST_REPLICA_ID = 99;

/** Answer n's records: a size that grows the scratch space now and then, bytes unique to n. */
function recordsFor(n: number): Buffer {
  const sizeBytes = n % 7 === 0 ? 300_000 + n * 101 : 1_000 + ((n * 7919) % 40_000);
  const records = Buffer.alloc(sizeBytes);
  for (let i = 0; i < sizeBytes; i += 4) records.writeUInt32BE((n * 2654435761 + i) >>> 0, Math.min(i, sizeBytes - 4));
  return records;
}

function answerFor(n: number): FetchResponse {
  return {
    topics: [
      {
        name: `topic-${n}`,
        partitions: [
          {
            partition: n % 12,
            errorName: '',
            errorMessage: '',
            highWatermark: n * 1_000,
            logStartOffset: 0,
            records: recordsFor(n),
            divergingEpoch: null,
            leaderEpoch: 3,
          },
        ],
      },
    ],
  };
}

/** Records a source writes into the answer itself (as the broker's located segment reads do). */
class BytesSource implements RecordsSource {
  writes = 0;
  constructor(
    private readonly bytes: Buffer,
    private readonly failWith?: string,
  ) {}
  get length(): number {
    return this.bytes.length;
  }
  settle(): number {
    return this.bytes.length;
  }
  writeInto(target: Buffer, at: number): void {
    this.writes++;
    if (this.failWith !== undefined) throw new Error(this.failWith);
    this.bytes.copy(target, at);
  }
}

/** Fetch requests with this minBytes are answered with answerFor(maxBytes)'s records as a source. */
const SOURCED_MIN_BYTES = 7;
/** ... and with this one, with a source that fails to write. */
const FAILING_SOURCE_MIN_BYTES = 13;

function sourcedAnswerFor(n: number, failWith?: string): FetchAnswer {
  const answer = answerFor(n);
  const partition = answer.topics![0]!.partitions![0]!;
  return {
    topics: [
      { ...answer.topics![0]!, partitions: [{ ...partition, records: new BytesSource(recordsFor(n), failWith) }] },
    ],
  };
}

function brokerNode(definition: ReturnType<typeof contractPackageDefinition>): ServiceClientConstructor {
  let node: unknown = loadPackageDefinition(definition);
  for (const part of ['sluice', 'v1', 'Broker']) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}

describe('recordAnswerSerializers on a real grpc-js server', () => {
  let server: Server;
  let client: BrokerClient;

  beforeAll(async () => {
    server = new Server();
    server.addService(brokerNode(recordAnswerSerializers(contractPackageDefinition())).service, {
      Fetch: (call: ServerUnaryCall<FetchRequest__Output, FetchAnswer>, callback: sendUnaryData<FetchAnswer>) => {
        const n = call.request.maxBytes;
        if (call.request.minBytes === SOURCED_MIN_BYTES) callback(null, sourcedAnswerFor(n));
        else if (call.request.minBytes === FAILING_SOURCE_MIN_BYTES)
          callback(null, sourcedAnswerFor(n, 'corrupt log: 00000000000000000000.log at byte 700'));
        else callback(null, answerFor(n));
      },
      // Every request is answered at once, so many answers are serialized back to back.
      ReplicaFetchStream: (call: ServerDuplexStream<ReplicaFetchStreamRequest__Output, ReplicaFetchStreamResponse>) => {
        call.on('data', (message: ReplicaFetchStreamRequest__Output) => {
          const n = Number(message.correlationId);
          // Replica BURST_REPLICA_ID asks for n answers written in one go, before any write completes.
          const burst = message.request?.replicaId === BURST_REPLICA_ID ? n : 1;
          for (let i = 0; i < burst; i++) {
            const id = burst === 1 ? n : i;
            call.write({ correlationId: id, response: answerFor(id), errorName: '', errorMessage: '' });
          }
        });
        call.on('end', () => call.end());
      },
    });
    const host = '127.0.0.1';
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:0`, ServerCredentials.createInsecure(), (error, bound) =>
        error === null ? resolve(bound) : reject(error),
      ),
    );
    const Client = brokerNode(contractPackageDefinition());
    client = new Client(`${host}:${port}`, credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    }) as unknown as BrokerClient;
  });

  afterAll(() => {
    client?.close();
    server?.forceShutdown();
  });

  /** Sends `requests` on one ReplicaFetchStream and collects `count` answers by correlation id. */
  function streamAnswers(
    requests: readonly ReplicaFetchStreamRequest[],
    count: number,
  ): Promise<Map<number, ReplicaFetchStreamResponse__Output>> {
    return new Promise((resolve, reject) => {
      const received = new Map<number, ReplicaFetchStreamResponse__Output>();
      const timer = setTimeout(() => reject(new Error('stream answers did not all arrive in time')), TIMEOUT_MS);
      const stream = client.ReplicaFetchStream();
      stream.on('data', (answer: ReplicaFetchStreamResponse__Output) => {
        received.set(Number(answer.correlationId), answer);
        if (received.size === count) stream.end();
      });
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.on('end', () => {
        clearTimeout(timer);
        resolve(received);
      });
      for (const request of requests) stream.write(request);
    });
  }

  it('delivers every stream answer intact while answers are written back to back', async () => {
    const count = 200;
    const received = await streamAnswers(
      Array.from({ length: count }, (_, n) => ({ correlationId: n, request: { replicaId: 1, topics: [] } })),
      count,
    );
    expect(received.size).toBe(count);
    // The patched grpc-js took a lent frame for every answer and got each back.
    const frames = answerFrameStats();
    expect(frames.lends).toBeGreaterThanOrEqual(count);
    expect(frames.lentNow).toBe(0);
    for (const [n, answer] of received) {
      const partition = answer.response?.topics[0]?.partitions[0];
      expect(answer.response?.topics[0]?.name).toBe(`topic-${n}`);
      expect(partition?.highWatermark).toBe(String(n * 1_000));
      expect(partition?.records.equals(recordsFor(n))).toBe(true);
    }
  });

  it('keeps each lent frame until its write completes while answers on several streams wait', async () => {
    // grpc-js writes a call's next answer only after the last one's write completed, so frames
    // overlap across calls: six streams each ask for a burst of answers of up to 1 MB.
    const streams = 6;
    const perStream = 20;
    const before = answerFrameStats();
    const burst = (): Promise<Map<number, ReplicaFetchStreamResponse__Output>> =>
      streamAnswers([{ correlationId: perStream, request: { replicaId: BURST_REPLICA_ID, topics: [] } }], perStream);
    const answers = await Promise.all(Array.from({ length: streams }, burst));
    const frames = answerFrameStats();
    // Several frames were out at once, so a frame lent again before its write completed would
    // have overwritten an answer still being sent.
    expect(frames.mostLentAtOnce).toBeGreaterThan(1);
    expect(frames.lends - before.lends).toBe(streams * perStream);
    expect(frames.lentNow).toBe(0);
    for (const received of answers) {
      expect(received.size).toBe(perStream);
      for (const [n, answer] of received) {
        expect(answer.response?.topics[0]?.partitions[0]?.records.equals(recordsFor(n))).toBe(true);
      }
    }
  });

  it('delivers concurrent unary Fetch answers intact', async () => {
    const answers = await Promise.all(
      Array.from(
        { length: 60 },
        (_, n) =>
          new Promise<{ n: number; records: Buffer | undefined }>((resolve, reject) =>
            client.Fetch(
              { maxBytes: n, topics: [] },
              { deadline: new Date(Date.now() + TIMEOUT_MS) },
              (error, answer) =>
                error !== null || answer === undefined
                  ? reject(error ?? new Error('no answer'))
                  : resolve({ n, records: answer.topics[0]?.partitions[0]?.records }),
            ),
          ),
      ),
    );
    for (const { n, records } of answers) expect(records?.equals(recordsFor(n))).toBe(true);
  });

  function fetch(n: number, minBytes: number): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) =>
      client.Fetch(
        { maxBytes: n, minBytes, topics: [] },
        { deadline: new Date(Date.now() + TIMEOUT_MS) },
        (error, answer) =>
          error !== null || answer === undefined
            ? reject(error ?? new Error('no answer'))
            : resolve(answer.topics[0]?.partitions[0]?.records),
      ),
    );
  }

  it('has records sources write into the lent frames of concurrent Fetch answers, byte for byte', async () => {
    const before = answerFrameStats();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, n) => fetch(n, SOURCED_MIN_BYTES)));
    answers.forEach((records, n) => expect(records?.equals(recordsFor(n))).toBe(true));
    const frames = answerFrameStats();
    expect(frames.lends - before.lends).toBe(60);
    expect(frames.lentNow).toBe(0);
  });

  it('answers a Fetch whose records source fails with an error status, and gets its frame back', async () => {
    const before = answerFrameStats();
    await expect(fetch(3, FAILING_SOURCE_MIN_BYTES)).rejects.toMatchObject({ code: status.INTERNAL });
    const frames = answerFrameStats();
    expect(frames.lends - before.lends).toBe(1);
    expect(frames.lentNow).toBe(0);
    // The connection serves on.
    expect((await fetch(4, SOURCED_MIN_BYTES))?.equals(recordsFor(4))).toBe(true);
  });
});

describe('lendFramedAnswer', () => {
  const definition = contractPackageDefinition();
  const broker = definition['sluice.v1.Broker'] as unknown as Record<
    string,
    { responseSerialize: (value: unknown) => Buffer }
  >;
  const protobufjs = (method: string) => broker[method]!.responseSerialize;
  /** grpc-js' own framing of protobufjs' bytes: what a peer received before the frames were lent. */
  const framed = (message: Buffer): Buffer => {
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(message.length, 1);
    return Buffer.concat([prefix, message]);
  };
  const partition = fc.record({
    partition: fc.integer({ min: 0, max: 100_000 }),
    errorName: fc.constantFrom('', 'NOT_LEADER_OR_FOLLOWER', 'OFFSET_OUT_OF_RANGE'),
    errorMessage: fc.string({ maxLength: 30 }),
    highWatermark: fc.integer({ min: -1, max: 2 ** 40 }),
    logStartOffset: fc.integer({ min: -1, max: 2 ** 40 }),
    records: fc.uint8Array({ maxLength: 3_000 }).map((bytes) => Buffer.from(bytes)),
    divergingEpoch: fc.constant(null),
    leaderEpoch: fc.integer({ min: -1, max: 1_000 }),
  });
  const fetchAnswer = fc.record({
    topics: fc.array(
      fc.record({ name: fc.string({ maxLength: 20 }), partitions: fc.array(partition, { maxLength: 3 }) }),
      {
        maxLength: 3,
      },
    ),
  });

  it('frames Fetch and ReplicaFetchStream answers byte for byte as grpc-js framed protobufjs bytes', () => {
    const pool = new AnswerFramePool(1024 * 1024, 512 * 1024);
    fc.assert(
      fc.property(fetchAnswer, fc.integer({ min: 0, max: 2 ** 31 }), (answer, correlationId) => {
        const fetch = lendFramedAnswer(encodeFetchResponse, answer, pool);
        expect(fetch?.bytes.equals(framed(protobufjs('Fetch')(answer)))).toBe(true);
        const stream = { correlationId, response: answer, errorName: '', errorMessage: '' };
        const streamed = lendFramedAnswer(encodeReplicaFetchStreamResponse, stream, pool);
        const expected = framed(protobufjs('ReplicaFetchStream')(stream));
        expect(streamed?.bytes.equals(expected)).toBe(true);
        fetch?.release();
        streamed?.release();
      }),
    );
    expect(pool.stats().lentNow).toBe(0);
  });

  it('frames an answer whose records sources write themselves as grpc-js framed protobufjs bytes of their bytes', () => {
    const pool = new AnswerFramePool(1024 * 1024, 512 * 1024);
    fc.assert(
      fc.property(fetchAnswer, fc.array(fc.boolean(), { maxLength: 9 }), (answer, sourced) => {
        let i = 0;
        const withSources = {
          topics: answer.topics.map((topic) => ({
            ...topic,
            partitions: topic.partitions.map((p) =>
              sourced[i++ % Math.max(1, sourced.length)] === true ? { ...p, records: new BytesSource(p.records) } : p,
            ),
          })),
        };
        const lent = lendFramedAnswer(encodeFetchResponse, withSources, pool);
        expect(lent?.bytes.equals(framed(protobufjs('Fetch')(answer)))).toBe(true);
        lent?.release();
      }),
      propertyOptions({ numRuns: 200 }),
    );
    expect(pool.stats().lentNow).toBe(0);
  });

  it('gives protobufjs the sources read when the hand encoder leaves the answer to it', () => {
    const serializers = recordAnswerSerializers(definition) as unknown as Record<
      string,
      Record<string, { responseSerialize: (value: unknown) => Buffer }>
    >;
    const serialize = serializers['sluice.v1.Broker']!['Fetch']!.responseSerialize;
    // A decimal int64 past 15 digits is left to protobufjs (Long.fromString).
    const highWatermark = '1234567890123456789';
    const records = Buffer.from('whole batches');
    const answer = {
      topics: [{ name: 't', partitions: [{ partition: 1, highWatermark, records: new BytesSource(records) }] }],
    };
    const plain = { topics: [{ name: 't', partitions: [{ partition: 1, highWatermark, records }] }] };
    expect(encodeFetchResponse(answer, (size) => Buffer.alloc(size))).toBeNull();
    expect(serialize(answer).equals(protobufjs('Fetch')(plain))).toBe(true);
  });

  it('lends nothing for a shape it leaves to protobufjs', () => {
    const pool = new AnswerFramePool(1024 * 1024, 512 * 1024);
    expect(lendFramedAnswer(encodeFetchResponse, { topics: 'not a list' }, pool)).toBeNull();
    expect(pool.stats()).toMatchObject({ lends: 0, lentNow: 0 });
  });
});

describe('ScratchSpace', () => {
  it('hands out views of one buffer, growing it by doubling up to its bound', () => {
    const scratch = new ScratchSpace(1024 * 1024);
    const first = scratch.take(100);
    const second = scratch.take(200);
    expect(first.length).toBe(100);
    expect(second.length).toBe(200);
    expect(second.buffer).toBe(first.buffer);
    const grown = scratch.take(100_000);
    expect(grown.length).toBe(100_000);
    expect(scratch.capacityBytes).toBe(128 * 1024);
    expect(scratch.take(900_000).length).toBe(900_000);
    expect(scratch.capacityBytes).toBe(1024 * 1024);
  });

  it('gives an answer above its bound a buffer of its own and keeps its own size', () => {
    const scratch = new ScratchSpace(1024 * 1024);
    const kept = scratch.take(10);
    const large = scratch.take(1024 * 1024 + 1);
    expect(large.length).toBe(1024 * 1024 + 1);
    expect(large.buffer).not.toBe(kept.buffer);
    expect(scratch.capacityBytes).toBe(64 * 1024);
    expect(MAX_SCRATCH_BYTES).toBe(8 * 1024 * 1024);
  });
});
