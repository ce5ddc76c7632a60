/**
 * Child process of `pnpm bench:produce` (forked by produce-bench.ts, one role per process, so
 * the driver's own work never shares an event loop with what is measured). The role and its
 * settings come as JSON in argv[2]. Each child sets up (connects, warms its producer with one
 * acknowledged record, positions its consumer), says `{ type: 'ready' }`, and waits for the
 * driver's `{ type: 'go', window }`, the same window for every child of a phase; its result goes
 * back once as `{ type: 'result' }`. Times are wall-clock ms from `performance.timeOrigin +
 * performance.now()` (sub-ms, comparable between processes on one machine).
 *
 * Roles:
 * - `peak`: a Producer sending 1 KiB records as fast as back-pressure allows (at most
 *   `maxUnacked` unacknowledged records), counting those acknowledged inside the window.
 * - `paced`: a Producer sending at a fixed rate, each record stamped with its send time in
 *   header `t`; reports send -> ack latencies of records sent inside the window.
 * - `consume`: a Consumer assigned every partition of the topic, positioned at the end,
 *   measuring send -> receive of records stamped inside the window.
 * - `raw-server` / `raw-client`: the baseline, a grpc-js client-streaming call carrying the same
 *   record batches as raw bytes (no protobuf, HTTP/2 flow control as back-pressure) to a server
 *   that only counts what arrives inside the window.
 * - `unary-server` / `unary-client`: the second baseline, what the data path costs in gRPC alone:
 *   unary Produce calls of sluice's Broker service (its protobuf, through @grpc/proto-loader), on
 *   `channels` connections (as a producer has one per broker) with `inFlight` calls in flight on
 *   each, each holding `batchesPerRequest` record batches, to a server that counts them and
 *   answers at once (no log, no replication, no client SDK).
 */
import {
  Server,
  ServerCredentials,
  credentials,
  makeGenericClientConstructor,
  type ServerReadableStream,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { Consumer, Producer, type ProducerOptions } from '@sluice/client';
import { serviceClientConstructor, serviceDefinition } from '@sluice/proto';
import type { BrokerHandlers, ProducePartitionResult, ProduceRequest } from '@sluice/proto';
import { batchOfKiBRecords, RECORD_VALUE_BYTES } from './batches';

import {
  wallMs,
  type ConsumeResult,
  type GoMessage,
  type PacedResult,
  type PeakResult,
  type Percentiles,
  type ProducerSettings,
  type RawResult,
  type Window,
  type WorkerMessage,
  type WorkerTask,
} from './produce-bench-protocol';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function sleepUntil(wall: number): Promise<void> {
  const left = wall - wallMs();
  if (left > 0) await sleep(left);
}

export function percentiles(values: Float64Array, count: number): Percentiles {
  if (count === 0) return { count: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN };
  const sorted = values.slice(0, count).sort();
  const at = (p: number): number =>
    sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))] as number;
  return { count, p50: at(50), p99: at(99), p999: at(99.9), max: sorted[count - 1] as number };
}

/** A growable list of doubles (latencies), without boxing each one. */
class Samples {
  private values = new Float64Array(1 << 16);
  count = 0;
  push(value: number): void {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = value;
  }
  percentiles(): Percentiles {
    return percentiles(this.values, this.count);
  }
}

/** Failed send()s by error name (ApiError's errorName), and the first message. */
class ErrorCounts {
  readonly counts: Record<string, number> = {};
  first = '';
  add(error: unknown): void {
    const name =
      typeof error === 'object' && error !== null && 'errorName' in error ? String(error.errorName) : 'Error';
    this.counts[name] = (this.counts[name] ?? 0) + 1;
    if (this.first === '') this.first = error instanceof Error ? error.message : String(error);
  }
}

/** 1 KiB pseudo-random values (a few, reused: the producer copies them into its batches). */
function values(): Buffer[] {
  let state = 12345;
  return Array.from({ length: 16 }, () => {
    const bytes = Buffer.allocUnsafe(RECORD_VALUE_BYTES);
    for (let i = 0; i < RECORD_VALUE_BYTES; i += 4) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      bytes.writeUInt32LE(state, i);
    }
    return bytes;
  });
}

function producerOptions(bootstrap: string, settings: ProducerSettings): ProducerOptions {
  return {
    bootstrap,
    acks: settings.acks,
    enableIdempotence: settings.enableIdempotence,
    lingerMs: settings.lingerMs,
    batchSizeBytes: settings.batchSizeBytes,
    maxInFlightRequestsPerConnection: settings.maxInFlightRequestsPerConnection,
  };
}

/** Waits until the producer knows the topic and has its id (one acknowledged record). */
async function warmProducer(producer: Producer, topic: string, value: Buffer): Promise<void> {
  await producer.send({ topic, value });
}

/** Says ready, then waits for the driver's window. */
let goWindow: Promise<Window> | undefined;
async function readyThenGo(port?: number): Promise<Window> {
  await send(port === undefined ? { type: 'ready' } : { type: 'ready', port });
  return goWindow as Promise<Window>;
}

async function peak(task: Extract<WorkerTask, { role: 'peak' }>): Promise<PeakResult> {
  const producer = new Producer(producerOptions(task.bootstrap, task.producer));
  const pool = values();
  let unacked = 0;
  let counted = 0;
  let acked = 0;
  const errors = new ErrorCounts();
  let wake: (() => void) | null = null;
  const low = Math.max(1, Math.floor(task.maxUnacked / 2));
  let measureFrom = Infinity;
  let measureTo = -Infinity;
  const settled = (): void => {
    unacked--;
    if (wake !== null && unacked <= low) {
      const resume = wake;
      wake = null;
      resume();
    }
  };
  const onAck = (): void => {
    acked++;
    const now = wallMs();
    if (now >= measureFrom && now < measureTo) counted++;
    settled();
  };
  const onError = (error: unknown): void => {
    errors.add(error);
    settled();
  };
  try {
    await warmProducer(producer, task.topic, pool[0] as Buffer);
    const before = producer.stats().requests;
    const window = await readyThenGo();
    ({ measureFrom, measureTo } = window);
    await sleepUntil(window.startAt);
    let i = 0;
    while (wallMs() < window.measureTo) {
      if (unacked >= task.maxUnacked) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      // A slice of sends, then let the sender loop and the sockets run.
      for (let n = 0; n < 64 && unacked < task.maxUnacked; n++) {
        unacked++;
        producer.send({ topic: task.topic, value: pool[i++ & 15] as Buffer }).then(onAck, onError);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await producer.flush();
    const requests = producer.stats().requests - before;
    return {
      records: counted,
      seconds: (measureTo - measureFrom) / 1000,
      requests,
      retries: producer.stats().retries,
      epochBumps: producer.stats().epochBumps,
      errors: errors.counts,
      firstError: errors.first,
      recordsPerRequest: acked / Math.max(1, requests),
    };
  } finally {
    await producer.close({ timeoutMs: 5_000 });
  }
}

async function paced(task: Extract<WorkerTask, { role: 'paced' }>): Promise<PacedResult> {
  const producer = new Producer(producerOptions(task.bootstrap, task.producer));
  const pool = values();
  const ack = new Samples();
  let unacked = 0;
  let maxUnacked = 0;
  const errors = new ErrorCounts();
  try {
    await warmProducer(producer, task.topic, pool[0] as Buffer);
    const window = await readyThenGo();
    await sleepUntil(window.startAt);
    const start = wallMs();
    let sent = 0;
    let sentInWindow = 0;
    const pending: Promise<unknown>[] = [];
    for (;;) {
      const now = wallMs();
      if (now >= window.measureTo) break;
      const due = Math.floor(((now - start) * task.recordsPerSecond) / 1000);
      while (sent < due) {
        const stamp = wallMs();
        const header = Buffer.allocUnsafe(8);
        header.writeDoubleBE(stamp);
        const measured = stamp >= window.measureFrom && stamp < window.measureTo;
        if (measured) sentInWindow++;
        unacked++;
        if (unacked > maxUnacked) maxUnacked = unacked;
        const result = producer
          .send({ topic: task.topic, value: pool[sent & 15] as Buffer, headers: [{ key: 't', value: header }] })
          .then(
            () => {
              unacked--;
              if (measured) ack.push(wallMs() - stamp);
            },
            (error: unknown) => {
              unacked--;
              errors.add(error);
            },
          );
        if (measured && sentInWindow % 1024 === 0) pending.push(result);
        sent++;
      }
      await sleep(1);
    }
    await producer.flush();
    await Promise.all(pending);
    return {
      sent: sentInWindow,
      seconds: (window.measureTo - window.measureFrom) / 1000,
      ack: ack.percentiles(),
      errors: errors.counts,
      firstError: errors.first,
      maxUnacked,
    };
  } finally {
    await producer.close({ timeoutMs: 5_000 });
  }
}

async function consume(task: Extract<WorkerTask, { role: 'consume' }>): Promise<ConsumeResult> {
  const consumer = new Consumer({ bootstrap: task.bootstrap, autoOffsetReset: 'latest', maxPollRecords: 2_000 });
  const e2e = new Samples();
  let received = 0;
  // Send stamps only grow within one producer: a smaller one after a larger one in a partition
  // means two of its batches were appended in the other order.
  const lastStampOf = new Map<number, number>();
  let reordered = 0;
  try {
    const assignment = await consumer.assignTopics([task.topic]);
    consumer.seekToEnd();
    for (const tp of assignment) await consumer.position(tp);
    const window = await readyThenGo();
    const stopAt = window.measureTo + task.graceMs;
    let lastStamp = 0;
    while (wallMs() < stopAt) {
      const records = await consumer.poll(200);
      const now = wallMs();
      for (const record of records) {
        received++;
        const header = record.headers.find((h) => h.key === 't')?.value;
        if (header === undefined || header === null || header.length !== 8) continue;
        const stamp = header.readDoubleBE(0);
        if (stamp > lastStamp) lastStamp = stamp;
        if (stamp < (lastStampOf.get(record.partition) ?? 0)) reordered++;
        else lastStampOf.set(record.partition, stamp);
        if (stamp >= window.measureFrom && stamp < window.measureTo) e2e.push(now - stamp);
      }
      // Everything sent in the window has arrived once something sent after it did (one producer,
      // but 12 partitions: allow a short tail).
      if (lastStamp >= window.measureTo + 500) break;
    }
    return { e2e: e2e.percentiles(), received, reordered };
  } finally {
    consumer.close();
  }
}

// ------------------------------------------------------------------ raw grpc-js baseline

const identity = (value: Buffer): Buffer => value;
const RAW_SERVICE: ServiceDefinition = {
  Push: {
    path: '/bench.Raw/Push',
    requestStream: true,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};
const GRPC_OPTIONS = {
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

async function rawServer(): Promise<RawResult> {
  let messages = 0;
  let bytes = 0;
  const server = new Server(GRPC_OPTIONS);
  server.addService(RAW_SERVICE, {
    Push: (call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      call.on('data', (message: Buffer) => {
        messages++;
        bytes += message.length;
      });
      call.on('end', () => callback(null, Buffer.alloc(0)));
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  const window = await readyThenGo(port);
  await sleepUntil(window.measureFrom);
  const from = { messages, bytes };
  await sleepUntil(window.measureTo);
  const to = { messages, bytes };
  // The client ends its stream at measureTo; give it a moment, then go.
  await sleep(500);
  server.forceShutdown();
  return {
    messages: to.messages - from.messages,
    bytes: to.bytes - from.bytes,
    seconds: (window.measureTo - window.measureFrom) / 1000,
  };
}

async function rawClient(task: Extract<WorkerTask, { role: 'raw-client' }>): Promise<RawResult> {
  const Client = makeGenericClientConstructor(RAW_SERVICE, 'Raw');
  const client = new Client(task.address, credentials.createInsecure(), GRPC_OPTIONS);
  const batch = batchOfKiBRecords(task.messageBytes);
  let written = 0;
  try {
    await new Promise<void>((resolve, reject) =>
      client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
    );
    const window = await readyThenGo();
    await sleepUntil(window.startAt);
    const done = new Promise<void>((resolve, reject) => {
      const call = (client as unknown as { Push(callback: (error: Error | null) => void): NodeJS.WritableStream }).Push(
        (error) => (error === null ? resolve() : reject(error)),
      );
      const pump = (): void => {
        while (wallMs() < window.measureTo) {
          written++;
          // Flow control: stop writing when grpc-js's (HTTP/2's) buffer is full, resume on drain.
          if (!call.write(batch)) {
            call.once('drain', pump);
            return;
          }
        }
        call.end();
      };
      pump();
    });
    await done;
    return { messages: written, bytes: written * batch.length, seconds: (wallMs() - window.startAt) / 1000 };
  } finally {
    client.close();
  }
}

async function unaryServer(): Promise<RawResult> {
  let messages = 0;
  let bytes = 0;
  const server = new Server(GRPC_OPTIONS);
  // Produce only: the other methods answer UNIMPLEMENTED (the baseline never calls them).
  const produce: BrokerHandlers['Produce'] = (call, callback) => {
    const topics = call.request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p): ProducePartitionResult => {
        messages++;
        bytes += p.records.length;
        return {
          partition: p.partition,
          errorName: '',
          errorMessage: '',
          baseOffset: String(messages),
          logAppendTime: '-1',
          logStartOffset: '0',
        };
      }),
    }));
    callback(null, { topics });
  };
  server.addService(serviceDefinition('Broker'), { Produce: produce });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  const window = await readyThenGo(port);
  await sleepUntil(window.measureFrom);
  const from = { messages, bytes };
  await sleepUntil(window.measureTo);
  const to = { messages, bytes };
  await sleep(500);
  server.forceShutdown();
  return {
    messages: to.messages - from.messages,
    bytes: to.bytes - from.bytes,
    seconds: (window.measureTo - window.measureFrom) / 1000,
  };
}

async function unaryClient(task: Extract<WorkerTask, { role: 'unary-client' }>): Promise<RawResult> {
  const Ctor = serviceClientConstructor('Broker');
  // A distinct option per client: grpc-js shares one connection between channels with equal options.
  const clients = Array.from(
    { length: task.channels },
    (_, i) =>
      new Ctor(task.address, credentials.createInsecure(), {
        ...GRPC_OPTIONS,
        'sluice.bench.channel': i,
      }),
  );
  // One partition per batch, as the producer's request to one leader.
  const request: ProduceRequest = {
    acks: 1,
    timeoutMs: 30_000,
    topics: [
      {
        name: 'bench',
        partitions: Array.from({ length: task.batchesPerRequest }, (_, partition) => ({
          partition,
          records: batchOfKiBRecords(task.batchBytes, partition + 1),
        })),
      },
    ],
  };
  let calls = 0;
  try {
    await Promise.all(
      clients.map(
        (client) =>
          new Promise<void>((resolve, reject) =>
            client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
          ),
      ),
    );
    const window = await readyThenGo();
    await sleepUntil(window.startAt);
    await Promise.all(
      clients.map(
        (client) =>
          new Promise<void>((resolve, reject) => {
            let inFlight = 0;
            const next = (): void => {
              while (inFlight < task.inFlight && wallMs() < window.measureTo) {
                inFlight++;
                calls++;
                client.Produce(request, { deadline: new Date(Date.now() + 30_000) }, (error) => {
                  inFlight--;
                  if (error !== null) reject(error);
                  else next();
                });
              }
              if (inFlight === 0) resolve();
            };
            next();
          }),
      ),
    );
    return { messages: calls, bytes: 0, seconds: (wallMs() - window.startAt) / 1000 };
  } finally {
    for (const client of clients) client.close();
  }
}

// ------------------------------------------------------------------ main

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as WorkerTask;
  goWindow = new Promise<Window>((resolve) =>
    process.on('message', (message: GoMessage) => message.type === 'go' && resolve(message.window)),
  );
  let result: PeakResult | PacedResult | ConsumeResult | RawResult;
  switch (task.role) {
    case 'peak':
      result = await peak(task);
      break;
    case 'paced':
      result = await paced(task);
      break;
    case 'consume':
      result = await consume(task);
      break;
    case 'raw-server':
      result = await rawServer();
      break;
    case 'raw-client':
      result = await rawClient(task);
      break;
    case 'unary-server':
      result = await unaryServer();
      break;
    case 'unary-client':
      result = await unaryClient(task);
      break;
    default:
      throw new Error(`unknown role ${JSON.stringify((task as { role: unknown }).role)}`);
  }
  await send({ type: 'result', result });
}

// The driver going away (IPC closed) ends the child too. Exits explicitly once done: grpc-js
// channels may keep the event loop alive a while.
process.on('disconnect', () => process.exit(0));
main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  },
);
