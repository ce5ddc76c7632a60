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
 *   requests:  PUTs per GiB copied, GETs per GiB read;
 *   produce:   SDK producer throughput (acks=all, RF 3) into a topic with remote.storage.enable=true
 *              (local.retention.bytes=0: the brokers copy and delete while it runs) against one
 *              without, on the same brokers in the same run, interleaved off / on / on / off so
 *              drift hits both (goal >= 0.9), in two rows: 1 MiB segments (the worst case: a copy
 *              and a local delete per MiB) and 16 MiB (a realistic size for a tiered topic; several
 *              segments per partition still roll and are copied in each run), each with the
 *              brokers' PUTs per GiB; an on run's clock stops once its records are acknowledged and
 *              its rolled segments are copied and gone from the leaders' disks (steady state: the
 *              copying is inside the measured time),
 *              and the brokers' and MinIO's CPU per GB produced are printed per side
 *              (tiering-produce.ts).
 *
 *   many partitions: 12 partitions of a tiered topic, all led by one broker, read cold from offset 0
 *              by 4 fetchers with a Fetch each in flight (each carries its 3 partitions; the
 *              broker reads them from remote storage in parallel, up to remote.log.reader.threads
 *              GETs) vs 12 parallel GetObject loops of the same objects (tiering-many-partitions.ts).
 *
 * Flags: --quick (32 MiB instead of 512 MiB, 1 MiB segments instead of 8 MiB; 16 MiB produced per
 * produce run instead of 256 MiB, and 4 MiB segments instead of 16 MiB in the second produce row; 4 MiB per partition of the many-partitions topic instead of 32);
 * --produce-mib N (N MiB per produce run instead of 256: shorter smoke runs, same segment sizes);
 * --produce-partitions N (partitions of each produce topic instead of 3, one led by each broker: with
 * more, each broker leads several, whose tiering tasks its pass runs one after another);
 * --cpu-prof DIR (the brokers write V8 CPU profiles there when they stop; with --heap-prof also
 * allocation profiles and GC counts, see cpu-profile-env.ts; each produce run's span on V8's clock
 * is printed, for `bench:profile DIR --window FROM_US..TO_US`: an on run's samples against an off
 * run's); --produce-only (only
 * the two produce rows: the brokers' profiles then hold nothing else); --minio-cost (only MinIO's CPU
 * per PUT and per byte, no cluster: tiering-minio-cost.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
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
import { cpuProfileEnv } from './cpu-profile-env';
import { flag, intFlag } from './flags';
import { GiB, MiB, mbPerSecond } from './measure';
import { formatNumber, markdownTable, median } from './table';
import { FETCHES_IN_FLIGHT, measureManyPartitionsColdRead } from './tiering-many-partitions';
import { measureMinioCost } from './tiering-minio-cost';
import {
  BROKER_THREAD_GROUPS,
  compareProduceWithTiering,
  DEFAULT_PRODUCE_PARTITIONS,
  type ProduceComparison,
} from './tiering-produce';

const quick = process.argv.includes('--quick');
const produceOnly = process.argv.includes('--produce-only');
const DATA_BYTES = quick ? 32 * MiB : 512 * MiB;
const SEGMENT_BYTES = quick ? 1 * MiB : 8 * MiB;
const BATCH_BYTES = 256 * 1024;
const READ_BYTES = 1 * MiB;
/** `--produce-mib N`: bytes per produce run (smoke runs on a loaded machine; the quiet table keeps 256). */
const PRODUCE_BYTES = produceMiB() ?? (quick ? 16 : 256) * MiB;
const PRODUCE_RECORD_BYTES = 1024;
const PRODUCE_PARTITIONS = intFlag('--produce-partitions', DEFAULT_PRODUCE_PARTITIONS);
/** The produce rows' segment sizes: the worst case, and a realistic one for a tiered topic. */
const PRODUCE_SEGMENT_BYTES = [1 * MiB, quick ? 4 * MiB : 16 * MiB] as const;
const MANY_PARTITIONS = 12;
const MANY_PARTITION_BYTES = quick ? 4 * MiB : 32 * MiB;
/** --minio-cost: bytes PUT per object size and case. */
const MINIO_COST_BYTES_PER_SIZE = quick ? 16 * MiB : 128 * MiB;

function produceMiB(): number | undefined {
  const raw = flag('--produce-mib');
  if (raw === undefined) return undefined;
  const mib = Number(raw);
  if (!(Number.isSafeInteger(mib) && mib >= 16))
    throw new RangeError(`--produce-mib ${raw}: a whole number of MiB, at least 16`);
  return mib * MiB;
}

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
  // The brokers' profiler hook writes into it at exit and does not create it.
  const profileDir = flag('--cpu-prof');
  if (profileDir !== undefined && profileDir !== '') mkdirSync(profileDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'sluice-bench-tiering-'));
  if (process.argv.includes('--minio-cost')) {
    try {
      process.stdout.write(`\n${await measureMinioCost(binary, workDir, MINIO_COST_BYTES_PER_SIZE)}\n`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
    return;
  }
  const minio = await startMinioProcess({ binary, baseDir: join(workDir, 'minio') });
  // The brokers tier too (their own key prefix) for the produce comparison.
  const cluster = await LocalCluster.start({
    baseDir: join(workDir, 'cluster'),
    roles: {
      controller: { count: 1, config: {} },
      broker: {
        env: cpuProfileEnv(profileDir, process.argv.includes('--heap-prof')),
        config: {
          'min.insync.replicas': 2,
          ...minioTieringSettings(minio.endpointUrl, 'sluice-bench'),
          'rsm.config.key.prefix': 'brokers/',
          // The bench creates __remote_log_metadata with 3 partitions below: the brokers must agree,
          // else (default 50) they look for a partition that does not exist and never copy.
          'remote.log.metadata.topic.num.partitions': 3,
          // Short, so a produce run's last rolled segments wait little for their copy: the run's
          // clock stops only once they are copied (Kafka's 30 s default suits production, where
          // a copy lag of 30 s is nothing; here it would be the whole run).
          'remote.log.manager.task.interval.ms': 250,
          'log.retention.check.interval.ms': 1000,
        },
      },
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
    const copyAndRead = produceOnly ? null : await measureCopyAndColdRead(log, store, metadataLog);

    // Produce with tiering on against off, interleaved on the same brokers, per segment size.
    const produceRows: ProduceComparison[] = [];
    for (const segmentBytes of PRODUCE_SEGMENT_BYTES) {
      produceRows.push(
        await compareProduceWithTiering(cluster, () => minio.pid(), {
          segmentBytes,
          bytesPerRun: PRODUCE_BYTES,
          topicSuffix: `${segmentBytes / MiB}m`,
          partitions: PRODUCE_PARTITIONS,
        }),
      );
    }

    const many = produceOnly
      ? null
      : await measureManyPartitionsColdRead(cluster, store, {
          partitions: MANY_PARTITIONS,
          bytesPerPartition: MANY_PARTITION_BYTES,
          keyPrefix: 'brokers/',
          recordBytes: PRODUCE_RECORD_BYTES,
        });

    if (copyAndRead !== null) process.stdout.write(`\n${copyAndRead.title}\n`);
    process.stdout.write(
      `\n${markdownTable(
        ['case', 'MB/s', 'baseline MB/s', 'ratio', 'goal', 'requests per GiB'],
        [
          ...(copyAndRead?.rows.slice(0, 2) ?? []),
          ...produceRows.map((row) => [
            `produce, tiering on (vs off), ${PRODUCE_BYTES / MiB} MiB x3 each (medians, until acknowledged and copied), acks=all RF 3, ${row.segmentBytes / MiB} MiB segments both`,
            formatNumber(median(row.on.mbps)),
            formatNumber(median(row.off.mbps)),
            formatNumber(median(row.on.mbps) / median(row.off.mbps), 2),
            '>= 0.9',
            `${formatNumber(row.putsPerGiB, 0)} PUT`,
          ]),
          ...produceRows.map((row) => [
            `broker CPU s per GB produced, tiering on (vs off), ${row.segmentBytes / MiB} MiB segments (3 brokers summed; lower is better)`,
            formatNumber(cpuPerGB(row.on.brokerCpuSeconds, row.on.producedBytes), 2),
            formatNumber(cpuPerGB(row.off.brokerCpuSeconds, row.off.producedBytes), 2),
            formatNumber(
              cpuPerGB(row.on.brokerCpuSeconds, row.on.producedBytes) /
                cpuPerGB(row.off.brokerCpuSeconds, row.off.producedBytes),
              2,
            ),
            '-',
            '-',
          ]),
          ...(many === null
            ? []
            : [
                [
                  `cold read from offset 0, ${many.partitions} partitions, ${FETCHES_IN_FLIGHT} Fetches in flight (vs ${many.partitions} parallel GetObject loops)`,
                  formatNumber(many.consumerMbps),
                  formatNumber(many.rawMbps),
                  formatNumber(many.consumerMbps / many.rawMbps, 2),
                  '-',
                  '-',
                ],
              ]),
          ...(copyAndRead?.rows.slice(2) ?? []),
        ],
      )}`,
    );
    process.stdout.write(`\n${produceRows.map(describeProduceRow).join('\n')}\n`);
    if (many !== null) {
      process.stdout.write(
        `many partitions: ${formatNumber(many.consumedBytes / MiB, 1)} MiB of batches in ${many.fetchRequests} Fetch requests to one broker, ${formatNumber(many.rawBytes / MiB, 1)} MiB of objects by the raw loops\n`,
      );
    }
  } finally {
    log.close();
    await metadataLog.close();
    store.destroy();
    await cluster.stop();
    await minio.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * The copy and the cold read of one partition's log, in this process, against raw PutObject and
 * GetObject loops of the same files and objects; the table's rows (copy, cold read vs GetObject,
 * cold read vs a local read) and its title.
 */
async function measureCopyAndColdRead(
  log: PartitionLog,
  store: S3ObjectStore,
  metadataLog: TopicRemoteLogMetadataLog,
): Promise<{ readonly title: string; readonly rows: string[][] }> {
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
    const copied = tierer.state.copied();
    for (const [i, segment] of copied.entries()) {
      for (let offset = segment.startOffset; offset <= segment.endOffset;) {
        // The next segment named, as PartitionTierer.read does: readahead crosses into it.
        const read = await reader.read(segment, offset, READ_BYTES, copied[i + 1] ?? null);
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
  return {
    title: `tiered storage, ${formatNumber(copiedBytes / MiB, 0)} MiB in ${files.length} segments of ${SEGMENT_BYTES / MiB} MiB, MinIO on loopback`,
    rows: [
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
  };
}

/** CPU seconds per GB (10^9 bytes) produced. */
function cpuPerGB(cpuSeconds: number, producedBytes: number): number {
  return producedBytes === 0 ? 0 : cpuSeconds / (producedBytes / 1e9);
}

function describeProduceRow(row: ProduceComparison): string {
  const runs = (values: readonly number[]): string => values.map((v) => formatNumber(v)).join(', ');
  const lags = (values: readonly number[]): string => values.map((v) => formatNumber(v / MiB, 1)).join(', ');
  return (
    `produce runs, ${row.segmentBytes / MiB} MiB segments, ${row.partitions} partitions (MB/s until acknowledged and copied): off ${runs(row.off.mbps)}; on ${runs(row.on.mbps)}; ` +
    `until acknowledged only: off ${runs(row.off.ackedMbps)}; on ${runs(row.on.ackedMbps)}, ratio of medians ` +
    `${formatNumber(median(row.on.ackedMbps) / median(row.off.ackedMbps), 2)}; on runs' copy lag at their last acknowledgement ` +
    `${lags(row.on.lagAtAckBytes)} MiB (rolled segments still on the leaders' disks), copied ` +
    `${row.on.drainSeconds.map((v) => formatNumber(v, 2)).join(', ')} s after it` +
    `${row.on.undrainedRuns + row.off.undrainedRuns > 0 ? `; ${row.on.undrainedRuns} on runs NOT copied within the wait` : ''}; ` +
    `CPU per GB produced: brokers off ${formatNumber(cpuPerGB(row.off.brokerCpuSeconds, row.off.producedBytes), 2)} s, on ` +
    `${formatNumber(cpuPerGB(row.on.brokerCpuSeconds, row.on.producedBytes), 2)} s (by thread, off -> on: ${BROKER_THREAD_GROUPS.map(
      (group) =>
        `${group} ${formatNumber(cpuPerGB(row.off.brokerThreadCpuSeconds[group], row.off.producedBytes), 2)} -> ${formatNumber(
          cpuPerGB(row.on.brokerThreadCpuSeconds[group], row.on.producedBytes),
          2,
        )}`,
    ).join(', ')}); MinIO (on this machine's cores, which S3 ` +
    `would not share) off ${formatNumber(cpuPerGB(row.off.minioCpuSeconds, row.off.producedBytes), 2)} s, on ` +
    `${formatNumber(cpuPerGB(row.on.minioCpuSeconds, row.on.producedBytes), 2)} s; the producer (this process) off ` +
    `${formatNumber(cpuPerGB(row.off.producerCpuSeconds, row.off.producedBytes), 2)} s, on ` +
    `${formatNumber(cpuPerGB(row.on.producerCpuSeconds, row.on.producedBytes), 2)} s (per run: off ${row.off.producerCpuPerGBRuns.map((v) => formatNumber(v, 2)).join(', ')}; on ` +
    `${row.on.producerCpuPerGBRuns.map((v) => formatNumber(v, 2)).join(', ')}), its Produce requests off ${row.off.producerRequests}, on ${row.on.producerRequests} ` +
    `(KiB of records per request: off ${formatNumber(row.off.producedBytes / 1024 / Math.max(1, row.off.producerRequests), 0)}, on ` +
    `${formatNumber(row.on.producedBytes / 1024 / Math.max(1, row.on.producerRequests), 0)}), retries off ${row.off.producerRetries}, on ${row.on.producerRetries}; after the last run the on topic had ` +
    `${formatNumber(row.remoteBytesAtEnd / MiB, 0)} MiB remote and a copy lag of ${formatNumber(row.copyLagBytesAtEnd / MiB, 1)} MiB; ` +
    `PUTs per GiB over ${formatNumber(row.copiedBytes / MiB, 0)} MiB copied; runs on V8's clock (us, for bench:profile --window): ` +
    `off ${row.off.windowsUs.map(([from, to]) => `${from}..${to}`).join(' ')}; on ${row.on.windowsUs.map(([from, to]) => `${from}..${to}`).join(' ')}`
  );
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `bench:tiering failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
