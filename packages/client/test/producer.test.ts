/**
 * The Producer against a scripted fake broker (a real grpc-js server on loopback serving
 * Metadata, InitProducerId and ProduceStream): retries after retriable errors keep the batch's
 * bytes and sequence, an OUT_OF_ORDER answer behind a retried batch is retried behind it, up to
 * max.in.flight batches of a partition are pipelined in order, a broken stream's batches are all
 * retried in sequence order, a batch that never gets an answer expires at delivery.timeout.ms
 * with a named error, buffer.memory blocks send() up to max.block.ms, and bad configurations are
 * INVALID_CONFIG.
 */
import { ApiError, decodeRecordBatches } from '@sluice/protocol';
import { status as GrpcStatus, type ServerDuplexStream } from '@grpc/grpc-js';
import { startGrpcServer, unaryHandler, type StartedGrpcServer } from '@sluice/runtime';
import {
  serviceDefinition,
  type ProducePartitionResult,
  type ProduceRequest__Output,
  type ProduceResponse,
  type ProduceStreamRequest__Output,
  type ProduceStreamResponse,
  type ProduceTopicResult,
} from '@sluice/proto';
import { Producer } from '../src/producer';
import { resolveProducerConfig } from '../src/producer-config';

interface Received {
  readonly partition: number;
  readonly baseSequence: number;
  readonly producerEpoch: number;
  readonly values: string[];
}

/** `hang`: never answer; `break`: fail the whole stream (UNAVAILABLE) before looking at this batch. */
type Script = (
  received: Received,
  attempt: number,
  broker: FakeBroker,
) => Partial<ProducePartitionResult> | 'hang' | 'break';

class StreamBroken extends Error {}

class FakeBroker {
  readonly received: Received[] = [];
  /** Next offset per partition, and the offset each accepted sequence got (a real leader's dedup). */
  private readonly logEnd = new Map<number, number>();
  private readonly offsetBySequence = new Map<string, number>();
  private readonly nextSequence = new Map<number, number>();
  private releaseHung: () => void = () => undefined;
  private readonly hung = new Promise<void>((resolve) => (this.releaseHung = resolve));
  private readonly attempts = new Map<string, number>();
  initCalls: { producerId: number; producerEpoch: number }[] = [];
  private server!: StartedGrpcServer;

  /** Most Produce requests holding a batch of one partition at the same time. */
  maxConcurrentPerPartition = 0;
  streamRequests = 0;
  private readonly active = new Map<number, number>();

  constructor(
    private readonly script: Script,
    private readonly answerDelayMs = 0,
  ) {}

  get address(): string {
    return this.server.address;
  }

  async start(): Promise<void> {
    const port = (): number => this.server.port;
    this.server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      services: [
        {
          definition: serviceDefinition('Broker'),
          implementation: {
            Metadata: unaryHandler(() => ({
              clusterId: 'fake',
              metadataOffset: 1,
              brokers: [{ brokerId: 1, listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: port() }], rack: '' }],
              topics: [
                {
                  name: 't',
                  topicId: 'id',
                  errorName: '',
                  errorMessage: '',
                  partitions: [0, 1].map((partition) => ({
                    partition,
                    leader: 1,
                    leaderEpoch: 0,
                    replicas: [1],
                    isr: [1],
                  })),
                },
              ],
            })),
            InitProducerId: unaryHandler((request: { producerId: string; producerEpoch: number }) => {
              this.initCalls.push({ producerId: Number(request.producerId), producerEpoch: request.producerEpoch });
              return Number(request.producerId) < 0
                ? { producerId: 42, producerEpoch: 0 }
                : { producerId: 42, producerEpoch: request.producerEpoch + 1 };
            }),
            ProduceStream: (call: ServerDuplexStream<ProduceStreamRequest__Output, ProduceStreamResponse>) => {
              let broken = false;
              call.on('data', (message: ProduceStreamRequest__Output) => {
                this.streamRequests++;
                this.produce(message.request!).then(
                  (response) => {
                    // The contract: acks=0 requests get no answer.
                    if (!broken && message.request!.acks !== 0)
                      call.write({ correlationId: message.correlationId, response, errorName: '', errorMessage: '' });
                  },
                  (error: unknown) => {
                    if (!(error instanceof StreamBroken) || broken) return;
                    broken = true;
                    call.emit('error', { code: GrpcStatus.UNAVAILABLE, details: 'scripted stream break' });
                  },
                );
              });
              call.on('end', () => call.end());
            },
          },
        },
      ],
    });
  }

  private async produce(request: ProduceRequest__Output): Promise<ProduceResponse> {
    const topics: ProduceTopicResult[] = [];
    let hang = false;
    const partitionsHere = request.topics.flatMap((t) => t.partitions.map((p) => p.partition));
    for (const partition of partitionsHere) {
      this.active.set(partition, (this.active.get(partition) ?? 0) + 1);
      this.maxConcurrentPerPartition = Math.max(this.maxConcurrentPerPartition, this.active.get(partition)!);
    }
    if (this.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
    for (const partition of partitionsHere) this.active.set(partition, this.active.get(partition)! - 1);
    for (const topic of request.topics) {
      const partitions: ProducePartitionResult[] = [];
      for (const p of topic.partitions) {
        const batch = decodeRecordBatches(p.records)[0]!;
        const received = {
          partition: p.partition,
          baseSequence: batch.baseSequence,
          producerEpoch: batch.producerEpoch,
          values: batch.records.map((r) => r.value!.toString()),
        };
        this.received.push(received);
        const key = `${p.partition}/${batch.baseSequence}/${batch.producerEpoch}`;
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, attempt);
        const scripted = this.script(received, attempt, this);
        if (scripted === 'break') throw new StreamBroken();
        if (scripted === 'hang') {
          hang = true;
          continue;
        }
        if (scripted.errorName !== undefined && scripted.errorName !== '') {
          partitions.push({
            partition: p.partition,
            errorName: '',
            errorMessage: '',
            baseOffset: -1,
            logAppendTime: -1,
            logStartOffset: 0,
            ...scripted,
          });
          continue;
        }
        // Sequence rules of a real leader: a duplicate gets its first offsets, a gap is refused.
        const expected = this.nextSequence.get(p.partition) ?? 0;
        const sequenceKey = `${p.partition}/${batch.producerEpoch}/${batch.baseSequence}`;
        let baseOffset = this.offsetBySequence.get(sequenceKey) ?? -1;
        if (
          baseOffset < 0 &&
          batch.baseSequence !== expected &&
          !(batch.baseSequence === 0 && batch.producerEpoch > 0)
        ) {
          partitions.push({
            partition: p.partition,
            errorName: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
            errorMessage: `expected ${expected}`,
            baseOffset: -1,
            logAppendTime: -1,
            logStartOffset: 0,
          });
          continue;
        }
        if (baseOffset < 0) {
          baseOffset = this.logEnd.get(p.partition) ?? 0;
          this.logEnd.set(p.partition, baseOffset + batch.records.length);
          this.offsetBySequence.set(sequenceKey, baseOffset);
          this.nextSequence.set(p.partition, batch.baseSequence + batch.records.length);
        }
        partitions.push({
          partition: p.partition,
          errorName: '',
          errorMessage: '',
          baseOffset,
          logAppendTime: -1,
          logStartOffset: 0,
        });
      }
      topics.push({ name: topic.name, partitions });
    }
    if (hang) await this.hung;
    return { topics };
  }

  stop(): Promise<void> {
    this.releaseHung();
    return this.server.stop(100);
  }
}

async function withBroker(
  script: Script,
  body: (broker: FakeBroker) => Promise<void>,
  answerDelayMs = 0,
): Promise<void> {
  const broker = new FakeBroker(script, answerDelayMs);
  await broker.start();
  try {
    await body(broker);
  } finally {
    await broker.stop();
  }
}

describe('Producer against a scripted broker', () => {
  it('retries a NOT_LEADER_OR_FOLLOWER batch with the same sequence and resolves with the offsets', async () => {
    await withBroker(
      (received, attempt) =>
        received.baseSequence === 0 && attempt === 1
          ? { errorName: 'NOT_LEADER_OR_FOLLOWER', errorMessage: 'moved' }
          : {},
      async (broker) => {
        const producer = new Producer({ bootstrap: broker.address, lingerMs: 0, retryBackoffMs: 10 });
        const sent = await Promise.all(
          ['a', 'b', 'c'].map((value) => producer.send({ topic: 't', partition: 0, value })),
        );
        await producer.close();
        expect(sent.map((m) => m.offset)).toEqual([0, 1, 2]);
        const first = broker.received.filter((r) => r.values.includes('a'));
        expect(first.length).toBe(2);
        expect(first.every((r) => r.baseSequence === 0 && r.producerEpoch === 0)).toBe(true);
        expect(producer.stats()).toMatchObject({ producerId: 42, producerEpoch: 0, epochBumps: 0 });
        expect(producer.stats().retries).toBeGreaterThanOrEqual(1);
      },
    );
  });

  it('retries OUT_OF_ORDER batches behind the earlier batch that failed, in sequence order', async () => {
    await withBroker(
      // The first batch times out once; the leader then refuses the later ones as out of order.
      (received, attempt) =>
        received.baseSequence === 0 && attempt === 1 ? { errorName: 'REQUEST_TIMED_OUT', errorMessage: 'slow' } : {},
      async (broker) => {
        const producer = new Producer({
          bootstrap: broker.address,
          lingerMs: 0,
          batchSizeBytes: 100,
          retryBackoffMs: 10,
        });
        const values = Array.from({ length: 12 }, (_, i) => `value-${String(i).padStart(3, '0')}`);
        const sent = await Promise.all(values.map((value) => producer.send({ topic: 't', partition: 1, value })));
        await producer.close();
        // Offsets in send order, the first batch in twice (failed, then accepted), no epoch bump.
        expect(sent.map((m) => m.offset)).toEqual(values.map((_, i) => i));
        expect(broker.received.filter((r) => r.values.includes('value-000')).length).toBe(2);
        expect(producer.stats().epochBumps).toBe(0);
      },
    );
  });

  it('pipelines up to max.in.flight batches of a partition on its stream, appended in order', async () => {
    await withBroker(
      () => ({}),
      async (broker) => {
        const producer = new Producer({
          bootstrap: broker.address,
          lingerMs: 0,
          batchSizeBytes: 100,
          maxInFlightRequestsPerConnection: 3,
        });
        const sent = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            producer.send({ topic: 't', partition: i % 2, value: `value-${String(i).padStart(3, '0')}` }),
          ),
        );
        await producer.close();
        expect(broker.maxConcurrentPerPartition).toBeGreaterThan(1);
        expect(broker.maxConcurrentPerPartition).toBeLessThanOrEqual(3);
        for (const partition of [0, 1]) {
          const offsets = sent.filter((m) => m.partition === partition).map((m) => m.offset);
          expect(offsets).toEqual(offsets.map((_, i) => i));
        }
        // Nothing was refused as out of sequence: the stream kept the order.
        expect(producer.stats().retries).toBe(0);
      },
      20,
    );
  });

  it('retries every batch of a broken stream in sequence order, losing and duplicating nothing', async () => {
    await withBroker(
      // The stream breaks when the batch holding value-020 first arrives; others are on it too.
      (received, attempt) => (received.values.includes('value-020') && attempt === 1 ? 'break' : {}),
      async (broker) => {
        const producer = new Producer({
          bootstrap: broker.address,
          lingerMs: 0,
          batchSizeBytes: 100,
          retryBackoffMs: 10,
        });
        const values = Array.from({ length: 60 }, (_, i) => `value-${String(i).padStart(3, '0')}`);
        const sent = await Promise.all(
          values.map((value, i) => producer.send({ topic: 't', partition: i % 2, value })),
        );
        await producer.close();
        for (const partition of [0, 1]) {
          const offsets = sent.filter((m) => m.partition === partition).map((m) => m.offset);
          expect(offsets).toEqual(offsets.map((_, i) => i));
        }
        expect(producer.stats().retries).toBeGreaterThanOrEqual(1);
        expect(producer.stats().epochBumps).toBe(0);
      },
      20,
    );
  });

  it('after a batch fails for good, re-sends the later in-flight batches of its partition under the bumped epoch, in order', async () => {
    await withBroker(
      // The first batch of partition 0 is refused for good; the leader then refuses the batches
      // pipelined behind it as out of sequence.
      (received) =>
        received.values.includes('value-000') ? { errorName: 'INVALID_RECORD', errorMessage: 'scripted refusal' } : {},
      async (broker) => {
        const producer = new Producer({
          bootstrap: broker.address,
          lingerMs: 0,
          batchSizeBytes: 100,
          retryBackoffMs: 10,
        });
        const values = Array.from({ length: 20 }, (_, i) => `value-${String(i).padStart(3, '0')}`);
        const outcomes = await Promise.allSettled(
          values.map((value) => producer.send({ topic: 't', partition: 0, value })),
        );
        await producer.close();
        expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { errorName: 'INVALID_RECORD' } });
        // Everything else is in the log once, in send order, right after the refused batch's records.
        const rejected = outcomes.filter((o) => o.status === 'rejected').length;
        const offsets = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.offset] : []));
        expect(offsets).toEqual(offsets.map((_, i) => i));
        expect(offsets.length + rejected).toBe(values.length);
        expect(producer.stats().epochBumps).toBe(1);
        // The batches refused behind the gap came again under epoch 1, numbered from 0 in order.
        const resent = broker.received.filter((r) => r.producerEpoch === 1);
        expect(resent[0]!.baseSequence).toBe(0);
        expect(broker.maxConcurrentPerPartition).toBeGreaterThan(1);
      },
      20,
    );
  });

  it('a leader that lost the producer state (UNKNOWN_PRODUCER_ID) makes it bump the epoch and send again, not fail the records', async () => {
    // A new leader whose log no longer holds this producer's batches (its state expired or was
    // rebuilt without them) refuses the next sequence of the old epoch, as Kafka's broker does.
    let stateLost = false;
    await withBroker(
      (received) =>
        stateLost && received.producerEpoch === 0 && received.baseSequence > 0
          ? { errorName: 'UNKNOWN_PRODUCER_ID', errorMessage: 'no state for producer 42' }
          : {},
      async (broker) => {
        const producer = new Producer({ bootstrap: broker.address, lingerMs: 0, retryBackoffMs: 10 });
        const first = await producer.send({ topic: 't', partition: 0, value: 'a' });
        stateLost = true;
        const later = await Promise.all(['b', 'c'].map((value) => producer.send({ topic: 't', partition: 0, value })));
        await producer.close();
        expect([first, ...later].map((m) => m.offset)).toEqual([0, 1, 2]);
        expect(producer.stats()).toMatchObject({ producerEpoch: 1, epochBumps: 1 });
        expect(broker.initCalls).toEqual([
          { producerId: -1, producerEpoch: -1 },
          { producerId: 42, producerEpoch: 0 },
        ]);
        // Each record is in the log once: the refused batch came again under epoch 1 from sequence 0.
        const accepted = broker.received.filter((r) => r.producerEpoch === 1);
        expect(accepted[0]!.baseSequence).toBe(0);
        expect(accepted.flatMap((r) => r.values)).toEqual(['b', 'c']);
      },
    );
  });

  it('retries an UNKNOWN_PRODUCER_ID batch behind the earlier batch a new leader has not seen yet, without a bump', async () => {
    // The first batch meets a leader change (NOT_LEADER_OR_FOLLOWER); the new leader, which has
    // no state for the producer yet, refuses the batches behind it until it has the first one.
    let firstAccepted = false;
    await withBroker(
      (received, attempt) => {
        if (received.values.includes('value-000')) {
          if (attempt === 1) return { errorName: 'NOT_LEADER_OR_FOLLOWER', errorMessage: 'moved' };
          firstAccepted = true;
          return {};
        }
        return firstAccepted ? {} : { errorName: 'UNKNOWN_PRODUCER_ID', errorMessage: 'no state yet' };
      },
      async (broker) => {
        const producer = new Producer({
          bootstrap: broker.address,
          lingerMs: 0,
          batchSizeBytes: 100,
          retryBackoffMs: 10,
        });
        const values = Array.from({ length: 12 }, (_, i) => `value-${String(i).padStart(3, '0')}`);
        const sent = await Promise.all(values.map((value) => producer.send({ topic: 't', partition: 0, value })));
        await producer.close();
        expect(sent.map((m) => m.offset)).toEqual(values.map((_, i) => i));
        expect(producer.stats().epochBumps).toBe(0);
        expect(broker.received.some((r) => r.baseSequence > 0 && r.producerEpoch === 0)).toBe(true);
      },
      20,
    );
  });

  it('with retries=0, UNKNOWN_PRODUCER_ID fails the records with that name', async () => {
    await withBroker(
      (received) =>
        received.baseSequence > 0 ? { errorName: 'UNKNOWN_PRODUCER_ID', errorMessage: 'no state for producer 42' } : {},
      async (broker) => {
        const producer = new Producer({ bootstrap: broker.address, lingerMs: 0, retries: 0 });
        expect((await producer.send({ topic: 't', partition: 0, value: 'a' })).offset).toBe(0);
        await expect(producer.send({ topic: 't', partition: 0, value: 'b' })).rejects.toMatchObject({
          errorName: 'UNKNOWN_PRODUCER_ID',
        });
        await producer.close();
      },
    );
  });

  it('acks=0: resolves once sent, with offset -1, without waiting for any answer', async () => {
    await withBroker(
      () => ({}),
      async (broker) => {
        const producer = new Producer({ bootstrap: broker.address, lingerMs: 0, acks: 0 });
        const sent = await Promise.all(
          ['a', 'b', 'c'].map((value) => producer.send({ topic: 't', partition: 0, value })),
        );
        expect(sent.map((m) => m.offset)).toEqual([-1, -1, -1]);
        await producer.close();
        expect(broker.received.flatMap((r) => r.values)).toEqual(['a', 'b', 'c']);
        expect(broker.received.every((r) => r.baseSequence === -1)).toBe(true);
      },
    );
  });

  it('expires a batch that gets no answer at delivery.timeout.ms, then bumps the epoch before new sequences', async () => {
    await withBroker(
      (received) => (received.values.includes('stuck') ? 'hang' : {}),
      async (broker) => {
        const producer = new Producer({
          bootstrap: broker.address,
          lingerMs: 0,
          requestTimeoutMs: 300,
          deliveryTimeoutMs: 400,
          retryBackoffMs: 10,
        });
        await expect(producer.send({ topic: 't', partition: 0, value: 'stuck' })).rejects.toMatchObject({
          errorName: 'REQUEST_TIMED_OUT',
        });
        const after = await producer.send({ topic: 't', partition: 0, value: 'after' });
        expect(after.offset).toBe(0);
        const last = broker.received.at(-1)!;
        expect(last).toMatchObject({ values: ['after'], baseSequence: 0, producerEpoch: 1 });
        expect(broker.initCalls).toEqual([
          { producerId: -1, producerEpoch: -1 },
          { producerId: 42, producerEpoch: 0 },
        ]);
        await producer.close({ timeoutMs: 1_000 });
      },
    );
  });

  it('blocks send() on a full buffer.memory for max.block.ms, then fails it with a named error', async () => {
    await withBroker(
      () => 'hang',
      async (broker) => {
        const producer = new Producer({
          bootstrap: broker.address,
          lingerMs: 0,
          batchSizeBytes: 1_024,
          bufferMemoryBytes: 2_048,
          maxBlockMs: 200,
          requestTimeoutMs: 5_000,
          deliveryTimeoutMs: 6_000,
        });
        const stuck = [
          producer.send({ topic: 't', partition: 0, value: 'x' }),
          producer.send({ topic: 't', partition: 1, value: 'y' }),
        ];
        for (const p of stuck) p.catch(() => undefined);
        const startedMs = Date.now();
        await expect(producer.send({ topic: 't', partition: 0, value: Buffer.alloc(900) })).rejects.toMatchObject({
          errorName: 'REQUEST_TIMED_OUT',
        });
        expect(Date.now() - startedMs).toBeGreaterThanOrEqual(150);
        await producer.close({ timeoutMs: 100 });
        await expect(stuck[0]).rejects.toBeInstanceOf(ApiError);
      },
    );
  });
});

describe('producer configuration', () => {
  it('has Kafka 4 defaults and refuses what Kafka refuses', () => {
    const config = resolveProducerConfig({ bootstrap: 'h:1' });
    expect(config).toMatchObject({
      acks: -1,
      idempotent: true,
      retries: 2_147_483_647,
      deliveryTimeoutMs: 120_000,
      requestTimeoutMs: 30_000,
      maxBlockMs: 60_000,
    });
    expect(config.accumulator).toMatchObject({ lingerMs: 5, batchSizeBytes: 16_384, bufferMemoryBytes: 33_554_432 });
    // acks=1 without asking for idempotence turns it off; asking for both is an error.
    expect(resolveProducerConfig({ bootstrap: 'h:1', acks: 1 }).idempotent).toBe(false);
    const invalid = (options: Parameters<typeof resolveProducerConfig>[0]): unknown => {
      try {
        resolveProducerConfig(options);
        return 'accepted';
      } catch (error) {
        return (error as ApiError).errorName;
      }
    };
    expect(invalid({ bootstrap: 'h:1', acks: 0, enableIdempotence: true })).toBe('INVALID_CONFIG');
    expect(invalid({ bootstrap: 'h:1', maxInFlightRequestsPerConnection: 6 })).toBe('INVALID_CONFIG');
    expect(invalid({ bootstrap: 'h:1', compression: 'brotli' as 'gzip' })).toBe('INVALID_CONFIG');
    expect(invalid({ bootstrap: 'h:1', lingerMs: -1 })).toBe('INVALID_CONFIG');
    expect(invalid({ bootstrap: 'h:1', deliveryTimeoutMs: 1_000 })).toBe('INVALID_CONFIG');
    expect(invalid({ bootstrap: 'h:1', acks: 2 as 1 })).toBe('INVALID_CONFIG');
  });

  it('refuses a codec this Node.js lacks when the producer is configured, naming UNSUPPORTED_COMPRESSION_TYPE', () => {
    // What a Node.js without zstd in zlib (20, say) looks like to the codec check.
    const zlib = require('node:zlib') as { zstdCompressSync?: unknown };
    const real = zlib.zstdCompressSync;
    zlib.zstdCompressSync = undefined;
    try {
      expect(() => resolveProducerConfig({ bootstrap: 'h:1', compression: 'zstd' })).toThrow(
        expect.objectContaining({ errorName: 'UNSUPPORTED_COMPRESSION_TYPE' }),
      );
      expect(() => resolveProducerConfig({ bootstrap: 'h:1', compression: 'zstd' })).toThrow(/has no zstd in zlib/);
      // The other codecs are unaffected.
      expect(resolveProducerConfig({ bootstrap: 'h:1', compression: 'lz4' }).accumulator.compression).toBeDefined();
    } finally {
      zlib.zstdCompressSync = real;
    }
    expect(resolveProducerConfig({ bootstrap: 'h:1', compression: 'zstd' }).idempotent).toBe(true);
  });
});
