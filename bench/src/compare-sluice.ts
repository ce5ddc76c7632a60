/**
 * sluice in the side-by-side bench: 3 controllers and 3 brokers as real processes on loopback
 * (LocalCluster), data under the run's directory in /tmp; topics through `Admin`; records through
 * `Producer` and `Consumer` of @sluice/client.
 * SLUICE_COMPARE_CPU_PROFILE=<dir> starts the brokers with the V8 profiler (cpu-profile-hook).
 */
import { Consumer, Producer } from '@sluice/client';
import { LocalCluster, waitFor } from '@sluice/local-cluster';
import type { LoadClients } from './compare-load';
import { cpuProfileEnv } from './cpu-profile-env';
import type { RunningSystem } from './compare-procs';

/**
 * `tracing`: OpenTelemetry on in every broker and in the load process's clients, with this OTEL_*
 * environment (the tracing rows); absent: off, as a cluster runs by default.
 */
export async function startSluice(
  baseDir: string,
  replication: number,
  tracing?: { readonly percent: number; readonly env: Readonly<Record<string, string>> },
): Promise<RunningSystem> {
  const cluster = await LocalCluster.start(
    {
      baseDir,
      roles: {
        controller: { count: 3 },
        broker: {
          config: { 'min.insync.replicas': Math.min(2, replication) },
          env: { ...cpuProfileEnv(process.env.SLUICE_COMPARE_CPU_PROFILE), ...tracing?.env },
        },
        coordinator: { count: 0 },
      },
    },
    { brokersTimeoutMs: 60_000 },
  );
  const admin = cluster.admin;
  return {
    name: tracing === undefined ? 'sluice' : `sluice tracing ${tracing.percent}%`,
    description:
      tracing === undefined
        ? '3 controllers + 3 brokers (node processes), min.insync.replicas=2, data in /tmp'
        : `sluice tracing ${tracing.percent}%: the same cluster with OpenTelemetry in the brokers and clients (parentbased_traceidratio ${tracing.percent / 100}, OTLP http/protobuf to a discarding sink in the bench process)`,
    ...(tracing === undefined ? {} : { clientEnv: tracing.env }),
    connect: { bootstrap: cluster.brokers.addresses().join(',') },
    serverPids: () => cluster.processes().map((running) => running.pid),
    async createTopic(name, partitions, rf, options) {
      const created = await admin.createTopic({
        name,
        numPartitions: partitions,
        replicationFactor: rf,
        configs: options?.durable === true ? { 'durable.acks.enable': 'true' } : {},
      });
      // Names are new in every run: TOPIC_ALREADY_EXISTS means a retried CreateTopics whose first
      // attempt went through (seen on a loaded machine).
      if (created.error !== undefined && created.error.errorName !== 'TOPIC_ALREADY_EXISTS') throw created.error;
      await waitFor(
        `${name}: every partition led with a full ISR`,
        async () => {
          const topic = await admin.describeTopic(name);
          return (
            topic.partitions.length === partitions &&
            topic.partitions.every((p) => p.leader >= 0 && p.isr.length === rf)
          );
        },
        60_000,
        200,
      );
    },
    // SIGTERM first: profiled brokers write their profiles on a clean exit.
    stop: () => cluster.stop(),
  };
}

export const sluiceClients: LoadClients = {
  async producer(spec) {
    const producer = new Producer({
      bootstrap: spec.connect.bootstrap ?? '',
      acks: spec.acks === 'leader' ? 1 : 'all',
    });
    return {
      send: async (partition, value) => {
        await producer.send({ topic: spec.topic, partition, value });
      },
      close: () => producer.close(),
    };
  },
  async consumer(spec, partitions, from) {
    const consumer = new Consumer({ bootstrap: spec.connect.bootstrap ?? '', autoOffsetReset: from });
    const assignment = partitions.map((partition) => ({ topic: spec.topic, partition }));
    consumer.assign(assignment);
    if (from === 'latest') consumer.seekToEnd(assignment);
    else consumer.seekToBeginning(assignment);
    for (const tp of assignment) await consumer.position(tp);
    return {
      poll: async () => (await consumer.poll(100)).map((record) => record.value ?? Buffer.alloc(0)),
      close: async () => consumer.close(),
    };
  },
};
