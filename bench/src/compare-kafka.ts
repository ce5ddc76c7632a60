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
import {
  createWaitMs,
  PEERS_DIR,
  runTracked,
  spawnTracked,
  stopChild,
  which,
  type RunningSystem,
} from './compare-procs';
import type { LatencySummary } from './compare-table';
import { kafkaProducerProps, type Setting, type Workload } from './compare-workload';
import { endToEndLatencyArgs } from './kafka-tool-args';
import {
  combineProducerRuns,
  parseConsumerPerformance,
  parseE2eRate,
  parseEndToEndLatency,
  parseProducerPerformance,
} from './kafka-tool-output';

/**
 * The Apache Kafka release the bench runs: server, clients and tools all of this one version
 * (issue 19: unpinned, 4.4.0 brokers ran with 4.3.1 tools). `KAFKA_VERSION` overrides it, with
 * bench/peers/fetch-kafka.sh fetching that version into its own folder.
 */
export const PINNED_KAFKA_VERSION = '4.1.1';

export function kafkaVersion(): string {
  const version = process.env.KAFKA_VERSION ?? PINNED_KAFKA_VERSION;
  if (!/^4\.\d+\.\d+$/.test(version)) throw new Error(`KAFKA_VERSION must be a 4.x.y release, not ${version}`);
  return version;
}

export function kafkaLibs(): string {
  return join(
    process.env.SLUICE_PEERS_DIR ?? join(homedir(), '.cache', 'sluice-peers'),
    `kafka-${kafkaVersion()}`,
    'libs',
  );
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
    process.stderr.write(`kafka: fetching Apache Kafka ${kafkaVersion()} into ${libs} (bench/peers/fetch-kafka.sh)\n`);
    const fetched = await runTracked('bash', [join(PEERS_DIR, 'fetch-kafka.sh')], 900_000, {
      env: { ...process.env, KAFKA_VERSION: kafkaVersion() },
    });
    if (fetched.code !== 0)
      throw new Error(`kafka: bench/peers/fetch-kafka.sh failed:\n${fetched.stderr}${fetched.stdout}`);
  }
  const version = readFileSync(join(libs, '.version'), 'utf8').trim();
  if (version !== kafkaVersion()) throw new Error(`kafka: ${libs} holds ${version}, not ${kafkaVersion()}`);
  return version;
}

/**
 * kafka-server-start.sh's JVM as its users run it: KAFKA_HEAP_OPTS (-Xmx1G -Xms1G) and
 * kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS. Left out (said in the table): its GC log
 * (-loggc), the JMX agent and the log4j appenders, which only write files.
 */
const JVM_SERVER_OPTS = [
  '-Xmx1G',
  '-Xms1G',
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-Djava.awt.headless=true',
];
const JVM_TOOL_OPTS = ['-Xmx512M', '-Djava.awt.headless=true'];

/**
 * Per running cluster (by bootstrap): aborted when one of its nodes exits while the bench runs, so
 * a tool run against it fails at once with the reason instead of waiting out delivery.timeout.ms
 * and its own 600 s bound. Section 42: a full disk took every node down mid-row (a node whose only
 * log dir fails halts; the bench gives the nodes no log4j appender, so they die silently), and
 * ProducerPerformance then stalled for 600 s.
 */
const clusterDown = new Map<string, AbortController>();

async function java(args: readonly string[], timeoutMs: number, bootstrap?: string): ReturnType<typeof runTracked> {
  const down = bootstrap === undefined ? undefined : clusterDown.get(bootstrap);
  // A function, not a narrowed property: the abort can come while the tool runs.
  const isDown = (): boolean => down?.signal.aborted === true;
  const failed = (): Error => new Error(String(down?.signal.reason));
  if (isDown()) throw failed();
  try {
    const run = await runTracked(
      'java',
      [...JVM_TOOL_OPTS, '-cp', `${kafkaLibs()}/*`, ...args],
      timeoutMs,
      down === undefined ? {} : { signal: down.signal },
    );
    if (isDown()) throw failed();
    return run;
  } catch (error) {
    if (isDown()) throw failed();
    throw error;
  }
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
  const bootstrap = brokerPorts.map((port) => `127.0.0.1:${port}`).join(',');
  const down = new AbortController();
  clusterDown.set(bootstrap, down);
  let stopping = false;
  children.forEach((child, i) =>
    child.once('exit', (code, signal) => {
      if (stopping || down.signal.aborted) return;
      const why = `kafka: node ${i + 1} exited (${signal ?? `code ${code}`}) while the bench ran; see ${baseDir}/kafka-${i + 1}.out and the free disk of ${baseDir} (a node whose only log dir fails, e.g. on a full disk, halts: docs/performance.md section 42)`;
      process.stderr.write(`${why}\n`);
      down.abort(why);
    }),
  );
  const stop = async (): Promise<void> => {
    stopping = true;
    clusterDown.delete(bootstrap);
    await Promise.all(children.map((child) => stopChild(child, 'SIGTERM', 20_000)));
  };
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
    description: `Apache Kafka ${version} (server, clients and tools all ${version}): 3 combined KRaft nodes, each JVM with kafka-server-start.sh's flags (-Xmx1G -Xms1G, -server, G1 with MaxGCPauseMillis=20, InitiatingHeapOccupancyPercent=35, ExplicitGCInvokesConcurrent; not its GC log, JMX agent or log4j files), broker defaults but min.insync.replicas=${minIsr}, data in /tmp`,
    connect: { bootstrap },
    serverPids: () => children.map((child) => child.pid).filter((pid): pid is number => pid !== undefined),
    async createTopic(name, partitions, rf, options) {
      // The scaling table creates up to thousands of partitions at once: the waits grow with them.
      const waitMs = createWaitMs(partitions);
      // kafkajs sees new topics late (UNKNOWN_TOPIC_OR_PARTITION for a while): retry until it does.
      await waitFor(
        `${name} created`,
        async () => {
          try {
            await admin.createTopics({
              topics: [
                {
                  topic: name,
                  numPartitions: partitions,
                  replicationFactor: rf,
                  // Kafka's nearest to durable acks: every replica fsyncs each append (no group commit).
                  configEntries: options?.durable === true ? [{ name: 'flush.messages', value: '1' }] : [],
                },
              ],
              waitForLeaders: false,
              timeout: waitMs,
            });
          } catch (error) {
            if (!/already exists/i.test(error instanceof Error ? error.message : String(error))) throw error;
          }
          return true;
        },
        waitMs,
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
        waitMs,
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

/** One setting through Kafka's own tools; producers run as parallel ProducerPerformance JVMs. */
export async function runKafkaTool(
  bootstrap: string,
  topic: string,
  workload: Workload,
  setting: Setting,
): Promise<ToolResult> {
  const acks = setting.acks === 'leader' ? '1' : 'all';
  switch (setting.kind) {
    case 'produce': {
      const shares = Array.from(
        { length: workload.producers },
        (_, p) => Math.floor(setting.records / workload.producers) + (p < setting.records % workload.producers ? 1 : 0),
      );
      const tuningProps = kafkaProducerProps(setting.producer);
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
              ...tuningProps,
            ],
            600_000,
            bootstrap,
          ),
        ),
      );
      const summaries = runs.map((run) => {
        const out = run.stdout + run.stderr;
        if (run.code !== 0) throw new Error(`ProducerPerformance failed:\n${out}`);
        return parseProducerPerformance(out);
      });
      const { records, seconds } = combineProducerRuns(summaries);
      return {
        records,
        seconds,
        note: `ProducerPerformance (${tuningProps.length === 0 ? "Kafka's producer defaults: linger.ms=5, batch.size=16384" : tuningProps.join(', ')}${setting.acks === 'leader' ? '' : ', idempotent'}${setting.acks === 'durable' ? '; topic flush.messages=1' : ''}${workload.producers > 1 ? `; ${workload.producers} JVMs at once, records summed over the longest one's own time` : ''}); its own latency figures are send -> ack, not shown`,
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
        bootstrap,
      );
      const out = run.stdout + run.stderr;
      if (run.code !== 0) throw new Error(`ConsumerPerformance failed:\n${out}`);
      const { records, fetchMs } = parseConsumerPerformance(out);
      return {
        records,
        seconds: fetchMs / 1000,
        // fetch.time.ms runs from the assignment (the group join left out) to the last record: its
        // offset lookups, connections to the leaders and first fetch are inside, as in sluice's row.
        note: 'ConsumerPerformance, a group consumer: fetch.time.ms, from its assignment (group join left out) to the last record; ours assign partitions and resolve their offsets inside the time',
      };
    }
    case 'latency': {
      const run = await java(
        [
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
        bootstrap,
      );
      const out = run.stdout + run.stderr;
      if (run.code !== 0) throw new Error(`E2eRate.java failed:\n${out}`);
      const r = parseE2eRate(out);
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
          ...endToEndLatencyArgs(kafkaVersion(), bootstrap, topic, setting.records, acks, workload.recordBytes),
        ],
        600_000,
        bootstrap,
      );
      const out = run.stdout + run.stderr;
      if (run.code !== 0) throw new Error(`EndToEndLatency failed:\n${out}`);
      const { avgMs: avg, p50, p99, p999 } = parseEndToEndLatency(out);
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
          acks: spec.acks === 'leader' ? 1 : -1,
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
