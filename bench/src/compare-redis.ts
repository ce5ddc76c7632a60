/**
 * Redis Streams in the side-by-side bench: Debian's `redis-server`, a master and `replication - 1`
 * replicas on loopback, AOF with appendfsync everysec, data in /tmp. A topic of N partitions is N
 * stream keys `<topic>:<p>` on the master. Producers: the XADDs of one tick in one pipeline; with
 * acks=all the pipeline ends in `WAIT <replicas>` (every replica has them), with acks=leader it
 * does not. Consumer: XREAD BLOCK over all of its keys from the last id it saw.
 */
import { mkdirSync } from 'node:fs';
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

/** The few parts of ioredis (bench/peers/node_modules/ioredis) this driver uses. */
interface Pipeline {
  xadd(key: string, id: string, field: string, value: Buffer): Pipeline;
  call(command: string, ...args: (string | number)[]): Pipeline;
  exec(): Promise<[Error | null, unknown][] | null>;
}
interface Redis {
  readonly status: string;
  connect(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): this;
  info(section: string): Promise<string>;
  del(...keys: string[]): Promise<number>;
  pipeline(): Pipeline;
  xrevrange(key: string, end: string, start: string, count: 'COUNT', n: number): Promise<[string, string[]][]>;
  xreadBuffer(...args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
  disconnect(): void;
}
interface RedisOptions {
  host: string;
  port: number;
  lazyConnect?: boolean;
  maxRetriesPerRequest?: number;
  retryStrategy?: () => number;
}
const newRedis = (options: RedisOptions): Redis =>
  new (peerModule<{ Redis: new (options: RedisOptions) => Redis }>('ioredis').Redis)(options);

export async function ensureRedis(): Promise<void> {
  if (which('redis-server') === undefined)
    throw new Error(
      'redis: redis-server is not on PATH; run bench/peers/install-debian.sh as root (apt-get install -y redis-server)',
    );
  await ensurePeerNpm('ioredis');
}

export async function startRedis(baseDir: string, replication: number): Promise<RunningSystem> {
  await ensureRedis();
  const version = /v=(\S+)/.exec((await runTracked('redis-server', ['--version'], 10_000)).stdout)?.[1] ?? '?';
  const ports = await freePorts(Math.max(1, replication));
  const master = ports[0] as number;
  const children = ports.map((port, i) => {
    const dir = join(baseDir, `redis-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--protected-mode',
      'no',
      '--daemonize',
      'no',
      '--logfile',
      join(baseDir, `redis-${i + 1}.log`),
    ];
    if (i > 0) args.push('--replicaof', '127.0.0.1', String(master));
    return spawnTracked('redis-server', args, null);
  });
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((child) => stopChild(child, 'SIGTERM', 10_000)));
  };
  const admin = newRedis({
    host: '127.0.0.1',
    port: master,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 200,
  });
  admin.on('error', () => undefined); // refused until the master listens; waitFor retries
  try {
    await waitFor(
      `redis master with ${ports.length - 1} replicas online`,
      async () => {
        for (const child of children)
          if (child.exitCode !== null)
            throw new Error(`redis-server exited with ${child.exitCode}; see ${baseDir}/redis-*.log`);
        if (admin.status === 'wait') await admin.connect();
        const info = await admin.info('replication');
        return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === ports.length - 1;
      },
      60_000,
      200,
    );
  } catch (error) {
    admin.disconnect();
    await stop();
    throw error;
  }
  return {
    name: `Redis ${version}`,
    description: `Redis ${version}: 1 master + ${ports.length - 1} replicas (async replication; acks=all = WAIT ${ports.length - 1}), AOF everysec, a partition = a stream key`,
    connect: { port: String(master), replicas: String(ports.length - 1) },
    serverPids: () => children.map((child) => child.pid).filter((pid): pid is number => pid !== undefined),
    async createTopic(name, partitions) {
      await admin.del(...Array.from({ length: partitions }, (_, p) => `${name}:${p}`));
    },
    async stop() {
      admin.disconnect();
      await stop();
    },
  };
}

export const redisClients: LoadClients = {
  async producer(spec) {
    const redis = newRedis({ host: '127.0.0.1', port: Number(spec.connect.port) });
    const replicas = Number(spec.connect.replicas ?? 0);
    let batch: { key: string; value: Buffer; resolve: () => void; reject: (error: unknown) => void }[] = [];
    const flush = (): void => {
      const taken = batch;
      batch = [];
      const pipeline = redis.pipeline();
      for (const item of taken) pipeline.xadd(item.key, '*', 'v', item.value);
      const wait = spec.acks === 'all' && replicas > 0;
      if (wait) pipeline.call('WAIT', replicas, 10_000);
      pipeline.exec().then(
        (results) => {
          const waited = wait ? Number(results?.[results.length - 1]?.[1] ?? 0) : replicas;
          taken.forEach((item, i) => {
            const error = results?.[i]?.[0];
            if (error !== null && error !== undefined) item.reject(error);
            else if (wait && waited < replicas)
              item.reject(new Error(`WAIT reached ${waited} of ${replicas} replicas`));
            else item.resolve();
          });
        },
        (error: unknown) => taken.forEach((item) => item.reject(error)),
      );
    };
    return {
      send: (partition, value) =>
        new Promise<void>((resolve, reject) => {
          if (batch.length === 0) setImmediate(flush);
          batch.push({ key: `${spec.topic}:${partition}`, value, resolve, reject });
          if (batch.length >= 1000) flush();
        }),
      close: async () => {
        await redis.quit();
      },
    };
  },
  async consumer(spec, partitions, from) {
    const redis = newRedis({ host: '127.0.0.1', port: Number(spec.connect.port) });
    const keys = partitions.map((p) => `${spec.topic}:${p}`);
    const ids: string[] = [];
    for (const key of keys) {
      if (from === 'earliest') ids.push('0-0');
      else {
        const last = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
        ids.push(last[0]?.[0] ?? '0-0');
      }
    }
    return {
      poll: async () => {
        const reply = (await redis.xreadBuffer('COUNT', 1000, 'BLOCK', 100, 'STREAMS', ...keys, ...ids)) as
          [Buffer, [Buffer, Buffer[]][]][] | null;
        const values: Buffer[] = [];
        for (const [key, entries] of reply ?? []) {
          const k = keys.indexOf(key.toString());
          for (const [id, fields] of entries) {
            values.push(fields[1] ?? Buffer.alloc(0));
            ids[k] = id.toString();
          }
        }
        return values;
      },
      close: async () => {
        redis.disconnect();
      },
    };
  },
};
