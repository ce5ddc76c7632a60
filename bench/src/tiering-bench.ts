/**
 * `pnpm bench:tiering`: tiered storage's copy and cold-read paths against raw S3 loops of the same
 * bytes, on one MinIO in one run (noise hits both sides alike). Prints a markdown table; never a
 * test. Needs MinIO built by scripts/build-minio.sh; starts it and a small sluice cluster (one
 * controller, three brokers: `__remote_log_metadata` lives there, RF 3, acks=all) on loopback.
 *
 *   copy:      PartitionTierer copying every rolled segment (with indexes, epoch checkpoint,
 *              producer snapshot and the metadata records) vs a PutObject loop of the same .log
 *              files (goal >= 0.8);
 *   cold read: reading every remote segment from its first offset through the chunk cache
 *              (ranged GETs) vs a GetObject loop of the same objects (goal >= 0.7), and vs a local
 *              read of the same log;
 *   requests:  PUTs per GiB copied, GETs per GiB read.
 *
 * Not measured here: produce throughput with tiering on against off (two clusters), and many
 * partitions read at once.
 *
 * Flags: --quick (32 MiB instead of 512 MiB, 1 MiB segments instead of 8 MiB).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { findMinioBinary, LocalCluster, minioTieringSettings, startMinioProcess } from '@sluice/local-cluster';
import { defaultLogConfig, PartitionLog, segmentPaths } from '@sluice/log';
import {
  ChunkCache,
  parseClusterTieringConfig,
  PartitionTierer,
  RemoteSegmentReader,
  S3ObjectStore,
  TopicRemoteLogMetadataLog,
} from '@sluice/tiering';
import { batchOfKiBRecords } from './batches';
import { GiB, MiB, mbPerSecond } from './measure';
import { formatNumber, markdownTable } from './table';

const quick = process.argv.includes('--quick');
const DATA_BYTES = quick ? 32 * MiB : 512 * MiB;
const SEGMENT_BYTES = quick ? 1 * MiB : 8 * MiB;
const BATCH_BYTES = 256 * 1024;
const READ_BYTES = 1 * MiB;

async function seconds(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const binary = findMinioBinary();
  if (binary === null) {
    process.stderr.write('bench:tiering needs MinIO: build it once with scripts/build-minio.sh\n');
    process.exitCode = 2;
    return;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'sluice-bench-tiering-'));
  const minio = await startMinioProcess({ binary, baseDir: join(workDir, 'minio') });
  const cluster = await LocalCluster.start({
    baseDir: join(workDir, 'cluster'),
    roles: {
      controller: { count: 1, config: {} },
      broker: { config: { 'min.insync.replicas': 2 } },
      coordinator: { count: 0 },
    },
  });
  const s3 = parseClusterTieringConfig(minioTieringSettings(minio.endpointUrl, 'sluice-bench')).s3!;
  const store = new S3ObjectStore(s3);
  await store.ensureBucket();
  await TopicRemoteLogMetadataLog.ensureTopic(cluster.admin, 3, 3);
  const metadataLog = new TopicRemoteLogMetadataLog({ bootstrap: cluster.brokers.addresses(), numPartitions: 3 });
  const log = PartitionLog.open({
    dir: join(workDir, 'bench-0'),
    config: { ...defaultLogConfig, segmentBytes: SEGMENT_BYTES, retentionMs: -1, retentionBytes: -1 },
  });
  try {
    for (let written = 0, seed = 1; written < DATA_BYTES; seed++) {
      const batch = batchOfKiBRecords(BATCH_BYTES, seed);
      log.append(batch, { leaderEpoch: 0 });
      written += batch.length;
    }
    log.roll();
    const bases = log.segmentBaseOffsets().slice(0, -1);
    const files = bases.map((base) => segmentPaths(log.dir, base).log);
    const copiedBytes = files.reduce((sum, file) => sum + statSync(file).size, 0);

    // Local read of the whole log (page cache), the baseline of the cold remote read.
    let localRead = 0;
    const localSeconds = await seconds(async () => {
      for (let offset = 0; offset < log.logEndOffset;) {
        const read = log.read(offset, READ_BYTES);
        localRead += read.records.length;
        offset = read.lastOffset! + 1;
      }
    });

    // Raw PutObject loop of the same .log files.
    const rawPutSeconds = await seconds(async () => {
      for (const [i, file] of files.entries()) await store.putFile(`raw/${i}.log`, file, statSync(file).size);
    });

    // The tiering task copying the same segments (sequentially, as one partition's task does).
    const tierer = await PartitionTierer.open({
      log,
      topic: 'bench',
      topicId: 'benchbenchbenchbench00',
      partition: 0,
      brokerId: 1,
      leaderEpoch: () => 0,
      highWatermark: () => log.logEndOffset,
      config: {
        remoteStorageEnable: true,
        localRetentionMs: -1,
        localRetentionBytes: -1,
        totalRetentionMs: -1,
        totalRetentionBytes: -1,
      },
      store,
      keyPrefix: 'tiered/',
      metadataLog,
      reader: new RemoteSegmentReader(store, new ChunkCache(store, 4 * MiB, 64 * MiB), 'tiered/'),
      nowMs: () => Date.now(),
      newUploadId: () => randomUUID(),
      maxSegmentsPerRun: 1_000,
    });
    const putsBefore = store.counters().putRequests;
    const copySeconds = await seconds(async () => {
      for (;;) if ((await tierer.runOnce()).copiedSegments === 0) break;
    });
    const copyPuts = store.counters().putRequests - putsBefore;

    // Raw GetObject loop of the same objects, then the cold read through a fresh chunk cache.
    const rawGetSeconds = await seconds(async () => {
      for (let i = 0; i < files.length; i++) await store.get(`raw/${i}.log`);
    });
    const chunks = new ChunkCache(store, 4 * MiB, 64 * MiB);
    const reader = new RemoteSegmentReader(store, chunks, 'tiered/');
    const getsBefore = store.counters().getRequests;
    let remoteRead = 0;
    const coldSeconds = await seconds(async () => {
      for (const segment of tierer.state.copied()) {
        for (let offset = segment.startOffset; offset <= segment.endOffset;) {
          const read = await reader.read(segment, offset, READ_BYTES);
          remoteRead += read.records.length;
          offset = read.lastOffset! + 1;
        }
      }
    });
    const coldGets = store.counters().getRequests - getsBefore;

    const copyMbps = mbPerSecond(copiedBytes, copySeconds);
    const rawPutMbps = mbPerSecond(copiedBytes, rawPutSeconds);
    const coldMbps = mbPerSecond(remoteRead, coldSeconds);
    const rawGetMbps = mbPerSecond(copiedBytes, rawGetSeconds);
    const localMbps = mbPerSecond(localRead, localSeconds);
    process.stdout.write(
      `\ntiered storage, ${formatNumber(copiedBytes / MiB, 0)} MiB in ${files.length} segments of ${SEGMENT_BYTES / MiB} MiB, MinIO on loopback\n\n`,
    );
    process.stdout.write(
      markdownTable(
        ['case', 'MB/s', 'baseline MB/s', 'ratio', 'goal', 'requests per GiB'],
        [
          [
            'copy (PartitionTierer vs PutObject loop)',
            formatNumber(copyMbps),
            formatNumber(rawPutMbps),
            formatNumber(copyMbps / rawPutMbps, 2),
            '>= 0.8',
            `${formatNumber(copyPuts / (copiedBytes / GiB), 0)} PUT`,
          ],
          [
            'cold read from offset 0 (vs GetObject loop)',
            formatNumber(coldMbps),
            formatNumber(rawGetMbps),
            formatNumber(coldMbps / rawGetMbps, 2),
            '>= 0.7',
            `${formatNumber(coldGets / (remoteRead / GiB), 0)} GET`,
          ],
          [
            'cold read from offset 0 (vs local read)',
            formatNumber(coldMbps),
            formatNumber(localMbps),
            formatNumber(coldMbps / localMbps, 2),
            '-',
            '-',
          ],
        ],
      ),
    );
    process.stdout.write('\nnot measured: produce throughput with tiering on vs off; many partitions read at once\n');
  } finally {
    log.close();
    await metadataLog.close();
    store.destroy();
    await cluster.stop();
    await minio.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `bench:tiering failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
