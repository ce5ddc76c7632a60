/**
 * The tiering task against real servers: MinIO (built by scripts/build-minio.sh, a process on
 * loopback) for the objects, and a real sluice cluster (one controller, three brokers) whose
 * `__remote_log_metadata` topic (RF 3, acks=all) holds the remote-log metadata. The partition
 * being tiered is a real PartitionLog on disk with small segments. The broker runs this task
 * (services/broker/src/node/remote-log-manager.ts); the e2e tests under e2e/test/tiered-* cover it there.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LocalCluster } from '@sluice/local-cluster';
import { defaultLogConfig, OffsetOutOfRangeError, PartitionLog, type LogConfig } from '@sluice/log';
import { CompressionType, decodeRecordBatches, encodeRecordBatch } from '@sluice/protocol';
import {
  ChunkCache,
  ByteRateLimiter,
  decodeProducerSnapshot,
  INDEX_PARTS,
  readRemoteLogAuxState,
  PartitionTierer,
  parseClusterTieringConfig,
  partitionObjectPrefix,
  planScrub,
  readIndexParts,
  remoteLogObjectBytes,
  remoteObjectKey,
  remoteObjectKeys,
  RemoteSegmentReader,
  RemoteStorageError,
  S3ObjectStore,
  TopicRemoteLogMetadataLog,
  type FileRange,
  type PartitionTiererOptions,
  type RemoteSegmentMetadata,
  type S3StorageConfig,
  type TopicTieringConfig,
} from '../src';
import { MINIO_PASSWORD, MINIO_USER, startMinio, type RunningMinio } from '../../../test-support/minio';

jest.setTimeout(180_000);

const TOPIC = 'tiered-orders';
const TOPIC_ID = 'tiered0000000000000001';
const PREFIX = 'component/';
const CHUNK_BYTES = 8 * 1024;
const CACHE_BYTES = 64 * 1024;

const LOG_CONFIG: LogConfig = { ...defaultLogConfig, segmentBytes: 16 * 1024, retentionMs: -1, retentionBytes: -1 };
/** Nothing stays local past its copy: local.retention.bytes=0 (total retention unlimited). */
const TIERING: TopicTieringConfig = {
  remoteStorageEnable: true,
  localRetentionMs: -1,
  localRetentionBytes: 0,
  totalRetentionMs: -1,
  totalRetentionBytes: -1,
};

describe('PartitionTierer against MinIO and a real metadata topic', () => {
  let minio: RunningMinio;
  let cluster: LocalCluster;
  let metadataLog: TopicRemoteLogMetadataLog;
  let s3: S3StorageConfig;
  let store: S3ObjectStore;
  const dirs: string[] = [];
  const logs: PartitionLog[] = [];

  beforeAll(async () => {
    minio = await startMinio();
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-tiering-')),
      roles: {
        controller: { count: 1, config: {} },
        broker: { config: { 'broker.heartbeat.interval.ms': 200, 'min.insync.replicas': 2 } },
        coordinator: { count: 0 },
      },
    });
    await TopicRemoteLogMetadataLog.ensureTopic(cluster.admin, 3, 3);
    metadataLog = new TopicRemoteLogMetadataLog({ bootstrap: cluster.brokers.addresses(), numPartitions: 3 });
    const parsed = parseClusterTieringConfig({
      'remote.log.storage.system.enable': 'true',
      'rsm.config.storage.s3.endpoint.url': minio.endpointUrl,
      'rsm.config.storage.s3.region': 'us-east-1',
      'rsm.config.storage.s3.bucket.name': 'sluice-tiering-test',
      'rsm.config.storage.s3.path.style.access.enabled': 'true',
      'rsm.config.storage.aws.access.key.id': MINIO_USER,
      'rsm.config.storage.aws.secret.access.key': MINIO_PASSWORD,
      'rsm.config.key.prefix': PREFIX,
    });
    s3 = parsed.s3!;
    // One attempt per request: a stopped MinIO fails the run at once, the task retries later.
    store = new S3ObjectStore(s3, { maxAttempts: 1, requestTimeoutMs: 5_000 });
    await store.ensureBucket();
  });

  afterAll(async () => {
    for (const log of logs) log.close();
    await metadataLog?.close();
    store?.destroy();
    await cluster?.stop({ removeBaseDir: true });
    await minio?.destroy();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A partition log with `batches` batches of 5 records (~600 bytes each) in 16 KiB segments. */
  function writeLog(batches: number): PartitionLog {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tiered-log-'));
    dirs.push(dir);
    const log = PartitionLog.open({ dir, config: LOG_CONFIG });
    logs.push(log);
    for (let i = 0; i < batches; i++) {
      const records = Array.from({ length: 5 }, (_, r) => ({
        key: Buffer.from(`key-${i}-${r}`),
        value: Buffer.from(`value-${i}-${r}-`.padEnd(100, String.fromCharCode(97 + (i % 26)))),
        timestamp: Date.now(),
        offsetDelta: r,
      }));
      const epoch = i < batches / 2 ? 3 : 4; // two leader epochs, to see them in the checkpoint
      const batch = encodeRecordBatch({
        compression: CompressionType.None,
        producerId: 1000,
        producerEpoch: 0,
        baseSequence: i * 5,
        records,
      });
      log.append(batch, { leaderEpoch: epoch });
    }
    return log;
  }

  /** Until no GET has started for a while (readahead runs in the background). */
  async function waitForQuiet(objects: S3ObjectStore): Promise<void> {
    for (let last = -1; objects.counters().getRequests !== last;) {
      last = objects.counters().getRequests;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  function readAllLocal(log: PartitionLog): Buffer {
    const parts: Buffer[] = [];
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const read = log.read(offset, 1024 * 1024);
      parts.push(read.records);
      offset = read.lastOffset! + 1;
    }
    return Buffer.concat(parts);
  }

  async function readAllTiered(tierer: PartitionTierer, endOffset: number, maxBytes: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let offset = 0;
    while (offset < endOffset) {
      const read = await tierer.read(offset, maxBytes);
      expect(read.firstOffset).not.toBeNull();
      parts.push(read.records);
      offset = read.lastOffset! + 1;
    }
    return Buffer.concat(parts);
  }

  function options(
    log: PartitionLog,
    partition: number,
    overrides: Partial<PartitionTiererOptions> = {},
  ): PartitionTiererOptions {
    return {
      log,
      topic: TOPIC,
      topicId: TOPIC_ID,
      partition,
      brokerId: 1,
      leaderEpoch: () => log.latestEpoch() ?? 0,
      highWatermark: () => log.logEndOffset,
      config: TIERING,
      store,
      keyPrefix: PREFIX,
      metadataLog,
      reader: new RemoteSegmentReader(store, new ChunkCache(store, CHUNK_BYTES, CACHE_BYTES), PREFIX),
      nowMs: () => Date.now(),
      newUploadId: () => randomUUID(),
      maxSegmentsPerRun: 4,
      ...overrides,
    };
  }

  async function runUntilCopied(tierer: PartitionTierer): Promise<number> {
    let copied = 0;
    let moreToCopy: boolean | null = null;
    for (let run = 0; run < 50; run++) {
      const result = await tierer.runOnce();
      // A run says whether it left rolled segments for the next (the broker then runs again at once).
      if (moreToCopy !== null) expect(moreToCopy).toBe(result.copiedSegments > 0);
      moreToCopy = result.moreToCopy;
      copied += result.copiedSegments;
      if (result.copiedSegments === 0) return copied;
    }
    throw new Error('tiering did not finish in 50 runs');
  }

  async function partitionKeys(partition: number): Promise<string[]> {
    return (await store.list(partitionObjectPrefix(PREFIX, TOPIC, TOPIC_ID, partition))).map((o) => o.key).sort();
  }

  it('copies rolled segments with their indexes, deletes local segments only once copied, and serves offset 0 from MinIO byte-identical', async () => {
    const log = writeLog(400);
    const original = readAllLocal(log);
    const endOffset = log.logEndOffset;
    const segmentsBefore = log.segmentCount;
    expect(segmentsBefore).toBeGreaterThan(8);

    const tierer = await PartitionTierer.open(options(log, 0));
    const copied = await runUntilCopied(tierer);
    expect(copied).toBe(segmentsBefore - 1); // every rolled segment; the active one stays

    // Local: only the active segment is left; remote: one object per copied segment (the .log, its
    // indexes, epoch checkpoint and producer snapshot bundled after the segment's bytes).
    expect(log.segmentCount).toBe(1);
    expect(readdirSync(log.dir).filter((name) => name.endsWith('.log'))).toHaveLength(1);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
    const remote = tierer.state.copied();
    expect(remote).toHaveLength(copied);
    expect(await partitionKeys(0)).toEqual(remote.flatMap((segment) => remoteObjectKeys(PREFIX, segment)).sort());
    expect(remote.every((segment) => segment.indexes !== undefined && segment.indexesInLog === true)).toBe(true);
    expect(await partitionKeys(0)).toHaveLength(copied);
    // The object is the segment's bytes, then the bundle; the segment's size is the segment's alone.
    const listed = new Map(
      (await store.list(partitionObjectPrefix(PREFIX, TOPIC, TOPIC_ID, 0))).map((o) => [o.key, o.sizeBytes]),
    );
    for (const segment of remote) {
      expect(listed.get(remoteObjectKey(PREFIX, segment, 'log'))).toBe(remoteLogObjectBytes(segment));
      expect(remoteLogObjectBytes(segment)).toBeGreaterThan(segment.segmentSizeBytes);
    }
    expect(tierer.logStartOffset()).toBe(0);
    expect(remote[remote.length - 1]!.endOffset + 1).toBe(log.logStartOffset);

    // The leader-epoch checkpoint and the producer snapshot travel with the segment.
    const last = remote[remote.length - 1]!;
    const [checkpointBytes, snapshotBytes] = await readIndexParts(store, PREFIX, last, [
      'leader-epoch-checkpoint',
      'producer-snapshot',
    ]);
    expect(checkpointBytes!.toString()).toBe('0\n2\n3 0\n4 1000\n');
    const snapshot = decodeProducerSnapshot(snapshotBytes!, 'last segment');
    expect(snapshot.endOffset).toBe(last.endOffset);
    expect(snapshot.producers).toHaveLength(1);
    expect(snapshot.producers[0]).toMatchObject({ producerId: 1000, producerEpoch: 0 });
    expect(snapshot.producers[0]!.batches).toHaveLength(5);
    expect(snapshot.producers[0]!.batches.at(-1)).toEqual({
      firstSequence: last.endOffset - 4,
      lastSequence: last.endOffset,
      firstOffset: last.endOffset - 4,
      lastOffset: last.endOffset,
      maxTimestampMs: last.maxTimestampMs,
    });

    // From offset 0: remote segments, then the local one; the same bytes as before tiering.
    const gets = store.counters().getRequests;
    expect((await readAllTiered(tierer, endOffset, 3000)).equals(original)).toBe(true);
    expect(store.counters().getRequests).toBeGreaterThan(gets);

    // Lookups by time below the local log start: the oldest record qualifies for time 0; nothing
    // remote is newer than the future (the local log answers those).
    expect(await tierer.offsetForTimestamp(0)).toEqual({ offset: 0, timestampMs: expect.any(Number) });
    expect(await tierer.offsetForTimestamp(Date.now() + 3_600_000)).toBeNull();

    // A new leader replays the metadata topic and reads the same bytes.
    const reader = new RemoteSegmentReader(store, new ChunkCache(store, CHUNK_BYTES, CACHE_BYTES), PREFIX);
    const successor = await PartitionTierer.open(options(log, 0, { reader }));
    expect(successor.state.copied()).toEqual(remote);
    expect((await readAllTiered(successor, endOffset, 64 * 1024)).equals(original)).toBe(true);
  });

  it('copies consecutive small segments as one remote segment (copyMergeMaxBytes): one PUT and one object each, read back byte-identical from any offset', async () => {
    const log = writeLog(400);
    const original = readAllLocal(log);
    const endOffset = log.logEndOffset;
    const bases = log.segmentBaseOffsets();
    const segmentsBefore = bases.length;
    expect(segmentsBefore).toBeGreaterThan(8);
    const mergeBytes = 64 * 1024; // four 16 KiB segments
    const tierer = await PartitionTierer.open(
      options(log, 13, { copyMergeMaxBytes: mergeBytes, maxSegmentsPerRun: 16 }),
    );
    const putsBefore = store.counters().putRequests;
    const copied = await runUntilCopied(tierer);
    expect(copied).toBe(segmentsBefore - 1); // local segments copied; the active one stays
    expect(tierer.totals().copiedSegments).toBe(segmentsBefore - 1);
    expect(log.segmentCount).toBe(1);

    // Fewer remote segments than local ones, each within the bound, contiguous from offset 0 to
    // the local log start, each starting at a local segment's base: one PUT and one object each.
    const remote = tierer.state.copied();
    expect(remote.length).toBeLessThanOrEqual(Math.ceil((segmentsBefore - 1) / 3));
    expect(remote.length).toBeGreaterThan(1);
    expect(store.counters().putRequests - putsBefore).toBe(remote.length);
    expect(await partitionKeys(13)).toEqual(remote.map((segment) => remoteObjectKey(PREFIX, segment, 'log')).sort());
    expect(remote[0]!.startOffset).toBe(0);
    for (const [i, segment] of remote.entries()) {
      expect(segment.segmentSizeBytes).toBeLessThanOrEqual(mergeBytes);
      expect(bases).toContain(segment.startOffset);
      if (i > 0) expect(segment.startOffset).toBe(remote[i - 1]!.endOffset + 1);
    }
    expect(remote.at(-1)!.endOffset + 1).toBe(log.logStartOffset);
    // The merged segment holding the epoch change (3 -> 4 at offset 1000) carries both, unless it starts there.
    const spanning = remote.find((segment) => segment.startOffset <= 1000 && segment.endOffset >= 1000)!;
    expect(spanning.segmentLeaderEpochs.map(([epoch]) => epoch)).toEqual(spanning.startOffset === 1000 ? [4] : [3, 4]);
    const [checkpointBytes, snapshotBytes] = await readIndexParts(store, PREFIX, remote.at(-1)!, [
      'leader-epoch-checkpoint',
      'producer-snapshot',
    ]);
    expect(checkpointBytes!.toString()).toBe('0\n2\n3 0\n4 1000\n');
    expect(decodeProducerSnapshot(snapshotBytes!, 'last segment').endOffset).toBe(remote.at(-1)!.endOffset);

    // Whole, from offset 0, with small reads (the merged offset index at work) and large ones.
    for (const maxBytes of [700, 3000, 64 * 1024])
      expect((await readAllTiered(tierer, endOffset, maxBytes)).equals(original)).toBe(true);
    // From every local segment's base and from offsets inside batches: the batch holding it first.
    for (const offset of [...bases.slice(1, -1), 1, 502, 1003, endOffset - 7]) {
      const read = await tierer.read(offset, 1);
      expect(read.firstOffset).toBeLessThanOrEqual(offset);
      expect(read.lastOffset).toBeGreaterThanOrEqual(offset);
    }
    expect(await tierer.offsetForTimestamp(0)).toEqual({ offset: 0, timestampMs: expect.any(Number) });

    // A new leader replays the same remote log and reads the same bytes.
    const successor = await PartitionTierer.open(options(log, 13));
    expect(successor.state.copied()).toEqual(remote);
    expect((await readAllTiered(successor, endOffset, 3000)).equals(original)).toBe(true);
    await expect(PartitionTierer.open(options(log, 13, { copyMergeMaxBytes: -1 }))).rejects.toThrow(RangeError);
  });

  it("gives a replica starting at the local log start the leader's epochs and the cumulative producer state from remote storage", async () => {
    // Producer 2000 writes only in the first segment, 1000 throughout, over two leader epochs.
    const log = writeLog(0);
    const appendBatch = (producerId: number, baseSequence: number, epoch: number): void => {
      const records = Array.from({ length: 5 }, (_, r) => ({
        key: null,
        value: Buffer.alloc(100, r),
        timestamp: Date.now(),
        offsetDelta: r,
      }));
      log.append(
        encodeRecordBatch({ compression: CompressionType.None, producerId, producerEpoch: 1, baseSequence, records }),
        { leaderEpoch: epoch },
      );
    };
    for (let i = 0; i < 3; i++) appendBatch(2000, i * 5, 6);
    for (let i = 0; i < 150; i++) appendBatch(1000, i * 5, i < 60 ? 6 : 8);
    const epochsBefore = [...log.epochEntries()];
    const tierer = await PartitionTierer.open(options(log, 5));
    await runUntilCopied(tierer);
    const start = log.logStartOffset;
    expect(start).toBeGreaterThan(100);

    const aux = (await readRemoteLogAuxState(tierer.state, store, PREFIX, start))!;
    expect(aux.segment.endOffset).toBe(start - 1);
    // Every epoch that began below the start, as the leader had them before local retention.
    expect(aux.leaderEpochs).toEqual(epochsBefore.filter((entry) => entry.startOffset < start));
    expect(aux.producerSnapshotProblem).toBeNull();
    const snapshot = aux.producerSnapshot!;
    expect(snapshot.endOffset).toBe(start - 1);
    // Cumulative: producer 2000 is there though the last segment holds none of its batches.
    expect(snapshot.producers.map((p) => p.producerId)).toEqual([2000, 1000]);
    expect(snapshot.producers[0]!.batches.map((b) => [b.firstOffset, b.lastSequence])).toEqual([
      [0, 4],
      [5, 9],
      [10, 14],
    ]);
    expect(snapshot.producers[1]!.batches.at(-1)!.lastOffset).toBe(start - 1);

    // Restored into an empty replica log at the start: its epoch cache is the leader's.
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tiered-replica-'));
    dirs.push(dir);
    const replica = PartitionLog.open({ dir, config: LOG_CONFIG });
    logs.push(replica);
    replica.truncateFullyAndStartAt(start);
    replica.restoreLeaderEpochs(aux.leaderEpochs);
    expect(replica.epochEntries()).toEqual(log.epochEntries());

    // A successor leader's first copy continues from the last upload's snapshot (a new task).
    for (let i = 150; i < 200; i++) appendBatch(1000, i * 5, 8);
    const successor = await PartitionTierer.open(options(log, 5));
    await runUntilCopied(successor);
    const later = (await readRemoteLogAuxState(successor.state, store, PREFIX, log.logStartOffset))!;
    expect(later.producerSnapshot!.producers.map((p) => p.producerId)).toEqual([2000, 1000]);
    // Nothing remote below offset 0.
    expect(await readRemoteLogAuxState(successor.state, store, PREFIX, 0)).toBeNull();
  });

  it('an idle partition costs no object-store request and no metadata record per run once copied; only rolled segments are copied, and segment.ms rolls on the next append', async () => {
    // A clock the test moves: segment.ms is 60 s, and an hour of task runs passes in a loop.
    let clockMs = Date.now();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tiered-idle-'));
    dirs.push(dir);
    const log = PartitionLog.open({
      dir,
      config: { ...LOG_CONFIG, segmentBytes: 1024 * 1024, segmentMs: 60_000 },
      clock: { nowMs: () => clockMs },
    });
    logs.push(log);
    let batchIndex = 0;
    const appendBatch = (): void => {
      const records = Array.from({ length: 5 }, (_, r) => ({
        key: Buffer.from(`idle-${batchIndex}-${r}`),
        value: Buffer.alloc(200, 97 + (batchIndex % 26)),
        timestamp: clockMs,
        offsetDelta: r,
      }));
      log.append(encodeRecordBatch({ compression: CompressionType.None, records }), { leaderEpoch: 1 });
      batchIndex++;
    };
    for (let i = 0; i < 10; i++) appendBatch();
    // Its own partition: the remote compaction test below tiers partition 7 against the same bucket.
    const tierer = await PartitionTierer.open(options(log, 8, { nowMs: () => clockMs }));
    const requests = (): number => {
      const c = store.counters();
      return c.putRequests + c.getRequests + c.deleteRequests + c.listRequests;
    };
    const metadataRecords = async (): Promise<number> => (await metadataLog.replay(TOPIC_ID, 8)).length;

    // Only the active segment holds data: nothing is rolled, nothing is copied (no partial upload).
    const before = requests();
    expect((await tierer.runOnce()).copiedSegments).toBe(0);
    expect(requests()).toBe(before);
    expect(await metadataRecords()).toBe(0);

    // segment.ms passes with no append: an idle partition does not roll (Kafka rolls on append), so
    // still nothing is copied. The next append rolls the old segment for time; that one is copied.
    clockMs += 61_000;
    expect((await tierer.runOnce()).copiedSegments).toBe(0);
    expect(log.segmentCount).toBe(1);
    appendBatch();
    expect(log.segmentCount).toBe(2);
    const putsBeforeCopy = store.counters().putRequests;
    expect((await tierer.runOnce()).copiedSegments).toBe(1);
    expect(store.counters().putRequests - putsBeforeCopy).toBe(1); // the .log, its indexes, epochs and snapshot after it
    const recordsAfterCopy = await metadataRecords();
    expect(recordsAfterCopy).toBe(2); // COPY_SEGMENT_STARTED, COPY_SEGMENT_FINISHED

    // Idle from here: an hour of runs at the default 30 s interval (120) makes no PUT, GET, LIST
    // or DELETE and writes no metadata record (no manifest to rewrite: the metadata is per segment).
    const idleBefore = store.counters();
    for (let run = 0; run < 120; run++) {
      clockMs += 30_000;
      const result = await tierer.runOnce();
      expect(result.copiedSegments + result.deletedRemoteSegments).toBe(0);
    }
    const idleAfter = store.counters();
    expect(idleAfter.putRequests - idleBefore.putRequests).toBe(0);
    expect(
      requests() -
        (idleBefore.putRequests + idleBefore.getRequests + idleBefore.deleteRequests + idleBefore.listRequests),
    ).toBe(0);
    expect(await metadataRecords()).toBe(recordsAfterCopy);
  });

  it('reads through a bounded chunk cache with ranged GETs', async () => {
    const log = writeLog(120);
    const original = readAllLocal(log);
    const endOffset = log.logEndOffset;
    const chunks = new ChunkCache(store, CHUNK_BYTES, CACHE_BYTES);
    const reader = new RemoteSegmentReader(store, chunks, PREFIX);
    // The copy quota's hook sees every segment before its copy, with its size.
    const admitted: number[] = [];
    const limiter = new ByteRateLimiter(50 * 1024 * 1024);
    const tierer = await PartitionTierer.open(
      options(log, 3, {
        reader,
        beforeCopy: async (bytes) => {
          admitted.push(bytes);
          await new Promise((resolve) => setTimeout(resolve, limiter.admit(bytes, Date.now())));
        },
      }),
    );
    await runUntilCopied(tierer);
    expect(admitted).toEqual(tierer.state.copied().map((segment) => segment.segmentSizeBytes));
    expect(tierer.totals()).toEqual({
      copiedSegments: admitted.length,
      copiedBytes: admitted.reduce((sum, bytes) => sum + bytes, 0),
      deletedRemoteSegments: 0,
      cleanedUnfinished: 0,
    });

    expect((await readAllTiered(tierer, endOffset, 2000)).equals(original)).toBe(true);
    const first = chunks.counters();
    expect(first.misses).toBeGreaterThan(0);
    expect(first.hits).toBeGreaterThan(0); // small reads share chunks
    expect(first.cachedBytes).toBeLessThanOrEqual(CACHE_BYTES);
    // The last chunks read are cached: reading the newest remote segment again costs no GET.
    const newest = tierer.state.copied().at(-1)!;
    const gets = store.counters().getRequests;
    await tierer.read(newest.endOffset, 100);
    expect(store.counters().getRequests).toBe(gets);

    // Readahead crosses segments: reading the end of one remote segment fetches the next one's
    // index and first chunk, so reading on into it waits for no GET.
    const [older, next] = tierer.state.copied();
    const fresh = new RemoteSegmentReader(store, new ChunkCache(store, CHUNK_BYTES, CACHE_BYTES), PREFIX);
    await fresh.read(older!, older!.endOffset, 100, next!);
    await waitForQuiet(store);
    const before = store.counters().getRequests;
    const onward = await fresh.read(next!, next!.startOffset, 1000, null);
    expect(onward.firstOffset).toBe(next!.startOffset);
    expect(store.counters().getRequests).toBe(before);
  });

  // One segment at a time, and groups of segments uploaded together (all of a group's attempts
  // are unfinished then, and all are cleaned up).
  it.each([
    { copyConcurrency: 1, partition: 1 },
    { copyConcurrency: 4, partition: 6 },
  ])(
    'an interrupted copy leaves no metadata claiming it, keeps local segments, and is cleaned up when the store is back (copyConcurrency $copyConcurrency)',
    async ({ copyConcurrency, partition }) => {
      const log = writeLog(100);
      const original = readAllLocal(log);
      const endOffset = log.logEndOffset;
      const segmentsBefore = log.segmentCount;
      const tierer = await PartitionTierer.open(options(log, partition, { copyConcurrency }));
      const attempted = Math.min(copyConcurrency, segmentsBefore - 1);
      expect(attempted).toBe(copyConcurrency === 1 ? 1 : 3);

      await minio.stop();
      try {
        await expect(tierer.runOnce()).rejects.toBeInstanceOf(RemoteStorageError);
      } finally {
        await minio.restart();
      }
      // Nothing readable remotely, nothing deleted locally, but the metadata remembers the attempt.
      expect(tierer.state.copied()).toEqual([]);
      expect(log.segmentCount).toBe(segmentsBefore);
      const unfinished = tierer.state.unfinished();
      expect(unfinished).toHaveLength(attempted);

      // A crashed uploader's leftovers: the attempt's own objects may be in the store. Put them
      // there, as a PUT that completed before the crash would have.
      const leftover = remoteObjectKey(PREFIX, unfinished[0]!.metadata, 'log');
      await store.put(leftover, Buffer.from('partial'));

      // A new leader (or the same task after a restart) replays, cleans up, copies with fresh upload ids.
      const resumed = await PartitionTierer.open(options(log, partition, { copyConcurrency }));
      expect(
        resumed.state
          .unfinished()
          .map((e) => e.metadata.id.uploadId)
          .sort(),
      ).toEqual(unfinished.map((e) => e.metadata.id.uploadId).sort());
      const first = await resumed.runOnce();
      expect(first.cleanedUnfinished).toBe(attempted);
      expect(resumed.totals().cleanedUnfinished).toBe(attempted);
      await runUntilCopied(resumed);
      expect(resumed.state.unfinished()).toEqual([]);
      for (const attempt of unfinished)
        expect(resumed.state.copied().some((s) => s.id.uploadId === attempt.metadata.id.uploadId)).toBe(false);
      // No orphan: every object under the partition is named by a copied segment.
      expect(await partitionKeys(partition)).toEqual(
        resumed.state
          .copied()
          .flatMap((s) => remoteObjectKeys(PREFIX, s))
          .sort(),
      );
      expect((await readAllTiered(resumed, endOffset, 8000)).equals(original)).toBe(true);
    },
  );

  it('compacts a compacted log remotely: a failed pass leaves the old uploads readable, a finished one swaps them at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tiered-compacted-log-'));
    dirs.push(dir);
    const log = PartitionLog.open({ dir, config: { ...LOG_CONFIG, cleanupPolicy: 'compact' } });
    logs.push(log);
    const model = new Map<string, string>();
    // Three rounds, each cleaned and copied before the next overwrites the same keys: three
    // remote uploads, each with a value of every key the later ones (and the local log) supersede.
    let tierer = await PartitionTierer.open(options(log, 7));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 60; i++) {
        const records = Array.from({ length: 5 }, (_, r) => {
          const key = `key-${(i * 5 + r) % (round === 2 ? 10 : 20)}`;
          const value = `round-${round}-${i}-${r}-`.padEnd(100, 'x');
          model.set(key, value);
          return { key: Buffer.from(key), value: Buffer.from(value), timestamp: Date.now(), offsetDelta: r };
        });
        log.append(encodeRecordBatch({ compression: CompressionType.None, records }), { leaderEpoch: 5 });
      }
      log.roll();
      log.compact(Date.now(), { maxOffset: log.logEndOffset });
      expect(await runUntilCopied(tierer)).toBeGreaterThan(0);
    }
    const before = tierer.state.copied();
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(log.logStartOffset).toBe(before[before.length - 1]!.endOffset + 1);
    const keysBefore = await partitionKeys(7);

    const readState = async (from: PartitionTierer): Promise<Map<string, string>> => {
      const state = new Map<string, string>();
      for (let offset = 0; offset < log.logEndOffset;) {
        const read = await from.read(offset, 64 * 1024);
        if (read.lastOffset === null) break;
        for (const batch of decodeRecordBatches(read.records))
          for (const r of batch.records) state.set(r.key!.toString(), r.value!.toString());
        offset = read.lastOffset + 1;
      }
      return state;
    };
    expect(await readState(tierer)).toEqual(model);

    // A PUT failing mid-pass: the new upload is cleaned up, the old ones stay readable as they were.
    // (A pass PUTs each new segment as one Buffer; copies stream files with putFile.)
    let failPuts = true;
    const faulty = {
      put: (key: string, body: Buffer) =>
        failPuts && key.endsWith('.log')
          ? Promise.reject(new RemoteStorageError('PutObject', key, new Error('injected')))
          : store.put(key, body),
      get: (key: string) => store.get(key),
      getRange: (key: string, start: number, end: number) => store.getRange(key, start, end),
      deleteMany: (keys: readonly string[]) => store.deleteMany(keys),
      putFile: (key: string, path: string, size: number, trailer?: Buffer) => store.putFile(key, path, size, trailer),
      putFiles: (key: string, files: readonly FileRange[], trailer?: Buffer) => store.putFiles(key, files, trailer),
      list: (prefix: string) => store.list(prefix),
      listMultipartUploads: (prefix: string) => store.listMultipartUploads(prefix),
      abortMultipartUpload: (key: string, uploadId: string) => store.abortMultipartUpload(key, uploadId),
    };
    const compaction = { intervalMs: 3_600_000, maxBytesPerPass: 1024 * 1024, dedupeBufferBytes: 1024 * 1024 };
    tierer = await PartitionTierer.open(options(log, 7, { store: faulty, remoteCompaction: compaction }));
    await expect(tierer.compactRemoteNow()).rejects.toThrow(/injected/);
    expect(tierer.state.copied()).toEqual(before);
    expect(tierer.state.unfinished()).toEqual([]);
    expect(await partitionKeys(7)).toEqual(keysBefore);
    expect(await readState(tierer)).toEqual(model);

    // The pass again: one upload replaces them all; each key's latest record survives once,
    // remote only where nothing local supersedes it; the old objects are gone.
    failPuts = false;
    const pass = await tierer.compactRemoteNow();
    expect(pass).toMatchObject({ skipped: null, segmentsReplaced: before.length, segmentsWritten: 1 });
    expect(pass!.bytesOut).toBeLessThan(pass!.bytesIn);
    const after = tierer.state.copied();
    expect(after).toHaveLength(1);
    expect(after[0]!.replacesUploadIds).toEqual(before.map((segment) => segment.id.uploadId));
    expect([after[0]!.startOffset, after[0]!.endOffset]).toEqual([0, before[before.length - 1]!.endOffset]);
    expect(await partitionKeys(7)).toEqual(remoteObjectKeys(PREFIX, after[0]!).sort());
    // The new upload is one object too: its segment's bytes, then its indexes bundle.
    expect(after[0]!.indexesInLog).toBe(true);
    const newLog = await store.getRange(remoteObjectKey(PREFIX, after[0]!, 'log'), 0, after[0]!.segmentSizeBytes);
    const remoteKeys = decodeRecordBatches(newLog).flatMap((batch) => batch.records.map((r) => r.key!.toString()));
    expect(new Set(remoteKeys).size).toBe(remoteKeys.length);
    // Round 2 wrote keys 0-9 again (copied, so remote), keys 10-19 last in round 1.
    expect(remoteKeys.sort()).toEqual([...model.keys()].sort());
    expect(await readState(tierer)).toEqual(model);
    expect(tierer.remoteCompactionTotals()).toMatchObject({ runs: 2, segmentsReplaced: before.length });

    // A new leader replaying the metadata sees the same remote log.
    const replayed = await PartitionTierer.open(options(log, 7));
    expect(replayed.state.copied()).toEqual(after);
    expect(replayed.state.unfinished()).toEqual([]);
  });

  it('keeps reading, building on and deleting uploads of the two older layouts (five objects per segment; a .log and a .indexes bundle)', async () => {
    const log = writeLog(200);
    const original = readAllLocal(log);
    const endOffset = log.logEndOffset;
    // The older layouts as their writers left them, made from a scratch partition's copies (local
    // segments kept) moved to partition 11: the first two segments as five objects each (metadata
    // without `indexes`), the next two as a .log and a .indexes bundle (`indexes` without
    // `indexesInLog`).
    const scratch = await PartitionTierer.open(
      options(log, 12, { config: { ...TIERING, localRetentionBytes: -1 }, maxSegmentsPerRun: 4 }),
    );
    expect((await scratch.runOnce()).copiedSegments).toBe(4);
    const older: RemoteSegmentMetadata[] = [];
    for (const [i, now] of scratch.state.copied().entries()) {
      const { indexes, indexesInLog: _inLog, ...rest } = now;
      const five = i < 2;
      const metadata: RemoteSegmentMetadata = five
        ? { ...rest, id: { ...now.id, partition: 11 } }
        : { ...rest, id: { ...now.id, partition: 11 }, indexes: indexes! };
      await metadataLog.append({ kind: 'segment', state: 'COPY_SEGMENT_STARTED', metadata, eventTimestampMs: 1 });
      const nowKey = remoteObjectKey(PREFIX, now, 'log');
      await store.put(remoteObjectKey(PREFIX, metadata, 'log'), await store.getRange(nowKey, 0, now.segmentSizeBytes));
      if (five) {
        const parts = await readIndexParts(store, PREFIX, now, [...INDEX_PARTS]);
        for (const [p, file] of INDEX_PARTS.entries())
          await store.put(remoteObjectKey(PREFIX, metadata, file), parts[p]!);
      } else {
        const bundle = await store.getRange(nowKey, now.segmentSizeBytes, remoteLogObjectBytes(now));
        await store.put(remoteObjectKey(PREFIX, metadata, 'indexes'), bundle);
      }
      await metadataLog.append({ kind: 'segment', state: 'COPY_SEGMENT_FINISHED', metadata, eventTimestampMs: 2 });
      older.push(metadata);
    }
    expect(await scratch.deletePartition()).toBe(4);
    expect(await partitionKeys(11)).toHaveLength(5 * 2 + 2 * 2);

    // A leader replaying partition 11 meets the older uploads and copies the rest in the layout of
    // now (one object each), its producer state built on the last older upload's snapshot.
    const tierer = await PartitionTierer.open(options(log, 11));
    expect(tierer.state.copied()).toEqual(older);
    const fiveEnd = older[1]!.endOffset;
    const bundleEnd = older[3]!.endOffset;
    await runUntilCopied(tierer);
    const copied = tierer.state.copied();
    expect(copied.slice(0, older.length)).toEqual(older);
    const inLog = copied.slice(older.length);
    expect(inLog.length).toBeGreaterThan(1);
    expect(inLog.every((segment) => segment.indexes !== undefined && segment.indexesInLog === true)).toBe(true);
    expect(await partitionKeys(11)).toEqual(copied.flatMap((segment) => remoteObjectKeys(PREFIX, segment)).sort());
    expect(await partitionKeys(11)).toHaveLength(5 * 2 + 2 * 2 + inLog.length);
    expect(log.logStartOffset).toBe(copied.at(-1)!.endOffset + 1);

    // Offset 0 byte-identical across the three layouts (a fresh reader: no index cached).
    const reader = new RemoteSegmentReader(store, new ChunkCache(store, CHUNK_BYTES, CACHE_BYTES), PREFIX);
    const successor = await PartitionTierer.open(options(log, 11, { reader }));
    expect((await readAllTiered(successor, endOffset, 3000)).equals(original)).toBe(true);

    // A replica's aux state from an upload of each layout; the snapshot of now is cumulative over
    // the older uploads' batches (producer 1000 wrote throughout).
    const fromFive = (await readRemoteLogAuxState(successor.state, store, PREFIX, fiveEnd + 1))!;
    expect(fromFive.segment).toEqual(older[1]);
    expect(fromFive.leaderEpochs).toEqual([{ epoch: 3, startOffset: 0 }]);
    expect(fromFive.producerSnapshot!.endOffset).toBe(fiveEnd);
    const fromBundle = (await readRemoteLogAuxState(successor.state, store, PREFIX, bundleEnd + 1))!;
    expect(fromBundle.segment).toEqual(older[3]);
    expect(fromBundle.producerSnapshot!.endOffset).toBe(bundleEnd);
    const fromNow = (await readRemoteLogAuxState(successor.state, store, PREFIX, log.logStartOffset))!;
    expect(fromNow.segment.indexesInLog).toBe(true);
    expect(fromNow.leaderEpochs).toEqual([
      { epoch: 3, startOffset: 0 },
      { epoch: 4, startOffset: 500 },
    ]);
    const producer = fromNow.producerSnapshot!.producers[0]!;
    expect(producer.producerId).toBe(1000);
    expect(producer.batches.at(-1)!.lastOffset).toBe(log.logStartOffset - 1);
    expect(producer.batches.at(-1)!.lastSequence).toBe(log.logStartOffset - 1);

    // A scrub names every object of every layout; deleting the partition removes them all.
    const listed = await store.list(partitionObjectPrefix(PREFIX, TOPIC, TOPIC_ID, 11));
    const named = new Set(successor.state.all().flatMap((entry) => remoteObjectKeys(PREFIX, entry.metadata)));
    const plan = planScrub(PREFIX, listed, named, Date.now(), 0);
    expect(plan.orphans).toEqual([]);
    expect(plan.named).toBe(listed.length);
    expect(await successor.deletePartition()).toBe(copied.length);
    expect(await partitionKeys(11)).toEqual([]);
  });

  it("remote compaction's GET cost: a pass reads every remote segment from its first source on, once", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tiered-compaction-cost-'));
    dirs.push(dir);
    const log = PartitionLog.open({ dir, config: { ...LOG_CONFIG, cleanupPolicy: 'compact' } });
    logs.push(log);
    // Eight rounds, each its own remote segment: 20 keys every round overwrites (superseded
    // remotely by the next round) and 20 of the round's own (kept).
    const ROUNDS = 8;
    const tierer0 = await PartitionTierer.open(options(log, 9));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < 8; i++) {
        const records = Array.from({ length: 5 }, (_, r) => {
          const key = i < 4 ? `shared-${i * 5 + r}` : `round-${round}-${i * 5 + r}`;
          return {
            key: Buffer.from(key),
            value: Buffer.from(`${key}-${round}-`.padEnd(100, 'x')),
            timestamp: Date.now(),
            offsetDelta: r,
          };
        });
        log.append(encodeRecordBatch({ compression: CompressionType.None, records }), { leaderEpoch: 5 });
      }
      log.roll();
      log.compact(Date.now(), { maxOffset: log.logEndOffset });
      expect(await runUntilCopied(tierer0)).toBe(1);
    }
    const remote = tierer0.state.copied();
    expect(remote).toHaveLength(ROUNDS);
    const remoteBytes = remote.reduce((sum, segment) => sum + segment.segmentSizeBytes, 0);
    const segmentBytes = remote[0]!.segmentSizeBytes;

    // Passes of two source segments: each GETs its sources, every newer remote segment (for the
    // key map) and, per new segment, the last source's epoch checkpoint and producer snapshot
    // (one ranged GET of its indexes bundle).
    // The new segments pay the copy quota too (remote.log.manager.copy.max.bytes.per.second).
    const paidForUpload: number[] = [];
    const tierer = await PartitionTierer.open(
      options(log, 9, {
        remoteCompaction: { intervalMs: 3_600_000, maxBytesPerPass: 2 * segmentBytes, dedupeBufferBytes: 1024 * 1024 },
        beforeCopy: async (bytes) => void paidForUpload.push(bytes),
      }),
    );
    const passCosts: Array<{ gets: number; logBytes: number; auxBytes: number }> = [];
    for (let pass = 0; pass < ROUNDS / 2; pass++) {
      const copiedBefore = tierer.state.copied();
      const before = store.counters();
      const result = await tierer.compactRemoteNow();
      const after = store.counters();
      expect(result).toMatchObject({ skipped: null, segmentsReplaced: 2, segmentsWritten: 1 });
      expect(paidForUpload.splice(0)).toEqual([result!.bytesOut]);
      // The two replaced are the first two not yet compacted: everything from them on is read.
      const readFrom = copiedBefore.findIndex((s) => s.startOffset === tierer.state.copied()[pass]!.startOffset);
      const read = copiedBefore.slice(readFrom);
      const logBytes = read.reduce((sum, s) => sum + s.segmentSizeBytes, 0);
      const gets = after.getRequests - before.getRequests;
      expect(gets).toBe(read.length + 1);
      const auxBytes = after.getBytes - before.getBytes - logBytes;
      expect(auxBytes).toBeGreaterThan(0);
      expect(auxBytes).toBeLessThan(1024);
      passCosts.push({ gets, logBytes, auxBytes });
    }
    // The first pass reads the whole remote log once (and then less, as it shrinks and the
    // passes move on): a cycle over R bytes in passes of M reads about R * R / (2 * M).
    expect(passCosts[0]!.logBytes).toBe(remoteBytes);
    expect(passCosts.map((c) => c.gets)).toEqual([9, 7, 5, 3]);
    for (let i = 1; i < passCosts.length; i++) expect(passCosts[i]!.logBytes).toBeLessThan(passCosts[i - 1]!.logBytes);
    expect(tierer.state.copied()).toHaveLength(ROUNDS / 2);
  });

  it('total retention deletes the oldest remote segments after moving the log start; topic deletion removes every object', async () => {
    const log = writeLog(200);
    const tierer = await PartitionTierer.open(options(log, 2));
    await runUntilCopied(tierer);
    const copied = tierer.state.copied();
    expect(copied.length).toBeGreaterThan(4);

    // retention.bytes over local + remote: keep about two segments' worth.
    const keepBytes = copied[0]!.segmentSizeBytes * 2 + log.sizeBytes;
    const limited = await PartitionTierer.open(
      options(log, 2, { config: { ...TIERING, totalRetentionBytes: keepBytes } }),
    );
    const result = await limited.runOnce();
    expect(result.deletedRemoteSegments).toBe(copied.length - 2);
    const kept = limited.state.copied();
    expect(kept.map((s) => s.id.uploadId)).toEqual(copied.slice(-2).map((s) => s.id.uploadId));
    expect(limited.logStartOffset()).toBe(kept[0]!.startOffset);
    await expect(limited.read(0, 1000)).rejects.toBeInstanceOf(OffsetOutOfRangeError);
    expect(await partitionKeys(2)).toEqual(kept.flatMap((s) => remoteObjectKeys(PREFIX, s)).sort());

    // Topic deletion: every object goes, and the metadata says so.
    expect(await limited.deletePartition()).toBe(2);
    expect(await partitionKeys(2)).toEqual([]);
    const replayed = await PartitionTierer.open(options(log, 2));
    expect(replayed.state.deleteState).toBe('DELETE_PARTITION_FINISHED');
    expect(replayed.state.all()).toEqual([]);
  });
});
