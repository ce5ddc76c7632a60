/**
 * Fetch and ReplicaFetchStream answers are hand-encoded into one reused scratch buffer on the
 * server. That is only sound while grpc-js copies each serialized answer before it serializes the
 * next: checked here against a real grpc-js server, with many answers of different sizes and
 * contents in flight at once on a stream and on unary calls, each compared byte for byte.
 */
import { credentials, loadPackageDefinition, Server, ServerCredentials } from '@grpc/grpc-js';
import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData, ServiceClientConstructor } from '@grpc/grpc-js';
import {
  contractPackageDefinition,
  type BrokerClient,
  type FetchRequest__Output,
  type FetchResponse,
  type ReplicaFetchStreamRequest__Output,
  type ReplicaFetchStreamResponse,
  type ReplicaFetchStreamResponse__Output,
} from '@sluice/proto';
import { recordAnswerSerializers, ScratchSpace, MAX_SCRATCH_BYTES } from '../src';

const TIMEOUT_MS = 30_000;

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
      Fetch: (call: ServerUnaryCall<FetchRequest__Output, FetchResponse>, callback: sendUnaryData<FetchResponse>) => {
        callback(null, answerFor(call.request.maxBytes));
      },
      // Every request is answered at once, so many answers are serialized back to back.
      ReplicaFetchStream: (call: ServerDuplexStream<ReplicaFetchStreamRequest__Output, ReplicaFetchStreamResponse>) => {
        call.on('data', (message: ReplicaFetchStreamRequest__Output) => {
          const n = Number(message.correlationId);
          call.write({ correlationId: n, response: answerFor(n), errorName: '', errorMessage: '' });
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

  it('delivers every stream answer intact while answers are written back to back', async () => {
    const count = 200;
    const received = new Map<number, ReplicaFetchStreamResponse__Output>();
    await new Promise<void>((resolve, reject) => {
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
        resolve();
      });
      for (let n = 0; n < count; n++) stream.write({ correlationId: n, request: { replicaId: 1, topics: [] } });
    });
    expect(received.size).toBe(count);
    for (const [n, answer] of received) {
      const partition = answer.response?.topics[0]?.partitions[0];
      expect(answer.response?.topics[0]?.name).toBe(`topic-${n}`);
      expect(partition?.highWatermark).toBe(String(n * 1_000));
      expect(partition?.records.equals(recordsFor(n))).toBe(true);
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
