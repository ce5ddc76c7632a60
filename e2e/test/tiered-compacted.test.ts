/**
 * A compacted topic in tiered storage on real processes: one controller, three brokers (RF 3)
 * against MinIO. A topic with cleanup.policy=compact,delete and remote.storage.enable=true, 1 MiB
 * segments and local.retention.bytes=0 gets keyed records with many overwrites and some
 * tombstones. The leader copies a segment only once its cleaner has passed it, so what lands in
 * MinIO is cleaned (fewer bytes than written), local segments go after their copy, and a consumer
 * from offset 0 (remote reads, across the gaps compaction leaves) ends with exactly the latest
 * value of every key, byte-identical, as a model map says. A scrub dry run finds no orphan.
 * What is not built is refused: cleanup.policy=compact alone (no remote compaction pass yet).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, Producer } from '../../packages/client/src';
import {
  parseClusterTieringConfig,
  RemotePartitionState,
  remoteObjectKeys,
  S3ObjectStore,
  TopicRemoteLogMetadataLog,
} from '../../packages/tiering/src';
import { ExitCode, runCli } from '@sluice/cli';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import { MINIO_PASSWORD, MINIO_USER, startMinio, type RunningMinio } from '../../test-support/minio';
import { startSluice } from './local-sluice';

jest.setTimeout(300_000);

const TOPIC = 'tiered-compacted';
const KEYS = 256;
const ROUNDS = 40;
/** Rounds written before waiting for their copy (about 2.5 MiB: two rolled segments). */
const ROUNDS_PER_PHASE = 10;
const VALUE_BYTES = 1024;
const BUCKET = 'sluice-e2e-compacted';
const PREFIX = 'compacted/';

/** Deterministic, distinct per key and round: a stale value read back is a mismatch. */
function valueFor(key: number, round: number): Buffer {
  const value = Buffer.alloc(VALUE_BYTES);
  for (let i = 0; i < VALUE_BYTES; i += 4) value.writeUInt32BE(((key * 40503 + round) * 2654435761 + i) >>> 0, i);
  return value;
}

/**
 * The workload: every key overwritten each round; keys = 1 (mod 5) get a tombstone in round 10
 * and come back after it, keys = 2 (mod 5) a tombstone in round 20 and never come back (those
 * tombstones are cleaned and copied), keys = 0 (mod 8) a tombstone in the last round.
 */
function valueAt(key: number, round: number): Buffer | null {
  if (key % 5 === 1 && round === 10) return null;
  if (key % 5 === 2 && round >= 20) return null;
  if (key % 8 === 0 && round === ROUNDS - 1) return null;
  return valueFor(key, round);
}

function localSegments(cluster: LocalCluster, nodeId: number): string[] {
  try {
    return readdirSync(join(cluster.brokers.dataDir(nodeId), `${TOPIC}-0`)).filter((name) => name.endsWith('.log'));
  } catch {
    return [];
  }
}

async function sluiceCli(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

describe('a compacted topic in tiered storage on real brokers and MinIO', () => {
  let minio: RunningMinio;
  let cluster: LocalCluster;
  let store: S3ObjectStore;
  let tiering: Record<string, string>;

  beforeAll(async () => {
    minio = await startMinio();
    tiering = {
      'remote.log.storage.system.enable': 'true',
      'remote.log.manager.task.interval.ms': '500',
      'remote.log.metadata.topic.num.partitions': '3',
      'rsm.config.storage.s3.endpoint.url': minio.endpointUrl,
      'rsm.config.storage.s3.region': 'us-east-1',
      'rsm.config.storage.s3.bucket.name': BUCKET,
      'rsm.config.storage.s3.path.style.access.enabled': 'true',
      'rsm.config.storage.aws.access.key.id': MINIO_USER,
      'rsm.config.storage.aws.secret.access.key': MINIO_PASSWORD,
      'rsm.config.key.prefix': PREFIX,
      'rsm.config.fetch.chunk.size': '262144',
      'rsm.config.fetch.chunk.cache.size': '8388608',
    };
    cluster = await startSluice({
      name: 'tiered-compacted',
      brokerConfig: { ...tiering, 'log.retention.check.interval.ms': 1000, 'log.cleaner.backoff.ms': 500 },
    });
    store = new S3ObjectStore(parseClusterTieringConfig(tiering).s3!);
  });

  afterAll(async () => {
    store?.destroy();
    await cluster?.stop({ removeBaseDir: true });
    await minio?.destroy();
  });

  it('refuses cleanup.policy=compact alone on a tiered topic, naming the key, and creates nothing', async () => {
    await expect(
      cluster.admin.createTopic({
        name: 'tiered-compact-only',
        numPartitions: 1,
        replicationFactor: 3,
        configs: { 'remote.storage.enable': 'true', 'cleanup.policy': 'compact' },
      }),
    ).rejects.toMatchObject({ errorName: 'INVALID_CONFIG', message: expect.stringContaining('remote.storage.enable') });
    await expect(
      cluster.admin.createTopic({
        name: 'tiered-compact-unbounded',
        numPartitions: 1,
        replicationFactor: 3,
        configs: {
          'remote.storage.enable': 'true',
          'cleanup.policy': 'compact,delete',
          'retention.ms': '-1',
          'retention.bytes': '-1',
        },
      }),
    ).rejects.toMatchObject({ errorName: 'INVALID_CONFIG', message: expect.stringContaining('retention.ms') });
    const names = await cluster.admin.listTopics();
    expect(names).not.toContain('tiered-compact-only');
    expect(names).not.toContain('tiered-compact-unbounded');
  });

  it('copies cleaned segments, deletes them locally, and a consumer from 0 reads the latest value of every key', async () => {
    await cluster.admin.createTopic({
      name: TOPIC,
      numPartitions: 1,
      replicationFactor: 3,
      configs: {
        'remote.storage.enable': 'true',
        'cleanup.policy': 'compact,delete',
        'segment.bytes': '1048576',
        'local.retention.bytes': '0',
        'min.cleanable.dirty.ratio': '0.01',
      },
    });
    const bootstrap = cluster.brokers.addresses();
    const described = await cluster.admin.describeTopic(TOPIC);
    const prefix = `${PREFIX}${TOPIC}-${described.topicId}/`;
    const remoteSegmentCount = async (): Promise<number> =>
      (await store.list(prefix)).filter((o) => o.key.endsWith('.log')).length;
    const model = new Map<string, Buffer>();
    let writtenBytes = 0;
    const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 64 * 1024 });
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const inFlight: Promise<unknown>[] = [];
        for (let key = 0; key < KEYS; key++) {
          const value = valueAt(key, round);
          inFlight.push(producer.send({ topic: TOPIC, partition: 0, key: String(key), value }));
          writtenBytes += value?.length ?? 0;
          if (value === null) model.delete(String(key));
          else model.set(String(key), value);
        }
        await Promise.all(inFlight);
        // In phases, each copied before the next is written: the cleaner would otherwise merge
        // everything rolled so far into one small segment before the first copy. Later phases
        // overwrite keys whose older values are already remote.
        const phase = Math.floor(round / ROUNDS_PER_PHASE);
        if (round % ROUNDS_PER_PHASE === ROUNDS_PER_PHASE - 1 && round < ROUNDS - 1) {
          await waitFor(`phase ${phase} copied`, async () => (await remoteSegmentCount()) > phase, 60_000, 200);
        }
      }
    } finally {
      await producer.close();
    }

    // The leader's cleaner passes the rolled segments, its tiering task copies them and local
    // retention deletes them: the active segment and at most one more stay on each replica.
    const earliestLocal = async (): Promise<number> =>
      [...(await cluster.admin.listOffsets([{ topic: TOPIC, partition: 0 }], 'earliest-local')).values()][0]!.offset;
    await waitFor(
      'cleaned segments copied and deleted locally',
      async () =>
        (await earliestLocal()) > KEYS * ROUNDS * 0.75 &&
        cluster.brokers.nodeIds.every((nodeId) => localSegments(cluster, nodeId).length <= 2),
      120_000,
      500,
    );
    const objects = await store.list(prefix);
    const segmentObjects = objects.filter((o) => o.key.endsWith('.log'));
    expect(segmentObjects.length).toBeGreaterThan(3);
    // Cleaned before the copy: far fewer bytes remote than the ~8 MiB written into those segments
    // (each 1 MiB segment held about four rounds of every key; cleaned, at most one).
    const remoteBytes = segmentObjects.reduce((sum, o) => sum + o.sizeBytes, 0);
    const localStart = await earliestLocal();
    expect(localStart).toBeGreaterThan(KEYS * 4);
    const writtenBelowLocalStart = (writtenBytes * localStart) / (KEYS * ROUNDS);
    expect(remoteBytes).toBeLessThan(writtenBelowLocalStart / 2);

    // The metadata names exactly what is in the bucket (no orphan) once nothing is unfinished.
    const metadataLog = new TopicRemoteLogMetadataLog({ bootstrap, numPartitions: 3 });
    try {
      let state = new RemotePartitionState(described.topicId, 0);
      await waitFor(
        'no unfinished upload in the remote-log metadata',
        async () => {
          state = new RemotePartitionState(described.topicId, 0);
          for (const record of await metadataLog.replay(described.topicId, 0)) state.apply(record);
          return state.unfinished().length === 0;
        },
        60_000,
        500,
      );
      const named = state
        .copied()
        .flatMap((segment) => remoteObjectKeys(PREFIX, segment))
        .sort();
      expect((await store.list(prefix)).map((o) => o.key).sort()).toEqual(named);
      // Remote segments are contiguous: each claims up to the next one's start (compaction's gaps inside).
      const copied = state.copied();
      for (let i = 1; i < copied.length; i++) expect(copied[i]!.startOffset).toBe(copied[i - 1]!.endOffset + 1);
      expect(copied[0]!.startOffset).toBe(0);
    } finally {
      await metadataLog.close();
    }
    const scrub = await sluiceCli(
      'tiering',
      'scrub',
      '--dry-run',
      '--grace-ms',
      '0',
      '--bootstrap',
      cluster.controllers.addresses().join(','),
      ...Object.entries(tiering).flatMap(([key, value]) => ['--config', `${key}=${value}`]),
    );
    expect(scrub.err).toBe('');
    expect(scrub.code).toBe(ExitCode.OK);
    expect(scrub.out).not.toContain('would delete');

    // A consumer from offset 0 (remote first, then local): offsets only grow, with gaps; applying
    // what it reads in order (a tombstone removes the key) gives exactly the model.
    const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest', maxPartitionFetchBytes: 256 * 1024 });
    const assignment = [{ topic: TOPIC, partition: 0 }];
    consumer.assign(assignment);
    const beginnings = await consumer.beginningOffsets(assignment);
    expect([...beginnings.values()][0]!.offset).toBe(0);
    consumer.seekToBeginning(assignment);
    const end = [...(await cluster.admin.listOffsets(assignment, 'latest')).values()][0]!.offset;
    const seen = new Map<string, Buffer>();
    let lastOffset = -1;
    let outOfOrder = 0;
    let remoteRecords = 0;
    const deadline = Date.now() + 120_000;
    while (lastOffset < end - 1 && Date.now() < deadline) {
      for (const record of await consumer.poll(1000)) {
        if (record.offset <= lastOffset) outOfOrder++;
        lastOffset = record.offset;
        if (record.offset < localStart) remoteRecords++;
        const key = record.key!.toString();
        if (record.value === null) seen.delete(key);
        else seen.set(key, record.value);
      }
    }
    await consumer.close();
    expect(outOfOrder).toBe(0);
    expect(lastOffset).toBe(end - 1);
    expect(remoteRecords).toBeGreaterThan(0);
    expect([...seen.keys()].sort()).toEqual([...model.keys()].sort());
    for (const [key, value] of model) expect(seen.get(key)!.equals(value)).toBe(true);
  });

  it('refuses turning the tiered compacted topic into compact only, and changes nothing', async () => {
    await expect(
      cluster.admin.alterTopicConfigs(TOPIC, { set: { 'cleanup.policy': 'compact' } }),
    ).rejects.toMatchObject({
      errorName: 'INVALID_CONFIG',
      message: expect.stringContaining('remote.storage.enable'),
    });
    expect((await cluster.admin.describeTopicConfigs(TOPIC))['cleanup.policy']).toBe('compact,delete');
  });
});
