/**
 * Component test of tracing through the real pieces in one process: one controller process, three
 * in-process brokers (real disks, real gRPC on loopback) and the SDK's Producer and Consumer, with
 * an OpenTelemetry SDK keeping spans in memory. Records produced with acks=all to a topic with
 * replication factor 3 must leave, in the trace of the batch's first record: its `create`
 * (PRODUCER, the root), the batch's `send` (CLIENT), the leader's `append` (SERVER), each
 * follower's `replicate` (CONSUMER, on the two other brokers), the `hw_advance` (INTERNAL), the
 * consumer's `receive` (CLIENT) and the application's `process` (CONSUMER): each a child of the
 * creation span, each batch span linked to every record's creation context; and the consumer's
 * end-to-end histogram counts every record; the followers' fetches on their ReplicaFetchStreams are
 * server spans. Records sent while tracing is off carry no traceparent.
 */
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Consumer, Producer, type ConsumerRecord } from '@sluice/client';
import type { ControllerClient } from '@sluice/controller';
import type { LocalCluster } from '@sluice/local-cluster';
import { parseTraceparent, TRACEPARENT_HEADER } from '@sluice/tracing';
import type { BrokerNode } from '../src/node/broker-node';
import { kindName, parentSpanIdOf, startInMemoryTracing, type InMemoryTracing } from './support/in-memory-tracing';
import { startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(60_000);

const TOPIC = 'traced';

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function consume(consumer: Consumer, count: number): Promise<ConsumerRecord[]> {
  const records: ConsumerRecord[] = [];
  const deadline = Date.now() + 15_000;
  while (records.length < count && Date.now() < deadline) records.push(...(await consumer.poll(500)));
  return records;
}

describe('tracing through three brokers (in-memory SDK)', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers: BrokerNode[] = [];
  let tracing: InMemoryTracing | undefined;
  let bootstrap: string[];

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('tracing-component', {
      'broker.session.timeout.ms': 3_000,
    }));
    for (const nodeId of [1, 2, 3])
      brokers.push(await startLocalBroker(cluster, nodeId, { minInsyncReplicas: 2, replicaFetchWaitMaxMs: 100 }));
    bootstrap = brokers.map((broker) => broker.address);
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3]);
    const created = await controller.call('CreateTopics', {
      topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 3, assignments: [], configs: {} }],
    });
    expect(created.topics[0]).toMatchObject({ name: TOPIC, errorName: '' });
    await waitFor('a leader and two followers', () =>
      brokers.filter((b) => b.replica(TOPIC, 0)?.role.kind === 'leader').length === 1 &&
      brokers.filter((b) => b.replica(TOPIC, 0)?.role.kind === 'follower').length === 2
        ? true
        : undefined,
    );
  });

  afterAll(async () => {
    await tracing?.stop();
    await Promise.all(brokers.map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('sends no traceparent while no tracing SDK is registered', async () => {
    const producer = new Producer({ bootstrap, lingerMs: 0 });
    try {
      const sent = await producer.send({ topic: TOPIC, value: 'untraced' });
      expect(sent.traceId).toBeUndefined();
    } finally {
      await producer.close();
    }
    const consumer = new Consumer({ bootstrap });
    try {
      consumer.assign([{ topic: TOPIC, partition: 0 }]);
      consumer.seekToBeginning();
      const [record] = await consume(consumer, 1);
      expect(record!.headers).toEqual([]);
    } finally {
      await consumer.close();
    }
  });

  it('puts send, append, each replication, the high-watermark advance, receive and process in the record trace', async () => {
    tracing = startInMemoryTracing();
    const producer = new Producer({ bootstrap, lingerMs: 50, acks: 'all' });
    let sent;
    try {
      sent = await Promise.all(
        Array.from({ length: 5 }, (_, i) => producer.send({ topic: TOPIC, key: `k${i}`, value: `traced-${i}` })),
      );
    } finally {
      await producer.close();
    }
    const traceIds = sent.map((metadata) => metadata.traceId);
    expect(traceIds.every((id) => typeof id === 'string' && /^[0-9a-f]{32}$/.test(id))).toBe(true);
    expect(new Set(traceIds).size).toBe(5);

    const consumer = new Consumer({ bootstrap });
    let received: ConsumerRecord[];
    try {
      consumer.assign([{ topic: TOPIC, partition: 0 }]);
      consumer.seek({ topic: TOPIC, partition: 0 }, sent[0]!.offset);
      received = await consume(consumer, 5);
      for (const record of received) await consumer.process(record, () => undefined);
      const [histogram] = consumer.endToEndLatency.snapshot();
      expect(histogram).toMatchObject({ topic: TOPIC, count: 5 });
    } finally {
      await consumer.close();
    }
    expect(received.map((record) => record.value?.toString())).toEqual(sent.map((_, i) => `traced-${i}`));
    const creations = received.map((record) =>
      parseTraceparent(record.headers.find((header) => header.key === TRACEPARENT_HEADER)?.value),
    );
    expect(creations.map((creation) => creation?.traceId)).toEqual(traceIds);

    const leader = brokers.find((b) => b.replica(TOPIC, 0)?.role.kind === 'leader')!.brokerId;
    const traceId = traceIds[0]!;
    const creationSpanId = creations[0]!.spanId;
    const inTrace = await waitFor('every span of the first record', async () => {
      const spans = (await tracing!.spans()).filter((span) => span.spanContext().traceId === traceId);
      const names = spans.map((span) => span.name);
      return ['create', 'send', 'append', 'hw_advance', 'receive', 'process'].every((op) =>
        names.includes(`${op} ${TOPIC}`),
      ) && names.filter((name) => name === `replicate ${TOPIC}`).length === 2
        ? spans
        : undefined;
    });
    const one = (name: string): ReadableSpan => {
      const matching = inTrace.filter((span) => span.name === name);
      expect(matching).toHaveLength(1);
      return matching[0]!;
    };
    const create = one(`create ${TOPIC}`);
    expect(create.spanContext().spanId).toBe(creationSpanId);
    expect(kindName(create.kind)).toBe('PRODUCER');
    expect(parentSpanIdOf(create)).toBeUndefined();
    const allCreations = new Set(creations.map((creation) => creation!.spanId));
    const expectations: [string, SpanKind][] = [
      ['send', SpanKind.CLIENT],
      ['append', SpanKind.SERVER],
      ['hw_advance', SpanKind.INTERNAL],
      ['receive', SpanKind.CLIENT],
      ['process', SpanKind.CONSUMER],
    ];
    for (const [operation, kind] of expectations) {
      const span = one(`${operation} ${TOPIC}`);
      expect([operation, kindName(span.kind)]).toEqual([operation, kindName(kind)]);
      expect([operation, parentSpanIdOf(span)]).toEqual([operation, creationSpanId]);
      expect(span.attributes['messaging.system']).toBe('kafka');
      expect(span.attributes['messaging.destination.name']).toBe(TOPIC);
    }
    // Spans about the whole batch link to every record's creation context.
    for (const operation of ['send', 'append', 'hw_advance', 'receive']) {
      const linked = new Set(one(`${operation} ${TOPIC}`).links.map((link) => link.context.spanId));
      expect([operation, [...allCreations].every((id) => linked.has(id))]).toEqual([operation, true]);
    }
    expect(one(`append ${TOPIC}`).attributes['sluice.broker.id']).toBe(leader);
    expect(one(`hw_advance ${TOPIC}`).attributes['sluice.high_watermark']).toBeGreaterThan(sent[4]!.offset);
    const replications = inTrace.filter((span) => span.name === `replicate ${TOPIC}`);
    expect(replications.map((span) => kindName(span.kind))).toEqual(['CONSUMER', 'CONSUMER']);
    expect(replications.every((span) => parentSpanIdOf(span) === creationSpanId)).toBe(true);
    expect(replications.map((span) => span.attributes['sluice.broker.id']).sort()).toEqual(
      [1, 2, 3].filter((id) => id !== leader),
    );
    for (const span of replications) expect(span.attributes['sluice.leader.id']).toBe(leader);
    // The process span carries the record's own offset and key.
    const processed = one(`process ${TOPIC}`);
    expect(processed.attributes['messaging.kafka.message.offset']).toBe(sent[0]!.offset);
    expect(processed.attributes['messaging.kafka.message.key']).toBe('k0');
    // Followers' fetches are server spans, one per ReplicaFetchStream message, as each unary Fetch is.
    // A span ends with its answer, and the leader holds a fetch whose only news is a moved high
    // watermark for up to its max wait (100 ms here): the fetches begun since tracing started may
    // all still be held when the consumer is done, so wait for the first to end.
    const followerFetches = await waitFor('a follower fetch span to end', async () => {
      const ended = (await tracing!.spans()).filter((span) => span.name === 'sluice.v1.Broker/ReplicaFetchStream');
      return ended.length > 0 ? ended : undefined;
    });
    expect(followerFetches.length).toBeGreaterThan(0);
    expect(
      followerFetches.every(
        (span) => kindName(span.kind) === 'SERVER' && span.attributes['rpc.method'] === 'ReplicaFetchStream',
      ),
    ).toBe(true);
  });
});
