/**
 * The load process of the side-by-side bench: `node compare-load.js '<LoadSpec JSON>'` drives one
 * setting against one system through that system's client (compare-sluice, compare-kafka's
 * kafkajs, compare-nats, compare-redis) and prints `RESULT <LoadResult JSON>`. The same loop for
 * every system: producers and consumers live here, the send time rides in the first 8 bytes of
 * every record (performance.now(), one process, one clock) and the consumer subtracts it.
 */
import { performance } from 'node:perf_hooks';
import { summarizeLatencies, type LatencySummary } from './compare-table';
import { partitionOf, type Acks, type ProducerTuning, type SettingKind } from './compare-workload';
import { shutdownTracing, startTracingFromEnv } from '@sluice/runtime';

export interface LoadSpec {
  readonly system: 'sluice' | 'kafkajs' | 'nats' | 'redis';
  /** System-specific connection facts (bootstrap addresses, ports). */
  readonly connect: Readonly<Record<string, string>>;
  readonly topic: string;
  readonly partitions: number;
  readonly recordBytes: number;
  readonly kind: SettingKind;
  readonly acks: Acks;
  readonly records: number;
  readonly rate: number;
  readonly seconds: number;
  readonly producers: number;
  readonly consumers: number;
  readonly maxInFlight: number;
  /** batch.size / linger.ms for clients that have them (sluice's Producer); absent: defaults. */
  readonly producerTuning?: ProducerTuning;
  /**
   * Peak produce: records go without a partition and the client's own partitioner picks one
   * (sticky, KIP-480), as ProducerPerformance's keyless records do; clients without one (kafkajs,
   * NATS, Redis) keep the round robin. Absent: round robin over the partitions.
   */
  readonly clientPartitioner?: boolean;
}

export interface LoadResult {
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly latencyMs?: LatencySummary;
  readonly errors: number;
  readonly firstError?: string;
  readonly missing?: number;
}

export interface ProducerClient {
  /** Resolves (with anything) once the system acknowledged the record with the setting's acks. */
  send(partition: number, value: Buffer): Promise<unknown>;
  /** The same, with the partition left to the client's partitioner (LoadSpec.clientPartitioner). */
  sendToAnyPartition?(value: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

export interface ConsumerClient {
  /** Record values that arrived; returns within about 100 ms when there are none. */
  poll(): Promise<Buffer[]>;
  close(): Promise<void>;
}

export interface LoadClients {
  producer(spec: LoadSpec, index: number): Promise<ProducerClient>;
  /** Resolves once positioned (earliest, or the current end), so later sends are all seen. */
  consumer(
    spec: LoadSpec,
    partitions: readonly number[],
    from: 'earliest' | 'latest',
    index: number,
  ): Promise<ConsumerClient>;
}

const SEND_TIME = 0;
const SEQUENCE = 8;

function makeValue(template: Buffer, sequence: number): Buffer {
  const value = Buffer.from(template);
  value.writeUInt32BE(sequence >>> 0, SEQUENCE);
  value.writeDoubleBE(performance.now(), SEND_TIME);
  return value;
}

function partitionsOf(consumer: number, consumers: number, partitions: number): number[] {
  return Array.from({ length: partitions }, (_, p) => p).filter((p) => p % consumers === consumer);
}

class Errors {
  count = 0;
  first: string | undefined;
  note(error: unknown): void {
    this.count++;
    this.first ??= error instanceof Error ? error.message : String(error);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Peak: each producer keeps up to maxInFlight records unacknowledged until its share is sent (or spec.seconds passed). */
async function produce(
  spec: LoadSpec,
  producers: ProducerClient[],
  template: Buffer,
  errors: Errors,
): Promise<LoadResult> {
  let acked = 0;
  const start = performance.now();
  await Promise.all(
    producers.map(async (producer, p) => {
      const share = Math.floor(spec.records / spec.producers) + (p < spec.records % spec.producers ? 1 : 0);
      let inFlight = 0;
      let wake: (() => void) | undefined;
      const settled = (): void => {
        inFlight--;
        wake?.();
      };
      const deadline = spec.seconds > 0 ? start + spec.seconds * 1000 : Infinity;
      for (let i = 0; i < share && performance.now() < deadline; i++) {
        while (inFlight >= spec.maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
        inFlight++;
        const value = makeValue(template, i);
        (spec.clientPartitioner === true && producer.sendToAnyPartition !== undefined
          ? producer.sendToAnyPartition(value)
          : producer.send(partitionOf(p, i, spec.partitions), value)
        ).then(
          () => {
            acked++;
            settled();
          },
          (error: unknown) => {
            errors.note(error);
            settled();
          },
        );
        // Let I/O run now and then: a client whose send() resolves synchronously starves it.
        if ((i & 1023) === 1023) await new Promise((resolve) => setImmediate(resolve));
      }
      while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    records: acked,
    bytes: acked * spec.recordBytes,
    seconds,
    errors: errors.count,
    ...(errors.first === undefined ? {} : { firstError: errors.first }),
  };
}

/** Reads `records` from the beginning across the consumers. */
async function consume(spec: LoadSpec, consumers: ConsumerClient[], errors: Errors): Promise<LoadResult> {
  let read = 0;
  const start = performance.now();
  let end = start;
  const idleLimitMs = 15_000;
  await Promise.all(
    consumers.map(async (consumer) => {
      let lastProgress = performance.now();
      while (read < spec.records && performance.now() - lastProgress < idleLimitMs) {
        try {
          const values = await consumer.poll();
          if (values.length > 0) {
            read += values.length;
            end = performance.now();
            lastProgress = end;
          }
        } catch (error) {
          errors.note(error);
          await sleep(100);
        }
      }
    }),
  );
  const seconds = (end - start) / 1000;
  return {
    records: read,
    bytes: read * spec.recordBytes,
    seconds,
    errors: errors.count,
    missing: Math.max(0, spec.records - read),
    ...(errors.first === undefined ? {} : { firstError: errors.first }),
  };
}

/** Paced producers at spec.rate for spec.seconds, consumers tailing; send -> receive latency. */
async function paced(
  spec: LoadSpec,
  producers: ProducerClient[],
  consumers: ConsumerClient[],
  template: Buffer,
  errors: Errors,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  let producing = true;
  const start = performance.now();
  const tail = consumers.map(async (consumer) => {
    let drainDeadline = Infinity;
    while (performance.now() < drainDeadline && (producing || latencies.length < sent)) {
      if (!producing && drainDeadline === Infinity) drainDeadline = performance.now() + 10_000;
      try {
        const values = await consumer.poll();
        const now = performance.now();
        for (const value of values) latencies.push(now - value.readDoubleBE(SEND_TIME));
      } catch (error) {
        errors.note(error);
        await sleep(100);
      }
    }
  });
  const perProducer = spec.rate / spec.producers;
  // Records sent and not yet settled, counted rather than kept: a list of every record's promise
  // (75,000 in a 15 s run) would grow this process's old generation, and so its collector's work,
  // by the bench's bookkeeping rather than by the client measured. The handlers are made once.
  let unsettled = 0;
  let allSettled: (() => void) | undefined;
  const settled = (): void => {
    unsettled--;
    if (unsettled === 0) allSettled?.();
  };
  const onAcked = (): void => {
    acked++;
    settled();
  };
  const onFailed = (error: unknown): void => {
    errors.note(error);
    settled();
  };
  await Promise.all(
    producers.map(async (producer, p) => {
      let i = 0;
      const total = Math.round(perProducer * spec.seconds);
      while (i < total) {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perProducer));
        for (; i < due; i++) {
          sent++;
          unsettled++;
          producer.send(partitionOf(p, i, spec.partitions), makeValue(template, i)).then(onAcked, onFailed);
        }
        await sleep(1);
      }
    }),
  );
  if (unsettled > 0) await new Promise<void>((resolve) => (allSettled = resolve));
  const produceSeconds = (performance.now() - start) / 1000;
  producing = false;
  await Promise.all(tail);
  return {
    records: acked,
    bytes: acked * spec.recordBytes,
    seconds: produceSeconds,
    latencyMs: summarizeLatencies(latencies),
    errors: errors.count,
    missing: Math.max(0, acked - latencies.length),
    ...(errors.first === undefined ? {} : { firstError: errors.first }),
  };
}

/** One record at a time: send, wait for the ack, poll until it is back (Kafka's EndToEndLatency). */
async function serial(
  spec: LoadSpec,
  producer: ProducerClient,
  consumer: ConsumerClient,
  template: Buffer,
  errors: Errors,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < spec.records; i++) {
    const value = makeValue(template, i);
    const sentAt = value.readDoubleBE(SEND_TIME);
    try {
      await producer.send(i % spec.partitions, value);
    } catch (error) {
      errors.note(error);
      continue;
    }
    const deadline = performance.now() + 10_000;
    let seen = false;
    while (!seen && performance.now() < deadline) {
      const values = await consumer.poll();
      for (const got of values) if (got.readUInt32BE(SEQUENCE) === i) seen = true;
    }
    if (seen) latencies.push(performance.now() - sentAt);
    else errors.note(new Error(`record ${i} did not come back within 10 s`));
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    records: latencies.length,
    bytes: latencies.length * spec.recordBytes,
    seconds,
    latencyMs: summarizeLatencies(latencies),
    errors: errors.count,
    ...(errors.first === undefined ? {} : { firstError: errors.first }),
  };
}

export async function runLoad(spec: LoadSpec, clients: LoadClients): Promise<LoadResult> {
  const template = Buffer.alloc(spec.recordBytes);
  for (let i = 12; i < template.length; i++) template[i] = (i * 31 + 7) & 0xff;
  const errors = new Errors();
  const producers: ProducerClient[] = [];
  const consumers: ConsumerClient[] = [];
  try {
    switch (spec.kind) {
      case 'produce':
        for (let p = 0; p < spec.producers; p++) producers.push(await clients.producer(spec, p));
        return await produce(spec, producers, template, errors);
      case 'consume':
        for (let c = 0; c < spec.consumers; c++)
          consumers.push(await clients.consumer(spec, partitionsOf(c, spec.consumers, spec.partitions), 'earliest', c));
        return await consume(spec, consumers, errors);
      case 'latency':
        for (let c = 0; c < spec.consumers; c++)
          consumers.push(await clients.consumer(spec, partitionsOf(c, spec.consumers, spec.partitions), 'latest', c));
        for (let p = 0; p < spec.producers; p++) producers.push(await clients.producer(spec, p));
        return await paced(spec, producers, consumers, template, errors);
      case 'serial':
        consumers.push(await clients.consumer(spec, partitionsOf(0, 1, spec.partitions), 'latest', 0));
        producers.push(await clients.producer(spec, 0));
        return await serial(spec, producers[0] as ProducerClient, consumers[0] as ConsumerClient, template, errors);
    }
  } finally {
    await Promise.allSettled([...producers.map((p) => p.close()), ...consumers.map((c) => c.close())]);
  }
}

function clientsFor(system: LoadSpec['system']): LoadClients {
  // Loaded here, not at the top: the driver modules import this one for its types and runLoad.
  switch (system) {
    case 'sluice':
      return (require('./compare-sluice') as typeof import('./compare-sluice')).sluiceClients;
    case 'kafkajs':
      return (require('./compare-kafka') as typeof import('./compare-kafka')).kafkajsClients;
    case 'nats':
      return (require('./compare-nats') as typeof import('./compare-nats')).natsClients;
    case 'redis':
      return (require('./compare-redis') as typeof import('./compare-redis')).redisClients;
  }
}

if (require.main === module) {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const watchdog = setTimeout(() => {
    console.error('compare-load: gave up after 10 minutes');
    process.exit(3);
  }, 600_000);
  watchdog.unref();
  // A tracing row: the clients trace (OTEL_* from the bench), as an application with the SDK would.
  if (spec.system === 'sluice') startTracingFromEnv('bench-client');
  Promise.resolve()
    .then(() => runLoad(spec, clientsFor(spec.system)))
    .then(async (result) => {
      await shutdownTracing();
      process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    });
}
