/**
 * kill -9 of a partition leader in the middle of a remote compaction pass, on real processes: one
 * controller, three brokers (RF 3) and MinIO. A compacted tiered topic with 1 MiB segments gets
 * every key once (copied to MinIO), then a third of the keys again, so remote compaction rewrites
 * each of the first remote segments into a smaller one. The copy quota paces the pass's new
 * segments (one segment's worth of bytes per second), so a pass takes seconds: the leader is
 * killed as soon as MinIO holds the first new segment (a `.log` object at a base offset that
 * already had one). Then: the pass was cut short (superseded records still remote), the new
 * leader's passes finish it (every remote record is its key's latest, nothing unfinished in the
 * metadata), `sluice tiering scrub --grace-ms 0` leaves exactly the objects the metadata names,
 * every offset is claimed by one readable upload only, and a consumer from offset 0 reads each
 * offset once, only latest values below the local log start, and ends with the model map's latest
 * value of every key, byte-identical.
 */
import { Consumer, Producer } from '../../packages/client/src';
import {
  remoteObjectKeys,
  TopicRemoteLogMetadataLog,
  type RemotePartitionState,
  type S3ObjectStore,
} from '../../packages/tiering/src';
import { ExitCode } from '@sluice/cli';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import { leaderOf } from './local-sluice';
import {
  brokerMetricSum,
  keyedValueFor,
  remoteRecords,
  replayRemoteState,
  startCompactedTieredCluster,
  stopTieredCluster,
  tieringScrub,
  type TieredCluster,
} from './tiered-support';

jest.setTimeout(300_000);

const TOPIC = 'tiered-compaction-kill';
const KEYS = 6000;
const SEGMENT_BYTES = 1024 * 1024;
/** The copy quota, one segment a second: the pass's new segments are PUT about 0.7 s apart. */
const COPY_BYTES_PER_SECOND = SEGMENT_BYTES;
const BUCKET = 'sluice-e2e-compaction-kill';
const PREFIX = 'compaction-kill/';
/** `<base offset, 20 digits>-<leader epoch>-<upload id>.log` */
const LOG_KEY = /\/(\d{20})-\d+-([^/]+)\.log$/;

describe('kill -9 of the leader in the middle of a remote compaction pass', () => {
  let started: TieredCluster | undefined;
  let cluster: LocalCluster;
  let store: S3ObjectStore;
  let tiering: Record<string, string>;

  beforeAll(async () => {
    started = await startCompactedTieredCluster({
      name: 'tiered-compaction-kill',
      place: { bucket: BUCKET, prefix: PREFIX },
      tiering: {
        'remote.log.manager.compaction.interval.ms': '1500',
        'remote.log.manager.copy.max.bytes.per.second': String(COPY_BYTES_PER_SECOND),
        // One remote segment per local one, so phase 0 leaves several for the pass to rewrite.
        'remote.log.manager.copy.merge.max.bytes': '0',
      },
      // The new leader is elected soon after the kill.
      controllerConfig: { 'broker.session.timeout.ms': 3_000 },
    });
    ({ cluster, store, tiering } = started);
  });

  afterAll(() => stopTieredCluster(started));

  it('loses no record, the new leader finishes the pass, and nothing is left that no metadata names', async () => {
    const { topicId } = await cluster.admin.createTopic({
      name: TOPIC,
      numPartitions: 1,
      replicationFactor: 3,
      configs: {
        'remote.storage.enable': 'true',
        'cleanup.policy': 'compact',
        'segment.bytes': String(SEGMENT_BYTES),
        'local.retention.bytes': '0',
        'min.cleanable.dirty.ratio': '0.01',
      },
    });
    const bootstrap = cluster.brokers.addresses();
    const prefix = `${PREFIX}${TOPIC}-${topicId}/`;
    const model = new Map<string, Buffer>();
    const produce = async (keys: readonly number[], phase: number): Promise<void> => {
      const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 64 * 1024 });
      try {
        await Promise.all(
          keys.map((key) => {
            model.set(String(key), keyedValueFor(key, phase));
            return producer.send({ topic: TOPIC, partition: 0, key: String(key), value: keyedValueFor(key, phase) });
          }),
        );
      } finally {
        await producer.close();
      }
    };
    /** Upload ids of the `.log` objects seen so far, by base offset. */
    const uploadsByBase = new Map<string, Set<string>>();
    const listLogUploads = async (): Promise<void> => {
      for (const { key } of await store.list(prefix)) {
        const match = LOG_KEY.exec(key);
        if (match === null) continue;
        const uploads = uploadsByBase.get(match[1]!) ?? new Set<string>();
        uploads.add(match[2]!);
        uploadsByBase.set(match[1]!, uploads);
      }
    };

    // Phase 0: every key once; its segments copied (after the cleaner passed them) before phase 1,
    // so phase 1's overwrites leave superseded records in remote storage, not only locally.
    await produce(
      Array.from({ length: KEYS }, (_, key) => key),
      0,
    );
    await waitFor(
      "phase 0's rolled segments copied",
      async () => {
        await listLogUploads();
        return uploadsByBase.size >= 5;
      },
      90_000,
      200,
    );
    // Phase 1: a third of the keys again. Each remote segment of phase 0 loses a third of its
    // records: 2/3 + 2/3 > 1 segment, so each becomes a new segment of its own, one PUT apart.
    await produce(
      Array.from({ length: KEYS }, (_, key) => key).filter((key) => key % 3 === 0),
      1,
    );
    await waitFor(
      'the first new segment of a remote compaction pass in MinIO',
      async () => {
        await listLogUploads();
        return [...uploadsByBase.values()].some((uploads) => uploads.size > 1);
      },
      90_000,
      50,
    );
    const victim = await leaderOf(cluster, TOPIC, 0);
    await cluster.brokers.kill(victim, 'SIGKILL');

    const metadataLog = new TopicRemoteLogMetadataLog({ bootstrap, numPartitions: 3 });
    const isLatest = (r: { key: string; value: Buffer | null }): boolean =>
      r.value !== null && model.get(r.key)?.equals(r.value) === true;
    let state: RemotePartitionState;
    try {
      // The kill cut the pass short: a replacement was written (finished or not), yet records it
      // was to drop are still in the readable remote segments. (Typically the kill lands in the
      // quota wait of a replacement whose COPY_SEGMENT_STARTED is durable: an interrupted copy.)
      state = await replayRemoteState(metadataLog, topicId);
      const replacements = state.all().filter((entry) => (entry.metadata.replacesUploadIds ?? []).length > 0);
      expect(replacements.length).toBeGreaterThan(0);
      expect((await remoteRecords(store, PREFIX, state)).every(isLatest)).toBe(false);

      await waitFor('a new leader', async () => ![-1, victim].includes(await leaderOf(cluster, TOPIC, 0)), 60_000, 200);
      // The new leader's passes finish the work: nothing unfinished, every remote record latest.
      await waitFor(
        "the new leader's remote compaction done",
        async () => {
          state = await replayRemoteState(metadataLog, topicId);
          if (state.unfinished().length > 0) return false;
          return (await remoteRecords(store, PREFIX, state)).every(isLatest);
        },
        120_000,
        1000,
      );
      expect(
        await brokerMetricSum(cluster, 'sluice_broker_remote_compaction_runs_total', `topic="${TOPIC}"`),
      ).toBeGreaterThan(0);

      // The scrub (no grace) leaves exactly the objects of the readable uploads.
      const scrub = await tieringScrub(cluster.controllers.addresses(), tiering, '--grace-ms', '0');
      expect(scrub.err).toBe('');
      expect(scrub.code).toBe(ExitCode.OK);
      state = await replayRemoteState(metadataLog, topicId);
      expect(state.unfinished()).toEqual([]);
      const copied = state.copied();
      const named = copied.flatMap((segment) => remoteObjectKeys(PREFIX, segment)).sort();
      expect((await store.list(prefix)).map((o) => o.key).sort()).toEqual(named);
      // Each offset is claimed by one readable upload: the replaced ones are gone, none overlaps.
      expect(copied[0]!.startOffset).toBe(0);
      for (let i = 1; i < copied.length; i++) expect(copied[i]!.startOffset).toBe(copied[i - 1]!.endOffset + 1);
      const readable = new Set(copied.map((segment) => segment.id.uploadId));
      for (const segment of copied)
        for (const replaced of segment.replacesUploadIds ?? []) expect(readable.has(replaced)).toBe(false);
      expect(copied.some((segment) => (segment.replacesUploadIds ?? []).length > 0)).toBe(true);
    } finally {
      await metadataLog.close();
    }

    // A consumer from offset 0: every offset once, only latest values from remote storage, and
    // applying what it reads in order gives exactly the model.
    const assignment = [{ topic: TOPIC, partition: 0 }];
    const localStart = [...(await cluster.admin.listOffsets(assignment, 'earliest-local')).values()][0]!.offset;
    const end = [...(await cluster.admin.listOffsets(assignment, 'latest')).values()][0]!.offset;
    expect(localStart).toBeGreaterThan(0);
    const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest', maxPartitionFetchBytes: 256 * 1024 });
    const seen = new Map<string, Buffer>();
    let lastOffset = -1;
    let readTwice = 0;
    let staleBelowLocalStart = 0;
    try {
      consumer.assign(assignment);
      consumer.seekToBeginning(assignment);
      const deadline = Date.now() + 60_000;
      while (lastOffset < end - 1 && Date.now() < deadline) {
        for (const record of await consumer.poll(1000)) {
          if (record.offset <= lastOffset) readTwice++;
          lastOffset = record.offset;
          const key = record.key!.toString();
          if (record.offset < localStart && !isLatest({ key, value: record.value })) staleBelowLocalStart++;
          seen.set(key, record.value!);
        }
      }
    } finally {
      await consumer.close();
    }
    expect(readTwice).toBe(0);
    expect(staleBelowLocalStart).toBe(0);
    expect(lastOffset).toBe(end - 1);
    expect([...seen.keys()].sort()).toEqual([...model.keys()].sort());
    for (const [key, value] of model) expect(seen.get(key)!.equals(value)).toBe(true);
  });
});
