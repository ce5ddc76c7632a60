/**
 * sluice in the side-by-side bench: 3 controllers (LocalControllerCluster) and 3 brokers
 * (LocalBrokerCluster) as real processes on loopback, data under the run's directory in /tmp;
 * topics through `Admin`; records through `Producer` and `Consumer` of @sluice/client.
 * SLUICE_COMPARE_CPU_PROFILE=<dir> starts the brokers with the V8 profiler (cpu-profile-hook).
 */
import { join } from 'node:path';
import { LocalBrokerCluster } from '@sluice/broker';
import { Admin, Consumer, Producer } from '@sluice/client';
import { LocalControllerCluster } from '@sluice/controller';
import type { LoadClients } from './compare-load';
import { waitFor, type RunningSystem } from './compare-procs';

export async function startSluice(baseDir: string, replication: number): Promise<RunningSystem> {
  const controllers = await LocalControllerCluster.create({ baseDir, nodeCount: 3 });
  let brokers: LocalBrokerCluster | undefined;
  let admin: Admin | undefined;
  const stop = async (): Promise<void> => {
    admin?.close();
    // SIGTERM first: profiled brokers write their profiles on a clean exit.
    await brokers?.stopAll(10_000);
    await controllers.stopAll(10_000);
  };
  try {
    controllers.startAll();
    admin = new Admin({ bootstrap: controllers.addresses(), timeoutMs: 15_000 });
    brokers = await LocalBrokerCluster.create({
      baseDir,
      clusterId: controllers.clusterId,
      controllerVoters: controllers.nodeIds.map((id) => `${id}@${controllers.address(id)}`).join(','),
      config: { 'min.insync.replicas': Math.min(2, replication) },
    });
    const profileDir = process.env.SLUICE_COMPARE_CPU_PROFILE;
    const savedOptions = process.env.NODE_OPTIONS;
    if (profileDir !== undefined && profileDir !== '') {
      // Node refuses --cpu-prof in NODE_OPTIONS; the preloaded hook runs the profiler instead.
      process.env.NODE_OPTIONS = `${savedOptions ?? ''} --require ${join(__dirname, 'cpu-profile-hook.js')}`.trim();
      process.env.SLUICE_BENCH_CPU_PROFILE_DIR = profileDir;
    }
    brokers.startAll();
    if (savedOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = savedOptions;
    const theAdmin = admin;
    await waitFor(
      'three unfenced sluice brokers',
      async () => (await theAdmin.describeCluster()).brokers.filter((b) => !b.fenced).length === 3,
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const theBrokers = brokers;
  const theAdmin = admin;
  return {
    name: 'sluice',
    description: '3 controllers + 3 brokers (node processes), min.insync.replicas=2, data in /tmp',
    connect: { bootstrap: theBrokers.addresses().join(',') },
    serverPids: () =>
      [
        ...controllers.nodeIds.map((id) => controllers.pid(id)),
        ...theBrokers.brokerIds.map((id) => theBrokers.pid(id)),
      ].filter((pid): pid is number => pid !== undefined),
    async createTopic(name, partitions, rf) {
      const created = await theAdmin.createTopic({ name, numPartitions: partitions, replicationFactor: rf });
      // Names are new in every run: TOPIC_ALREADY_EXISTS means a retried CreateTopics whose first
      // attempt went through (seen on a loaded machine).
      if (created.error !== undefined && created.error.errorName !== 'TOPIC_ALREADY_EXISTS') throw created.error;
      await waitFor(
        `${name}: every partition led with a full ISR`,
        async () => {
          const topic = await theAdmin.describeTopic(name);
          return (
            topic.partitions.length === partitions &&
            topic.partitions.every((p) => p.leader >= 0 && p.isr.length === rf)
          );
        },
        60_000,
      );
    },
    stop,
  };
}

export const sluiceClients: LoadClients = {
  async producer(spec) {
    const producer = new Producer({ bootstrap: spec.connect.bootstrap ?? '', acks: spec.acks === 'all' ? 'all' : 1 });
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
