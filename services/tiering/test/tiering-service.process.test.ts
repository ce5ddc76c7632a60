/**
 * The tiering service as a real process (services/tiering/dist/main.js) beside three broker
 * processes and a real MinIO: it refuses a configuration without a bucket with one line and exit
 * 1; launched by LocalCluster it reports SERVING only while the bucket answers; its status RPC
 * joins the leaders' offsets with the remote-log metadata (remote start, end, segments, bytes);
 * its scheduled scrub deletes an orphaned object past the grace period and leaves every object
 * the metadata names; and ScrubRemoteStorage answers a dry run on request. The leaders' local
 * sizes come from their DescribeLogDirs, which `sluice log-dirs describe` shows per broker.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from '@sluice/client';
import { ExitCode, runCli } from '@sluice/cli';
import { LocalCluster, serviceMainPath, waitFor } from '@sluice/local-cluster';
import { createGrpcClient, unaryCall, type TieredPartition__Output, type TieringClient } from '@sluice/proto';
import {
  parseClusterTieringConfig,
  RemotePartitionState,
  remoteObjectKeys,
  S3ObjectStore,
  TopicRemoteLogMetadataLog,
} from '@sluice/tiering';
import { MINIO_PASSWORD, MINIO_USER, startMinio, type RunningMinio } from '../../../test-support/minio';

jest.setTimeout(240_000);

const BUCKET = 'sluice-tiering-service';
const PREFIX = 'svc/';
const TOPIC = 'cold';
const PARTITIONS = 2;
/** 1 KiB values: about three 1 MiB segments per partition, two of them rolled and copied. */
const RECORDS_PER_PARTITION = 3_200;

async function sluiceCli(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

describe('tiering service process', () => {
  let baseDir: string;
  let minio: RunningMinio | undefined;
  let cluster: LocalCluster | undefined;
  let store: S3ObjectStore | undefined;
  let tiering: TieringClient | undefined;
  let settings: Record<string, string>;

  beforeAll(async () => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-tiering-service-'));
    minio = await startMinio();
    settings = {
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
    };
    store = new S3ObjectStore(parseClusterTieringConfig(settings).s3!);
    // The brokers create the bucket too; the service only probes it, so it may start first.
    await store.ensureBucket();
  });

  afterAll(async () => {
    tiering?.close();
    store?.destroy();
    await cluster?.stop();
    await minio?.destroy();
    rmSync(baseDir, { recursive: true, force: true });
  });

  it('refuses a configuration without a bucket with one line and exit 1', () => {
    const file = join(baseDir, 'bad.properties');
    writeFileSync(
      file,
      'node.id=1\nprocess.roles=tiering\ncontroller.quorum.voters=1@127.0.0.1:1\nlisteners=PLAINTEXT://127.0.0.1:0\n',
    );
    const result = spawnSync(process.execPath, [serviceMainPath('tiering'), '--config', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('rsm.config.storage.s3.bucket.name');
  });

  it('describes tiered partitions, scrubs orphans on its schedule and follows the bucket for health', async () => {
    cluster = await LocalCluster.create({
      baseDir: join(baseDir, 'cluster'),
      roles: {
        controller: { count: 1 },
        broker: { config: { ...settings, 'log.retention.check.interval.ms': 1000 } },
        coordinator: { count: 0 },
        tiering: {
          count: 1,
          config: { ...settings, 'tiering.scrub.interval.ms': 1000, 'tiering.scrub.grace.ms': 3000 },
        },
      },
    });
    await cluster.start();
    tiering = createGrpcClient('Tiering', cluster.tiering.address(cluster.tiering.nodeIds[0]!));
    await cluster.admin.createTopic({
      name: TOPIC,
      numPartitions: PARTITIONS,
      replicationFactor: 3,
      configs: { 'remote.storage.enable': 'true', 'segment.bytes': '1048576', 'local.retention.bytes': '0' },
    });
    await cluster.admin.createTopic({ name: 'warm', numPartitions: 1, replicationFactor: 3 });
    const producer = new Producer({ bootstrap: cluster.brokers.addresses(), lingerMs: 5, batchSizeBytes: 64 * 1024 });
    const value = Buffer.alloc(1024, 7);
    const sent: Promise<unknown>[] = [];
    for (let seq = 0; seq < RECORDS_PER_PARTITION * PARTITIONS; seq++)
      sent.push(producer.send({ topic: TOPIC, partition: seq % PARTITIONS, value }));
    await Promise.all(sent);
    await producer.close();

    // Copied segments appear in the status, and local retention moves the local start above 0.
    let partitions: TieredPartition__Output[] = [];
    await waitFor(
      'both partitions copied and locally trimmed',
      async () => {
        const answer = await unaryCall(tiering!, 'DescribeTieredPartitions', { topics: [] }, { timeoutMs: 20_000 });
        partitions = answer.topics.find((topic) => topic.name === TOPIC)?.partitions ?? [];
        return (
          partitions.length === PARTITIONS &&
          partitions.every((p) => p.remoteSegments > 0 && Number(p.localLogStartOffset) > 0)
        );
      },
      120_000,
      500,
    );
    for (const p of partitions) {
      expect(p.errorName).toBe('');
      expect(Number(p.logStartOffset)).toBe(0);
      expect(Number(p.remoteStartOffset)).toBe(0);
      expect(Number(p.remoteSizeBytes)).toBeGreaterThan(0);
      // Remote and local meet: everything below the local start is remote.
      expect(Number(p.remoteEndOffset) + 1).toBeGreaterThanOrEqual(Number(p.localLogStartOffset));
      expect(Number(p.highWatermark)).toBe(RECORDS_PER_PARTITION);
    }
    const named = await unaryCall(
      tiering,
      'DescribeTieredPartitions',
      { topics: ['warm', 'missing', TOPIC] },
      { timeoutMs: 20_000 },
    );
    expect(named.topics.map((topic) => [topic.name, topic.tiered, topic.errorName])).toEqual([
      ['warm', false, ''],
      ['missing', false, 'UNKNOWN_TOPIC_OR_PARTITION'],
      [TOPIC, true, ''],
    ]);

    // The CLI asks the service when told where it is: remote sizes beside the leaders' offsets.
    const connection = [
      '--bootstrap',
      cluster.controllers.addresses().join(','),
      '--tiering-service',
      cluster.tiering.address(1),
    ];
    const statusCli = await sluiceCli('tiering', 'status', TOPIC, ...connection);
    expect(statusCli.err).toBe('');
    expect(statusCli.code).toBe(ExitCode.OK);
    expect(statusCli.out).toMatch(
      /Partition: 0\t.*LogStartOffset: 0\t.*RemoteSegments: [1-9]\d*\tRemoteSizeBytes: [1-9]\d*/,
    );
    const described = await sluiceCli('topic', 'describe', TOPIC, '--json', ...connection);
    expect(described.code).toBe(ExitCode.OK);
    const tieringJson = (
      JSON.parse(described.out) as { tiering: { localSizeBytes: number; remote: { sizeBytes: number } }[] }
    ).tiering;
    expect(tieringJson).toHaveLength(PARTITIONS);
    for (const p of tieringJson) {
      expect(p.remote.sizeBytes).toBeGreaterThan(0);
      expect(p.localSizeBytes).toBeGreaterThan(0);
    }

    // Local sizes: the service's are the leaders' own DescribeLogDirs answers (read until no
    // segment is copied or trimmed in between), and only what local retention left on disk.
    const leaderSizes = async (): Promise<Map<number, number>> => {
      const sizes = new Map<number, number>();
      const topic = await cluster!.admin.describeTopic(TOPIC);
      const answers = await cluster!.admin.describeLogDirs(
        topic.partitions.map((p) => p.leader),
        [{ topic: TOPIC }],
      );
      for (const p of topic.partitions) {
        const answer = answers.find((a) => a.brokerId === p.leader)!;
        expect(answer.error).toBeUndefined();
        const replica = answer.logDirs[0]!.partitions.find((r) => r.partition === p.partition)!;
        expect(replica).toMatchObject({ topic: TOPIC, offsetLag: 0, isFuture: false });
        sizes.set(p.partition, replica.sizeBytes);
      }
      return sizes;
    };
    await waitFor(
      "the service's local sizes are the leaders' DescribeLogDirs sizes",
      async () => {
        const answer = await unaryCall(
          tiering!,
          'DescribeTieredPartitions',
          { topics: [TOPIC] },
          { timeoutMs: 20_000 },
        );
        const fromService = answer.topics[0]!.partitions;
        const fromLeaders = await leaderSizes();
        return fromService.every(
          (p) => p.errorName === '' && Number(p.localSizeBytes) === fromLeaders.get(p.partition),
        );
      },
      30_000,
      500,
    );
    for (const size of (await leaderSizes()).values()) {
      expect(size).toBeGreaterThan(0);
      // local.retention.bytes=0: the copied segments left the disk, so less than what was written stays.
      expect(size).toBeLessThan(RECORDS_PER_PARTITION * value.length);
    }
    expect(statusCli.out).toMatch(/Partition: 0\t.*HighWatermark: \d+\tLocalSizeBytes: [1-9]\d*\t/);
    // Without the service the CLI still shows the local sizes (from the leaders), not the remote ones.
    const alone = await sluiceCli('topic', 'describe', TOPIC, '--bootstrap', cluster.controllers.addresses().join(','));
    expect(alone.code).toBe(ExitCode.OK);
    expect(alone.out).toMatch(
      /Partition: 1\tLogStartOffset: 0\tLocalLogStartOffset: [1-9]\d*\tHighWatermark: \d+\tLocalSizeBytes: [1-9]\d*\n/,
    );
    expect(alone.out).not.toContain('RemoteSizeBytes');

    // kafka-log-dirs.sh --describe: every broker holds a replica of both partitions (RF 3).
    const logDirsCli = await sluiceCli(
      'log-dirs',
      'describe',
      '--topic',
      TOPIC,
      '--json',
      '--bootstrap',
      cluster.controllers.addresses().join(','),
    );
    expect(logDirsCli.err).toBe('');
    expect(logDirsCli.code).toBe(ExitCode.OK);
    const logDirsJson = JSON.parse(logDirsCli.out) as {
      version: number;
      brokers: {
        broker: number;
        logDirs: { error: string | null; partitions: { partition: string; size: number }[] }[];
      }[];
    };
    expect(logDirsJson.version).toBe(1);
    expect(logDirsJson.brokers.map((b) => b.broker)).toEqual(cluster.brokers.nodeIds);
    for (const broker of logDirsJson.brokers) {
      expect(broker.logDirs).toHaveLength(1);
      expect(broker.logDirs[0]!.error).toBeNull();
      expect(broker.logDirs[0]!.partitions.map((p) => p.partition)).toEqual([`${TOPIC}-0`, `${TOPIC}-1`]);
      for (const p of broker.logDirs[0]!.partitions) expect(p.size).toBeGreaterThan(0);
    }
    // One broker, in text; a broker id nobody registered is named on stderr with exit 1.
    const oneBroker = await sluiceCli(
      'log-dirs',
      'describe',
      '--broker',
      String(cluster.brokers.nodeIds[0]),
      '--bootstrap',
      cluster.controllers.addresses().join(','),
    );
    expect(oneBroker.code).toBe(ExitCode.OK);
    expect(oneBroker.out).toMatch(
      new RegExp(`^Broker: ${cluster.brokers.nodeIds[0]}\tLogDir: \\S+\tTotalBytes: [1-9]`),
    );
    expect(oneBroker.out).toMatch(/\tTopic: warm\tPartition: 0\tSizeBytes: \d+\tOffsetLag: 0\tIsFuture: false/);
    const unknownBroker = await sluiceCli(
      'log-dirs',
      'describe',
      '--broker',
      '99',
      '--bootstrap',
      cluster.controllers.addresses().join(','),
    );
    expect(unknownBroker.code).toBe(ExitCode.FAILURE);
    expect(unknownBroker.err).toContain('broker 99: BROKER_NOT_AVAILABLE');

    // An object in the layout that no metadata names: a copy's PUT whose COPY_SEGMENT_STARTED never came.
    const topicId = named.topics[2]!.topicId;
    const orphan = `${PREFIX}${TOPIC}-${topicId}/0/${'9'.repeat(20)}-0-orphan.log`;
    const foreign = `${PREFIX}notes/readme.txt`;
    await store!.put(orphan, Buffer.from('orphan'));
    await store!.put(foreign, Buffer.from('not ours'));
    const namedBefore = (await store!.list(PREFIX)).filter((o) => o.key !== orphan && o.key !== foreign).length;
    expect(namedBefore).toBeGreaterThan(0);
    await waitFor(
      'the scheduled scrub deletes the orphan after the grace period',
      async () => !(await store!.list(PREFIX)).some((object) => object.key === orphan),
      60_000,
      500,
    );
    const left = await store!.list(PREFIX);
    expect(left.some((object) => object.key === foreign)).toBe(true);
    const metrics = await (await fetch(`http://${cluster.tiering.metricsAddress(1)}/metrics`)).text();
    expect(metrics).toMatch(/sluice_tiering_scrub_deleted_objects_total\{[^}]*\} [1-9]/);
    expect(metrics).toMatch(/sluice_tiering_scrub_runs_total\{[^}]*outcome="ok"[^}]*\} [1-9]/);

    // On request, a dry run names nothing to delete: every remaining object in the layout is named.
    const dryRun = await unaryCall(
      tiering,
      'ScrubRemoteStorage',
      { dryRun: true, graceMs: '0' },
      { timeoutMs: 30_000 },
    );
    expect(dryRun.orphanKeys).toEqual([]);
    expect(dryRun.deleted).toBe(0);
    expect(dryRun.foreign).toBe(1);
    expect(dryRun.named).toBeGreaterThan(0);
    await expect(
      unaryCall(tiering, 'ScrubRemoteStorage', { dryRun: true, graceMs: '-5' }, { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({
      errorName: 'INVALID_REQUEST',
    });

    expect(dryRun.deletedTopicPartitions).toEqual([]);

    // Health follows the bucket: MinIO stopped, NOT_SERVING; back, SERVING.
    const health = createGrpcClient('Health', cluster.tiering.address(1));
    const status = async (): Promise<string> =>
      (await unaryCall(health, 'Check', { service: '' }, { timeoutMs: 5_000 })).status;
    try {
      await minio!.stop();
      await waitFor(
        'NOT_SERVING while the bucket does not answer',
        async () => (await status()) === 'NOT_SERVING',
        60_000,
        250,
      );
      await minio!.restart();
      await waitFor('SERVING again', async () => (await status()) === 'SERVING', 60_000, 250);
    } finally {
      health.close();
    }
  });

  it('cleans up the uploads of a deleted topic that no leader cleaned, with the metadata steps a leader writes', async () => {
    const local = cluster!;
    // What a topic deleted while its brokers were down leaves behind, written as its last leader
    // wrote it: finished copies in __remote_log_metadata and their objects, under a topic id the
    // cluster does not have. (Killing every broker and deleting the topic is not deterministic:
    // a broker that replays the deletion as a metadata delta cleans up itself.)
    const ghostTopicId = 'GhostGhostGhostGhost0A';
    const metadataLog = new TopicRemoteLogMetadataLog({ bootstrap: local.brokers.addresses(), numPartitions: 3 });
    const uploads = [0, 1].map((i) => ({
      id: { topicId: ghostTopicId, topic: 'ghost', partition: 0, uploadId: `ghost-upload-${i}` },
      startOffset: i * 100,
      endOffset: i * 100 + 99,
      maxTimestampMs: Date.now() - 60_000,
      leaderEpoch: 0,
      segmentSizeBytes: 5,
      segmentLeaderEpochs: [[0, i * 100]] as [number, number][],
      brokerId: 1,
    }));
    try {
      for (const metadata of uploads) {
        await metadataLog.append({ kind: 'segment', state: 'COPY_SEGMENT_STARTED', metadata, eventTimestampMs: 1 });
        for (const key of remoteObjectKeys(PREFIX, metadata)) await store!.put(key, Buffer.from('ghost'));
        await metadataLog.append({ kind: 'segment', state: 'COPY_SEGMENT_FINISHED', metadata, eventTimestampMs: 2 });
      }
      const ghostObjects = async (): Promise<number> =>
        (await store!.list(PREFIX)).filter((object) => object.key.startsWith(`${PREFIX}ghost-`)).length;
      expect(await ghostObjects()).toBe(10);

      // The objects go first, then DELETE_SEGMENT_FINISHED and DELETE_PARTITION_FINISHED are
      // written (acks=all), then the count: wait for the whole cleanup, not its first half.
      const deletedUploads = async (): Promise<number> => {
        const text = await (await fetch(`http://${local.tiering.metricsAddress(1)}/metrics`)).text();
        return Number(/sluice_tiering_deleted_topic_uploads_total\{[^}]*\} (\d+)/.exec(text)?.[1] ?? -1);
      };
      await waitFor(
        "the tiering service deletes the deleted topic's uploads",
        async () => (await ghostObjects()) === 0 && (await deletedUploads()) === 2,
        60_000,
        500,
      );
      // The metadata says so too: every upload deleted, the partition deletion finished.
      const state = new RemotePartitionState(ghostTopicId, 0);
      for (const record of await metadataLog.replay(ghostTopicId, 0)) state.apply(record);
      expect(state.all()).toEqual([]);
      expect(state.deleteState).toBe('DELETE_PARTITION_FINISHED');
    } finally {
      await metadataLog.close();
    }
    // The live tiered topic is untouched: still named, still starting at offset 0.
    const status = await unaryCall(tiering!, 'DescribeTieredPartitions', { topics: [TOPIC] }, { timeoutMs: 20_000 });
    for (const p of status.topics[0]!.partitions) {
      expect(Number(p.logStartOffset)).toBe(0);
      expect(p.remoteSegments).toBeGreaterThan(0);
    }
  });
});
