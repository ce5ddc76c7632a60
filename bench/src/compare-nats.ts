/**
 * NATS JetStream in the side-by-side bench: three `nats-server -js` nodes (Debian's package) in
 * one cluster on loopback, file storage in /tmp. A topic of N partitions is N streams of
 * `replication` replicas (each stream one Raft group with its own leader, as a partition is),
 * subject `<topic>.<p>`. Producers: js.publish, which resolves with the PubAck once the stream's
 * quorum stored the message (there is no leader-only ack). Consumers: one push ordered (ack-less)
 * consumer per stream, started at the stream's next sequence or its first.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts, waitFor } from '@sluice/local-cluster';
import type { LoadClients } from './compare-load';
import {
  ensurePeerNpm,
  peerModule,
  runTracked,
  spawnTracked,
  stopChild,
  which,
  type RunningSystem,
} from './compare-procs';

/** The few parts of nats.js 2.x (bench/peers/node_modules/nats) this driver uses. */
interface StreamInfo {
  readonly cluster?: { readonly leader?: string; readonly replicas?: readonly { readonly current: boolean }[] };
  readonly state: { readonly last_seq: number };
}
interface JetStreamManager {
  getAccountInfo(): Promise<unknown>;
  readonly streams: {
    add(config: { name: string; subjects: string[]; num_replicas: number; storage: string }): Promise<StreamInfo>;
    info(name: string): Promise<StreamInfo>;
  };
}
interface JetStreamSubscription extends AsyncIterable<{ readonly data: Uint8Array }> {
  unsubscribe(): void;
}
interface ConsumerOptsBuilder {
  orderedConsumer(): void;
  deliverAll(): void;
  startSequence(sequence: number): void;
}
interface JetStreamClient {
  publish(subject: string, data: Uint8Array): Promise<unknown>;
  subscribe(subject: string, options: ConsumerOptsBuilder): Promise<JetStreamSubscription>;
}
interface NatsConnection {
  jetstreamManager(): Promise<JetStreamManager>;
  jetstream(options?: { timeout?: number }): JetStreamClient;
  close(): Promise<void>;
  drain(): Promise<void>;
}
interface NatsModule {
  connect(options: { servers: string[]; timeout?: number }): Promise<NatsConnection>;
  consumerOpts(): ConsumerOptsBuilder;
}
const nats = (): NatsModule => peerModule<NatsModule>('nats');

export async function ensureNats(): Promise<void> {
  if (which('nats-server') === undefined)
    throw new Error(
      'nats: nats-server is not on PATH; run bench/peers/install-debian.sh as root (apt-get install -y nats-server)',
    );
  await ensurePeerNpm('nats');
}

export async function startNats(baseDir: string, replication: number): Promise<RunningSystem> {
  await ensureNats();
  const version = (await runTracked('nats-server', ['--version'], 10_000)).stdout.trim();
  const ports = await freePorts(6);
  const clientPorts = ports.slice(0, 3);
  const routePorts = ports.slice(3);
  const children = [1, 2, 3].map((id) => {
    const dir = join(baseDir, `nats-${id}`);
    mkdirSync(dir, { recursive: true });
    const config = join(baseDir, `nats-${id}.conf`);
    writeFileSync(
      config,
      [
        `server_name: n${id}`,
        `listen: 127.0.0.1:${clientPorts[id - 1]}`,
        `jetstream { store_dir: "${dir}" }`,
        `cluster { name: sluice-compare, listen: 127.0.0.1:${routePorts[id - 1]}, routes: [${routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}] }`,
        '',
      ].join('\n'),
    );
    return spawnTracked('nats-server', ['-js', '-c', config], join(baseDir, `nats-${id}.out`));
  });
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopChild(child, 'SIGTERM', 10_000)));
  };
  const servers = clientPorts.map((port) => `127.0.0.1:${port}`);
  let nc: NatsConnection | undefined;
  try {
    await waitFor(
      'NATS JetStream cluster with a meta leader',
      async () => {
        for (const child of children)
          if (child.exitCode !== null)
            throw new Error(`nats-server exited with ${child.exitCode}; see ${baseDir}/nats-*.out`);
        nc ??= await nats().connect({ servers, timeout: 2_000 });
        const jsm = await nc.jetstreamManager();
        await jsm.getAccountInfo();
        return true;
      },
      60_000,
      300,
    );
  } catch (error) {
    await nc?.close();
    await stop();
    throw error;
  }
  const conn = nc as NatsConnection;
  return {
    name: `NATS ${version.replace(/^nats-server:\s*/, '')}`,
    description: `${version}: 3 clustered nodes with JetStream, file storage (default sync: the OS's page cache, fsync every 2 min), a partition = a stream of R${replication}`,
    connect: { servers: servers.join(',') },
    serverPids: () => children.map((child) => child.pid).filter((pid): pid is number => pid !== undefined),
    async createTopic(name, partitions, rf) {
      const jsm = await conn.jetstreamManager();
      for (let p = 0; p < partitions; p++) {
        await jsm.streams.add({ name: `${name}-${p}`, subjects: [`${name}.${p}`], num_replicas: rf, storage: 'file' });
      }
      await waitFor(
        `${name}: every stream has a leader and ${rf} replicas current`,
        async () => {
          for (let p = 0; p < partitions; p++) {
            const info = await jsm.streams.info(`${name}-${p}`);
            if (info.cluster?.leader === undefined || info.cluster.leader === '') return false;
            if ((info.cluster.replicas ?? []).filter((r) => r.current).length < rf - 1) return false;
          }
          return true;
        },
        60_000,
        200,
      );
    },
    async stop() {
      await conn.close().catch(() => undefined);
      await stop();
    },
  };
}

export const natsClients: LoadClients = {
  async producer(spec) {
    if (spec.acks !== 'all')
      throw new Error(
        'nats: JetStream acknowledges after the stream quorum stored a message; there is no leader-only ack',
      );
    const nc = await nats().connect({ servers: (spec.connect.servers ?? '').split(',') });
    const js = nc.jetstream({ timeout: 30_000 });
    return {
      send: async (partition, value) => {
        await js.publish(`${spec.topic}.${partition}`, value);
      },
      close: () => nc.drain(),
    };
  },
  async consumer(spec, partitions, from) {
    const nc = await nats().connect({ servers: (spec.connect.servers ?? '').split(',') });
    const js = nc.jetstream();
    const jsm = await nc.jetstreamManager();
    const queue: Buffer[] = [];
    let wake: (() => void) | undefined;
    const subscriptions: JetStreamSubscription[] = [];
    for (const p of partitions) {
      // The push ordered consumer: nats.js's newer js.consumers API waits forever on 2.9 servers.
      const options = nats().consumerOpts();
      options.orderedConsumer();
      if (from === 'earliest') options.deliverAll();
      else options.startSequence((await jsm.streams.info(`${spec.topic}-${p}`)).state.last_seq + 1);
      const subscription = await js.subscribe(`${spec.topic}.${p}`, options);
      subscriptions.push(subscription);
      void (async () => {
        for await (const message of subscription) {
          queue.push(Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
          wake?.();
        }
      })();
    }
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
      close: async () => {
        for (const subscription of subscriptions) subscription.unsubscribe();
        await nc.close();
      },
    };
  },
};
