/**
 * Apache Kafka 4.x in the side-by-side bench: three combined (broker + controller) KRaft nodes
 * from the jars bench/peers/fetch-kafka.sh put in ~/.cache/sluice-peers/kafka/libs, on loopback,
 * data in /tmp, with kafka-server-start.sh's JVM settings (-Xmx1G -Xms1G, G1). Driven two ways:
 * Kafka's own tools (ProducerPerformance, ConsumerPerformance, EndToEndLatency; for the paced
 * latency setting bench/peers/E2eRate.java, the compare-load loop in Java) and kafkajs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer as KafkajsConsumer, type Producer as KafkajsProducer } from 'kafkajs';
import { freePorts, waitFor } from '@sluice/local-cluster';
import type { LoadClients } from './compare-load';
import { PEERS_DIR, runTracked, spawnTracked, stopChild, which, type RunningSystem } from './compare-procs';
import type { LatencySummary } from './compare-table';
import type { Setting, Workload } from './compare-workload';

export function kafkaLibs(): string {
  return join(process.env.SLUICE_PEERS_DIR ?? join(homedir(), '.cache', 'sluice-peers'), 'kafka', 'libs');
}

/** Runs bench/peers/fetch-kafka.sh when the jars are not there yet; throws a clear message. */
export async function ensureKafka(): Promise<string> {
  if (which('java') === undefined)
    throw new Error('kafka: java is not on PATH (Debian: apt-get install -y openjdk-17-jdk-headless)');
  const libs = kafkaLibs();
  if (!existsSync(join(libs, '.version'))) {
    if (which('mvn') === undefined)
      throw new Error(
        `kafka: no jars in ${libs} and no mvn to fetch them (Debian: apt-get install -y maven), or run bench/peers/fetch-kafka.sh`,
      );
    process.stderr.write(`kafka: fetching Apache Kafka 4.x into ${libs} (bench/peers/fetch-kafka.sh)\n`);
    const fetched = await runTracked('bash', [join(PEERS_DIR, 'fetch-kafka.sh')], 900_000);
    if (fetched.code !== 0)
      throw new Error(`kafka: bench/peers/fetch-kafka.sh failed:\n${fetched.stderr}${fetched.stdout}`);
  }
  return readFileSync(join(libs, '.version'), 'utf8').trim();
}

const JVM_SERVER_OPTS = [
  '-Xmx1G',
  '-Xms1G',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];
const JVM_TOOL_OPTS = ['-Xmx512M', '-Djava.awt.headless=true'];

function java(args: readonly string[], timeoutMs: number): ReturnType<typeof runTracked> {
  return runTracked('java', [...JVM_TOOL_OPTS, '-cp', `${kafkaLibs()}/*`, ...args], timeoutMs);
}

export async function startKafka(baseDir: string, replication: number): Promise<RunningSystem> {
  const version = await ensureKafka();
  const ports = await freePorts(6);
  const brokerPorts = ports.slice(0, 3);
  const controllerPorts = ports.slice(3);
  const voters = controllerPorts.map((port, i) => `${i + 1}@127.0.0.1:${port}`).join(',');
  const clusterId = randomBytes(16).toString('base64url');
  const minIsr = Math.min(2, replication);
  const nodes = [1, 2, 3].map((id) => {
    const dir = join(baseDir, `kafka-${id}`);
    mkdirSync(dir, { recursive: true });
    const config = join(baseDir, `kafka-${id}.properties`);
    writeFileSync(
      config,
      [
        'process.roles=broker,controller',
        `node.id=${id}`,
        `controller.quorum.voters=${voters}`,
        `listeners=PLAINTEXT://127.0.0.1:${brokerPorts[id - 1]},CONTROLLER://127.0.0.1:${controllerPorts[id - 1]}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPorts[id - 1]}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        `log.dirs=${dir}`,
        `min.insync.replicas=${minIsr}`,
        `default.replication.factor=${replication}`,
        `offsets.topic.replication.factor=${replication}`,
        `transaction.state.log.replication.factor=${replication}`,
        `transaction.state.log.min.isr=${minIsr}`,
        'group.initial.rebalance.delay.ms=0',
        '',
      ].join('\n'),
    );
    return { id, dir, config };
  });
  await Promise.all(
    nodes.map(async (node) => {
      const formatted = await java(
        ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.config, '--ignore-formatted'],
        120_000,
      );
      if (formatted.code !== 0)
        throw new Error(
          `kafka: StorageTool format failed for node ${node.id}:\n${formatted.stderr}${formatted.stdout}`,
        );
    }),
  );
  const children = nodes.map((node) =>
    spawnTracked(
      'java',
      [...JVM_SERVER_OPTS, `-Dkafka.logs.dir=${node.dir}`, '-cp', `${kafkaLibs()}/*`, 'kafka.Kafka', node.config],
      join(baseDir, `kafka-${node.id}.out`),
    ),
  );
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopChild(child, 'SIGTERM', 20_000)));
  };
  const bootstrap = brokerPorts.map((port) => `127.0.0.1:${port}`).join(',');
  const kafka = new Kafka({
    clientId: 'sluice-compare-admin',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await waitFor(
      'three Kafka brokers in the cluster',
      async () => {
        for (const child of children)
          if (child.exitCode !== null)
            throw new Error(`kafka node exited with ${child.exitCode}; see ${baseDir}/kafka-*.out`);
        await admin.connect();
        return (await admin.describeCluster()).brokers.length === 3;
      },
      120_000,
      500,
    );
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    await stop();
    throw error;
  }
  return {
    name: `Apache Kafka ${version}`,
    description: `Apache Kafka ${version}: 3 combined KRaft nodes (JVM, -Xmx1G -Xms1G, G1), min.insync.replicas=${minIsr}, data in /tmp`,
    connect: { bootstrap },
    serverPids: () => children.map((child) => child.pid).filter((pid): pid is number => pid !== undefined),
    async createTopic(name, partitions, rf) {
      // kafkajs sees new topics late (UNKNOWN_TOPIC_OR_PARTITION for a while): retry until it does.
      await waitFor(
        `${name} created`,
        async () => {
          try {
            await admin.createTopics({
              topics: [{ topic: name, numPartitions: partitions, replicationFactor: rf }],
              waitForLeaders: false,
              timeout: 30_000,
            });
          } catch (error) {
            if (!/already exists/i.test(error instanceof Error ? error.message : String(error))) throw error;
          }
          return true;
        },
        60_000,
        500,
      );
      await waitFor(
        `${name}: every partition led with a full ISR`,
        async () => {
          const meta = await admin.fetchTopicMetadata({ topics: [name] });
          const topic = meta.topics[0];
          return (
            topic !== undefined &&
            topic.partitions.length === partitions &&
            topic.partitions.every((p) => p.leader >= 0 && p.isr.length === rf)
          );
        },
        60_000,
        200,
      );
    },
    async stop() {
      await admin.disconnect().catch(() => undefined);
      await stop();
    },
  };
}

// ---------------------------------------------------------------------------------------- tools

export interface ToolResult {
  readonly records: number;
  readonly seconds: number;
  readonly latencyMs?: LatencySummary;
  readonly note: string;
}

function number(text: string, pattern: RegExp, what: string, output: string): number {
  const match = pattern.exec(text);
  if (match === null) throw new Error(`kafka tools: no ${what} in the output:\n${output}`);
  return Number(match[1]);
}

/** One setting through Kafka's own tools; producers run as parallel ProducerPerformance JVMs. */
export async function runKafkaTool(
  bootstrap: string,
  topic: string,
  workload: Workload,
  setting: Setting,
): Promise<ToolResult> {
  const acks = setting.acks === 'all' ? 'all' : '1';
  switch (setting.kind) {
    case 'produce': {
      const shares = Array.from(
        { length: workload.producers },
        (_, p) => Math.floor(setting.records / workload.producers) + (p < setting.records % workload.producers ? 1 : 0),
      );
      const runs = await Promise.all(
        shares.map((share) =>
          java(
            [
              'org.apache.kafka.tools.ProducerPerformance',
              '--topic',
              topic,
              '--num-records',
              String(share),
              '--record-size',
              String(workload.recordBytes),
              '--throughput',
              '-1',
              '--producer-props',
              `bootstrap.servers=${bootstrap}`,
              `acks=${acks}`,
            ],
            600_000,
          ),
        ),
      );
      let rate = 0;
      let records = 0;
      for (const run of runs) {
        const out = run.stdout + run.stderr;
        if (run.code !== 0) throw new Error(`ProducerPerformance failed:\n${out}`);
        const final =
          out
            .split('\n')
            .filter((line) => line.includes('records sent'))
            .pop() ?? '';
        records += number(final, /^(\d+) records sent/, 'records sent', out);
        rate += number(final, /records sent, ([\d.]+) records\/sec/, 'records/sec', out);
      }
      return {
        records,
        seconds: records / rate,
        note: `ProducerPerformance (Kafka's producer defaults: linger.ms=5, batch.size=16384${setting.acks === 'all' ? ', idempotent' : ''}); its own latency figures are send -> ack, not shown`,
      };
    }
    case 'consume': {
      const run = await java(
        [
          'org.apache.kafka.tools.ConsumerPerformance',
          '--bootstrap-server',
          bootstrap,
          '--topic',
          topic,
          '--messages',
          String(setting.records),
          '--group',
          `cmp-${Date.now()}`,
          '--timeout',
          '30000',
        ],
        600_000,
      );
      const out = run.stdout + run.stderr;
      if (run.code !== 0) throw new Error(`ConsumerPerformance failed:\n${out}`);
      // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
      const line = out.split('\n').find((l) => /^\d{4}-\d\d-\d\d/.test(l.trim()));
      if (line === undefined) throw new Error(`ConsumerPerformance: no result line:\n${out}`);
      const cells = line.split(',').map((cell) => cell.trim());
      const records = Number(cells[4]);
      const fetchMs = Number(cells[7]);
      return {
        records,
        seconds: fetchMs / 1000,
        note: 'ConsumerPerformance, a group consumer: fetch time only (its group join time left out; ours assign partitions)',
      };
    }
    case 'latency': {
      const run = await runTracked(
        'java',
        [
          ...JVM_TOOL_OPTS,
          '-cp',
          `${kafkaLibs()}/*`,
          join(PEERS_DIR, 'E2eRate.java'),
          bootstrap,
          topic,
          String(workload.partitions),
          String(setting.rate),
          String(setting.seconds),
          String(workload.recordBytes),
          acks,
        ],
        600_000,
      );
      const out = run.stdout + run.stderr;
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (run.code !== 0 || line === undefined) throw new Error(`E2eRate.java failed:\n${out}`);
      const r = JSON.parse(line.slice('RESULT '.length)) as {
        records: number;
        seconds: number;
        received: number;
        p50: number;
        p99: number;
        p999: number;
      };
      return {
        records: r.records,
        seconds: r.seconds,
        latencyMs: { p50: r.p50, p99: r.p99, p999: r.p999, count: r.received },
        note: `bench/peers/E2eRate.java (kafka-clients, the compare-load loop in Java)${r.received < r.records ? `; ${r.records - r.received} records not seen by the consumer` : ''}`,
      };
    }
    case 'serial': {
      const run = await java(
        [
          'org.apache.kafka.tools.EndToEndLatency',
          '--bootstrap-server',
          bootstrap,
          '--topic',
          topic,
          '--num-records',
          String(setting.records),
          '--producer-acks',
          acks,
          '--record-size',
          String(workload.recordBytes),
        ],
        600_000,
      );
      const out = run.stdout + run.stderr;
      // kafka-tools 4.3.1 (the newest on Maven Central) with kafka-clients 4.4.0 prints its
      // figures, then fails at exit (org.apache.kafka.common.utils.Exit moved): the figures count.
      if (run.code !== 0 && !out.includes('Percentiles:')) throw new Error(`EndToEndLatency failed:\n${out}`);
      const avg = number(out, /Avg latency: ([\d.]+) ms/, 'average latency', out);
      const p50 = number(out, /50th = ([\d.]+)/, '50th percentile', out);
      const p99 = number(out, /99th = ([\d.]+)/, '99th percentile', out);
      const p999 = number(out, /99\.9th = ([\d.]+)/, '99.9th percentile', out);
      return {
        records: setting.records,
        seconds: (avg * setting.records) / 1000,
        latencyMs: { p50, p99, p999, count: setting.records },
        note: 'EndToEndLatency: whole-ms percentiles; its clock starts before send() and stops at the poll that returns the record',
      };
    }
  }
}

// ------------------------------------------------------------------------------------- kafkajs

/** kafkajs has no linger: sends of one tick go out as one producer.send (at most 1000 records). */
export const kafkajsClients: LoadClients = {
  async producer(spec, index) {
    const kafka = new Kafka({
      clientId: `cmp-producer-${index}`,
      brokers: (spec.connect.bootstrap ?? '').split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer: KafkajsProducer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    let batch: { partition: number; value: Buffer; resolve: () => void; reject: (error: unknown) => void }[] = [];
    const flush = (): void => {
      const taken = batch;
      batch = [];
      producer
        .send({
          topic: spec.topic,
          acks: spec.acks === 'all' ? -1 : 1,
          messages: taken.map(({ partition, value }) => ({ partition, value })),
        })
        .then(
          () => taken.forEach((item) => item.resolve()),
          (error: unknown) => taken.forEach((item) => item.reject(error)),
        );
    };
    return {
      send: (partition, value) =>
        new Promise<void>((resolve, reject) => {
          if (batch.length === 0) setImmediate(flush);
          batch.push({ partition, value, resolve, reject });
          if (batch.length >= 1000) flush();
        }),
      close: () => producer.disconnect(),
    };
  },
  async consumer(spec, _partitions, from, index) {
    const kafka = new Kafka({
      clientId: `cmp-consumer-${index}`,
      brokers: (spec.connect.bootstrap ?? '').split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer: KafkajsConsumer = kafka.consumer({
      groupId: `cmp-${spec.topic}-${process.pid}`,
      maxWaitTimeInMs: 100,
    });
    const queue: Buffer[] = [];
    let wake: (() => void) | undefined;
    let fetched = false;
    consumer.on(consumer.events.FETCH, () => (fetched = true));
    await consumer.connect();
    await consumer.subscribe({ topics: [spec.topic], fromBeginning: from === 'earliest' });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) queue.push(message.value ?? Buffer.alloc(0));
        wake?.();
      },
    });
    // Positions are resolved by the first fetch after the group join.
    await waitFor('kafkajs consumer: first fetch', () => fetched, 60_000, 50);
    return {
      poll: async () => {
        if (queue.length === 0)
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 100);
          });
        wake = undefined;
        return queue.splice(0, queue.length);
      },
      close: () => consumer.disconnect(),
    };
  },
};
