/**
 * bench:tiering's many-partitions row: N partitions of a tiered topic, all led by one broker, read
 * cold from offset 0 by FETCHES_IN_FLIGHT fetchers (each Fetch carries several partitions, so the
 * broker serves the remote reads of one request in parallel: not Kafka's old one remote partition
 * per fetch; its GETs are bounded by remote.log.reader.threads over all fetches), against
 * N parallel GetObject loops over the same `.log` objects (one loop per partition, its objects in
 * order, as the consumer reads them). Only the remote part counts: each partition is read up to its
 * local log start.
 */
import { Producer } from '@sluice/client';
import type { LocalCluster } from '@sluice/local-cluster';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import { BATCH_LOG_OVERHEAD_BYTES, iterateBatches } from '@sluice/protocol';
import type { S3ObjectStore } from '@sluice/tiering';
import { MiB, mbPerSecond } from './measure';

export interface ManyPartitionsOptions {
  readonly partitions: number;
  readonly bytesPerPartition: number;
  /** The brokers' rsm.config.key.prefix. */
  readonly keyPrefix: string;
  readonly recordBytes: number;
}

export interface ManyPartitionsResult {
  readonly partitions: number;
  /** Fetch requests the reads took (each carrying its fetcher's partitions not yet read). */
  readonly fetchRequests: number;
  /** Bytes of record batches the fetches returned below the local log starts. */
  readonly consumedBytes: number;
  readonly consumerMbps: number;
  /** Bytes of the `.log` objects the raw loops read. */
  readonly rawBytes: number;
  readonly rawMbps: number;
}

const TOPIC = 'bench-many';
const WAIT_FOR_TIERING_MS = 600_000;
/** Fetch requests the consumer side keeps in flight (each for its share of the partitions). */
export const FETCHES_IN_FLIGHT = 4;

async function seconds(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function measureManyPartitionsColdRead(
  cluster: LocalCluster,
  store: S3ObjectStore,
  options: ManyPartitionsOptions,
): Promise<ManyPartitionsResult> {
  const { partitions, recordBytes } = options;
  const [leader, ...followers] = cluster.brokers.nodeIds;
  const replicas = [leader!, ...followers.slice(0, 2)];
  const assignments = Object.fromEntries(Array.from({ length: partitions }, (_, p) => [p, replicas]));
  const { topicId } = await cluster.admin.createTopic({
    name: TOPIC,
    assignments,
    configs: { 'remote.storage.enable': 'true', 'segment.bytes': String(MiB), 'local.retention.bytes': '0' },
  });
  const bootstrap = cluster.brokers.addresses();
  const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 256 * 1024 });
  const value = Buffer.alloc(recordBytes, 0x62);
  const perPartition = Math.floor(options.bytesPerPartition / recordBytes);
  try {
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < perPartition * partitions; i++) {
      inFlight.push(producer.send({ topic: TOPIC, partition: i % partitions, key: null, value }));
      if (inFlight.length >= 2000) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
  } finally {
    await producer.close();
  }

  // Wait until every partition is remote but for its last ~2 segments (copied, deleted locally).
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic: TOPIC, partition }));
  const tailRecords = Math.ceil((2 * MiB) / recordBytes) + 64;
  const deadline = Date.now() + WAIT_FOR_TIERING_MS;
  let localStarts: number[] = [];
  for (;;) {
    const local = await cluster.admin.listOffsets(tps, 'earliest-local');
    localStarts = [...local.values()].map((o) => o.offset);
    if (localStarts.every((start) => start >= perPartition - tailRecords)) break;
    if (Date.now() > deadline) throw new Error(`${TOPIC} not tiered within ${WAIT_FOR_TIERING_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  // The consumer side: FETCHES_IN_FLIGHT fetchers, each owning a share of the partitions (p mod
  // FETCHES_IN_FLIGHT), each sending one Fetch at a time to the leader for its partitions not yet
  // past their local log start, from offset 0, up to 1 MiB per partition: a bounded number of
  // requests in flight, as consumers with prefetch keep, so one slow partition holds back only its
  // own share. Only batch headers are read (as a consumer's fetcher does before handing records
  // out), so this measures what the broker serves, not the SDK's record decoding. The bytes are
  // the batches: the objects' own bytes.
  const client = createGrpcClient('Broker', cluster.brokers.address(leader!));
  let consumedBytes = 0;
  let fetchRequests = 0;
  const fetcher = async (share: number): Promise<void> => {
    const next = new Map(tps.filter((tp) => tp.partition % FETCHES_IN_FLIGHT === share).map((tp) => [tp.partition, 0]));
    while (next.size > 0) {
      const answer = await unaryCall(
        client,
        'Fetch',
        {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: next.size * MiB,
          topics: [
            {
              name: TOPIC,
              partitions: [...next].map(([partition, fetchOffset]) => ({
                partition,
                fetchOffset,
                partitionMaxBytes: MiB,
              })),
            },
          ],
        },
        { timeoutMs: 120_000 },
      );
      fetchRequests++;
      for (const p of answer.topics[0]!.partitions) {
        if (p.errorName !== '') throw new Error(`fetch of ${TOPIC}-${p.partition}: ${p.errorName} ${p.errorMessage}`);
        for (const view of iterateBatches(p.records)) {
          if (view.baseOffset < next.get(p.partition)!) continue;
          consumedBytes += BATCH_LOG_OVERHEAD_BYTES + view.batchLength;
          next.set(p.partition, view.nextOffset);
        }
        if (next.get(p.partition)! >= localStarts[p.partition]!) next.delete(p.partition);
      }
    }
  };
  try {
    const consumerSeconds = await seconds(async () => {
      await Promise.all(Array.from({ length: FETCHES_IN_FLIGHT }, (_, share) => fetcher(share)));
    });
    // Raw: the same partitions' .log objects, one GetObject loop per partition, all at once.
    const objects = (await store.list(`${options.keyPrefix}${TOPIC}-${topicId}/`)).filter((o) =>
      o.key.endsWith('.log'),
    );
    const byPartition = new Map<number, string[]>();
    for (const object of objects) {
      const partition = Number(object.key.split('/').at(-2));
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), object.key]);
    }
    let rawBytes = 0;
    const rawSeconds = await seconds(async () => {
      await Promise.all(
        [...byPartition.values()].map(async (keys) => {
          for (const key of keys.sort()) {
            const object = await store.get(key);
            rawBytes += object.length;
          }
        }),
      );
    });
    return {
      partitions,
      fetchRequests,
      consumedBytes,
      consumerMbps: mbPerSecond(consumedBytes, consumerSeconds),
      rawBytes,
      rawMbps: mbPerSecond(rawBytes, rawSeconds),
    };
  } finally {
    client.close();
  }
}
