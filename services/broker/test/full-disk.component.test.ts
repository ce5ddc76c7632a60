/**
 * A full disk through the log's file layer, where no filesystem can be mounted (the e2e
 * full-disk test mounts a real tmpfs; this variant runs anywhere): one controller process and
 * three in-process brokers; broker 3's `LogFiles` refuses with ENOSPC, while the test says its
 * disk is full, every operation that needs new space or makes data durable (create, fsync,
 * rename, cut). Its high-watermark checkpoint (every 100 ms here) is the first to hit it.
 *
 * Broker 3 takes its log directory offline (KAFKA_STORAGE_ERROR for its replicas), tells the
 * controller, is fenced and moved off; producing goes on at brokers 1 and 2. Then space returns
 * and broker 3 restarts on the same directory: it recovers, catches up, rejoins every ISR, and
 * every replica holds the same records, every acknowledged one among them.
 */
import { nodeLogFiles, type LogFiles } from '@sluice/log';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import type { ControllerClient } from '@sluice/controller';
import type { BrokerNode } from '../src/node/broker-node';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(60_000);

const TOPIC = 'disk';
const PARTITIONS = 3;

/** node:fs, but "no space left on device" for everything that needs space or durability while `full`. */
class FullDiskFiles implements LogFiles {
  full = false;
  refusals = 0;

  private check(path: string): void {
    if (!this.full) return;
    this.refusals++;
    throw Object.assign(new Error(`ENOSPC: no space left on device, ${path}`), { code: 'ENOSPC' });
  }

  create(path: string, mode: 'w' | 'w+'): number {
    this.check(path);
    return nodeLogFiles.create(path, mode);
  }
  sync(fd: number, path: string): void {
    this.check(path);
    nodeLogFiles.sync(fd, path);
  }
  async syncAsync(path: string): Promise<void> {
    this.check(path);
    await nodeLogFiles.syncAsync(path);
  }
  syncDirectory(dir: string): void {
    this.check(dir);
    nodeLogFiles.syncDirectory(dir);
  }
  async syncDirectoryAsync(dir: string): Promise<void> {
    this.check(dir);
    await nodeLogFiles.syncDirectoryAsync(dir);
  }
  truncate(fd: number, path: string, sizeBytes: number): void {
    this.check(path);
    nodeLogFiles.truncate(fd, path, sizeBytes);
  }
  rename(from: string, to: string): void {
    this.check(to);
    nodeLogFiles.rename(from, to);
  }
  remove(path: string): void {
    nodeLogFiles.remove(path);
  }
}

describe('a full disk through the file layer (three in-process brokers)', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers = new Map<number, BrokerNode>();
  const clients = new BrokerClients();
  const disk = new FullDiskFiles();

  const startBroker = async (nodeId: number, files?: LogFiles): Promise<void> => {
    brokers.set(
      nodeId,
      await startLocalBroker(cluster, nodeId, {
        minInsyncReplicas: 2,
        durability: { highWatermarkCheckpointIntervalMs: 100, ...(files === undefined ? {} : { files }) },
      }),
    );
  };

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('full-disk-files', { 'broker.session.timeout.ms': 3_000 }));
    await startBroker(1);
    await startBroker(2);
    await startBroker(3, disk);
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3]);
    const created = await controller.call('CreateTopics', {
      topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: {} }],
    });
    expect(created.topics[0]?.errorName).toBe('');
  });

  afterAll(async () => {
    clients.close();
    await Promise.all([...brokers.values()].map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  const partitions = async () => (await controller.call('DescribeTopics', { names: [TOPIC] })).topics[0]!.partitions;

  /** Produces `count` records to every partition's current leader (acks=all); the values acknowledged. */
  let next = 0;
  const acked: { partition: number; offset: number; first: number; count: number }[] = [];
  async function produceRound(count: number): Promise<void> {
    for (const p of await partitions()) {
      const leader = brokers.get(p.leader);
      if (leader === undefined) continue;
      const first = next;
      next += count;
      const result = await clients.produce(leader, TOPIC, p.partition, batch(first, count));
      if (result.errorName === '')
        acked.push({ partition: p.partition, offset: Number(result.baseOffset), first, count });
    }
  }

  it('takes the directory offline on ENOSPC, moves everything off, and converges after a restart', async () => {
    await waitFor(
      'every partition led, full ISRs',
      async () => (await partitions()).every((p) => p.leader > 0 && p.isr.length === 3),
      10_000,
    );
    for (let round = 0; round < 5; round++) await produceRound(20);
    expect(acked).toHaveLength(5 * PARTITIONS);

    disk.full = true;
    await waitFor(
      'broker 3 fenced and moved off',
      async () =>
        (await partitions()).every((p) => p.leader !== 3 && p.leader > 0 && !p.isr.includes(3)) &&
        (await controller.call('DescribeCluster', {})).brokers.find((b) => b.brokerId === 3)?.fenced === true,
      15_000,
    );
    expect(disk.refusals).toBeGreaterThan(0);
    const full = brokers.get(3)!;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      expect((await clients.produce(full, TOPIC, partition, batch(10_000_000, 1), 1)).errorName).toBe(
        'KAFKA_STORAGE_ERROR',
      );
      expect((await clients.fetch(full, TOPIC, partition, 0)).errorName).toBe('KAFKA_STORAGE_ERROR');
    }
    const beforeRestart = acked.length;
    for (let round = 0; round < 5; round++) await produceRound(20);
    expect(acked.length).toBe(beforeRestart + 5 * PARTITIONS);

    // Space returns; broker 3 restarts on the same directory.
    await full.stop(false);
    disk.full = false;
    await startBroker(3);
    await waitFor(
      'broker 3 back in every ISR',
      async () => (await partitions()).every((p) => p.leader > 0 && p.isr.length === 3),
      30_000,
    );
    for (let round = 0; round < 3; round++) await produceRound(20);

    // Every acknowledged batch is at its offset on every replica, and the replicas are equal.
    await waitFor(
      'every replica at the same log end',
      () =>
        [0, 1, 2].every((partition) => {
          const ends = [1, 2, 3].map((id) => brokers.get(id)!.replica(TOPIC, partition)?.log.logEndOffset);
          return ends.every((end) => end === ends[0]);
        }),
      10_000,
    );
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const contents = [1, 2, 3].map((id) => {
        const log = brokers.get(id)!.replica(TOPIC, partition)!.log;
        const read = log.read(0, 64 * 1024 * 1024);
        return Buffer.from(read.records);
      });
      for (const other of contents.slice(1)) expect(other.equals(contents[0]!)).toBe(true);
      const leader = brokers.get((await partitions())[partition]!.leader)!;
      for (const entry of acked.filter((a) => a.partition === partition)) {
        const fetched = await clients.fetch(leader, TOPIC, partition, entry.offset);
        expect(fetched.errorName).toBe('');
        expect(fetched.records.includes(Buffer.from(`value-${entry.first}`))).toBe(true);
      }
    }
  });
});
