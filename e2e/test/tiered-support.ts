/**
 * What the tiered-storage e2e tests share: the brokers' tiering settings against a MinIO, the
 * tiered topic's configs, deterministic record values a checker recomputes, raw idempotent
 * batches with a fixed producer id (so a test can send the exact retry of an old batch), and
 * small reads of a partition's state (local segments on disk, ListOffsets, OffsetForLeaderEpoch,
 * its replayed remote-log metadata and the records of its remote segments, broker metrics).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, Producer, type Admin, type OffsetSpec } from '../../packages/client/src';
import { type ExitCode, runCli } from '@sluice/cli';
import type { LocalCluster, Settings } from '@sluice/local-cluster';
import { CompressionType, decodeRecordBatches, encodeRecordBatch } from '../../packages/protocol/src';
import {
  parseClusterTieringConfig,
  remoteObjectKey,
  RemotePartitionState,
  S3ObjectStore,
  type ObjectStore,
  type TopicRemoteLogMetadataLog,
} from '../../packages/tiering/src';
import { createGrpcClient, unaryCall } from '../../packages/proto/src';
import { MINIO_PASSWORD, MINIO_USER, startMinio, type RunningMinio } from '../../test-support/minio';
import { startSluice } from './local-sluice';

export const VALUE_BYTES = 1024;
export const TIERED_BUCKET = 'sluice-e2e';
export const TIERED_PREFIX = 'e2e/';
/** 1 MiB segments (Kafka 4's minimum), everything rolled and copied leaves the disks. */
export const TIERED_TOPIC_CONFIGS = {
  'remote.storage.enable': 'true',
  'segment.bytes': '1048576',
  'local.retention.bytes': '0',
};
export const IDEMPOTENT_RECORDS_PER_BATCH = 3;

/** The brokers' cluster settings for tiered storage against the MinIO at `endpointUrl`. */
export function tieringBrokerConfig(
  endpointUrl: string,
  place: { readonly bucket: string; readonly prefix: string } = { bucket: TIERED_BUCKET, prefix: TIERED_PREFIX },
): Record<string, string> {
  return {
    'remote.log.storage.system.enable': 'true',
    'remote.log.manager.task.interval.ms': '500',
    'remote.log.metadata.topic.num.partitions': '3',
    'rsm.config.storage.s3.endpoint.url': endpointUrl,
    'rsm.config.storage.s3.region': 'us-east-1',
    'rsm.config.storage.s3.bucket.name': place.bucket,
    'rsm.config.storage.s3.path.style.access.enabled': 'true',
    'rsm.config.storage.aws.access.key.id': MINIO_USER,
    'rsm.config.storage.aws.secret.access.key': MINIO_PASSWORD,
    'rsm.config.key.prefix': place.prefix,
    'rsm.config.fetch.chunk.size': '262144',
    'rsm.config.fetch.chunk.cache.size': '8388608',
  };
}

/** Deterministic content: the checker recomputes each record's value from its sequence number. */
export function valueFor(seq: number): Buffer {
  const value = Buffer.alloc(VALUE_BYTES);
  for (let i = 0; i < VALUE_BYTES; i += 4) value.writeUInt32BE((seq * 2654435761 + i) >>> 0, i);
  return value;
}

/** A key's value in round `round` of a keyed workload: distinct per key and round, so a stale one read back is a mismatch. */
export function keyedValueFor(key: number, round: number): Buffer {
  const value = Buffer.alloc(VALUE_BYTES);
  for (let i = 0; i < VALUE_BYTES; i += 4) value.writeUInt32BE(((key * 40503 + round) * 2654435761 + i) >>> 0, i);
  return value;
}

/** MinIO and a cluster (one controller, three brokers) tiering into it, with an S3 client of the test's own. */
export interface TieredCluster {
  readonly minio: RunningMinio;
  readonly cluster: LocalCluster;
  readonly store: S3ObjectStore;
  /** The brokers' tiering settings (for `tieringScrub`). */
  readonly tiering: Record<string, string>;
}

/**
 * Starts MinIO and the cluster for a compacted tiered topic's test: the brokers tier into
 * `place` with `tiering` on top of `tieringBrokerConfig`, their cleaner and retention checks run
 * every second or less.
 */
export async function startCompactedTieredCluster(options: {
  readonly name: string;
  readonly place: { readonly bucket: string; readonly prefix: string };
  readonly tiering: Readonly<Record<string, string>>;
  readonly controllerConfig?: Settings;
}): Promise<TieredCluster> {
  const minio = await startMinio();
  const tiering = { ...tieringBrokerConfig(minio.endpointUrl, options.place), ...options.tiering };
  const cluster = await startSluice({
    name: options.name,
    brokerConfig: { ...tiering, 'log.retention.check.interval.ms': 1000, 'log.cleaner.backoff.ms': 500 },
    ...(options.controllerConfig === undefined ? {} : { controllerConfig: options.controllerConfig }),
  });
  return { minio, cluster, store: new S3ObjectStore(parseClusterTieringConfig(tiering).s3!), tiering };
}

/** Stops what `startCompactedTieredCluster` started (what of it there is). */
export async function stopTieredCluster(started: TieredCluster | undefined): Promise<void> {
  started?.store.destroy();
  await started?.cluster.stop({ removeBaseDir: true });
  await started?.minio.destroy();
}

/** The `.log` files of a partition in a broker's data directory ([] when it has none). */
export function localSegments(dataDir: string, topic: string, partition: number): string[] {
  try {
    return readdirSync(join(dataDir, `${topic}-${partition}`)).filter((name) => name.endsWith('.log'));
  } catch {
    return [];
  }
}

/** `sluice tiering scrub` against the cluster's controllers with the brokers' tiering `settings`. */
export function tieringScrub(
  controllerAddresses: readonly string[],
  settings: Readonly<Record<string, string>>,
  ...flags: string[]
): Promise<{ code: ExitCode; out: string; err: string }> {
  return sluiceCli(
    'tiering',
    'scrub',
    ...flags,
    '--bootstrap',
    controllerAddresses.join(','),
    ...Object.entries(settings).flatMap(([key, value]) => ['--config', `${key}=${value}`]),
  );
}

/** The sum of a broker metric's samples whose labels contain `labels`, over the running brokers. */
export async function brokerMetricSum(cluster: LocalCluster, name: string, labels: string): Promise<number> {
  let sum = 0;
  for (const nodeId of cluster.brokers.running()) {
    const text = await (await fetch(`http://${cluster.brokers.metricsAddress(nodeId)}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

/** Partition 0's remote-log metadata of topic `topicId`, replayed now. */
export async function replayRemoteState(
  metadataLog: TopicRemoteLogMetadataLog,
  topicId: string,
): Promise<RemotePartitionState> {
  const state = new RemotePartitionState(topicId, 0);
  for (const record of await metadataLog.replay(topicId, 0)) state.apply(record);
  return state;
}

/** The keyed records of the readable remote segments in `state`, in offset order. */
export async function remoteRecords(
  store: ObjectStore,
  keyPrefix: string,
  state: RemotePartitionState,
): Promise<Array<{ offset: number; key: string; value: Buffer | null }>> {
  const out: Array<{ offset: number; key: string; value: Buffer | null }> = [];
  for (const segment of state.copied()) {
    // The segment's bytes only: the indexes bundle follows them in the object (uploads of now).
    const bytes = await store.getRange(remoteObjectKey(keyPrefix, segment, 'log'), 0, segment.segmentSizeBytes);
    for (const batch of decodeRecordBatches(bytes))
      for (const r of batch.records) out.push({ offset: r.offset, key: r.key!.toString(), value: r.value });
  }
  return out;
}

export async function sluiceCli(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

/** Sends `count` records (seq from `firstSeq`, key = seq) to partition 0 of `topic`; all acknowledged. */
export async function produceValues(
  bootstrap: readonly string[],
  topic: string,
  firstSeq: number,
  count: number,
): Promise<void> {
  const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 256 * 1024 });
  try {
    const inFlight: Promise<unknown>[] = [];
    for (let seq = firstSeq; seq < firstSeq + count; seq++) {
      inFlight.push(producer.send({ topic, partition: 0, key: String(seq), value: valueFor(seq) }));
      if (inFlight.length >= 2000) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
  } finally {
    await producer.close();
  }
}

/** An idempotent batch of producer `producerId`, epoch 0: values `idem-<seq>` from `baseSequence`. */
export function idempotentBatch(producerId: number, baseSequence: number): Buffer {
  return encodeRecordBatch({
    compression: CompressionType.None,
    producerId,
    producerEpoch: 0,
    baseSequence,
    records: Array.from({ length: IDEMPOTENT_RECORDS_PER_BATCH }, (_, i) => ({
      key: null,
      value: Buffer.from(`idem-${baseSequence + i}`),
      timestamp: Date.now(),
    })),
  });
}

/** One raw Produce of `records` to partition 0 of `topic` on the broker at `address`. */
export async function produceRaw(
  address: string,
  topic: string,
  records: Buffer,
  acks: number,
): Promise<{ errorName: string; baseOffset: number | string | bigint }> {
  const client = createGrpcClient('Broker', address);
  try {
    const answer = await unaryCall(
      client,
      'Produce',
      { acks, timeoutMs: 10_000, topics: [{ name: topic, partitions: [{ partition: 0, records }] }] },
      { timeoutMs: 30_000 },
    );
    return answer.topics[0]!.partitions[0]!;
  } finally {
    client.close();
  }
}

/** ListOffsets of partition 0 of `topic`. */
export async function listOffset(admin: Admin, topic: string, spec: OffsetSpec): Promise<number> {
  return [...(await admin.listOffsets([{ topic, partition: 0 }], spec)).values()][0]!.offset;
}

/** OffsetForLeaderEpoch of partition 0 for each epoch, as [errorName, leaderEpoch, endOffset]. */
export async function epochEndOffsets(
  address: string,
  topic: string,
  epochs: readonly number[],
): Promise<[string, number, number][]> {
  const client = createGrpcClient('Broker', address);
  try {
    const answer = await unaryCall(
      client,
      'OffsetForLeaderEpoch',
      {
        replicaId: -1,
        topics: [
          {
            name: topic,
            partitions: epochs.map((leaderEpoch) => ({ partition: 0, currentLeaderEpoch: -1, leaderEpoch })),
          },
        ],
      },
      { timeoutMs: 10_000 },
    );
    return answer.topics[0]!.partitions.map((p) => [p.errorName, p.leaderEpoch, Number(p.endOffset)]);
  } finally {
    client.close();
  }
}

/**
 * Reads partition 0 of `topic` from offset 0 up to `endOffset` and counts the records whose offset
 * is not the next one or whose value is not `expectedValue(offset)` (0 expected).
 */
export async function readPartitionFromZero(
  bootstrap: readonly string[],
  topic: string,
  endOffset: number,
  expectedValue: (offset: number) => Buffer,
  timeoutMs = 120_000,
): Promise<{ nextOffset: number; mismatches: number }> {
  const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest', maxPartitionFetchBytes: 1024 * 1024 });
  let nextOffset = 0;
  let mismatches = 0;
  try {
    consumer.assign([{ topic, partition: 0 }]);
    consumer.seekToBeginning([{ topic, partition: 0 }]);
    const deadline = Date.now() + timeoutMs;
    while (nextOffset < endOffset && Date.now() < deadline) {
      for (const record of await consumer.poll(1000)) {
        if (record.offset !== nextOffset) mismatches++;
        if (!record.value!.equals(expectedValue(record.offset))) mismatches++;
        nextOffset = record.offset + 1;
      }
    }
  } finally {
    await consumer.close();
  }
  return { nextOffset, mismatches };
}
