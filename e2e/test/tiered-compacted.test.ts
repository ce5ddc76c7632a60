/**
 * A compacted topic in tiered storage on real processes: one controller, three brokers (RF 3)
 * against MinIO. A topic with cleanup.policy=compact (compact only) and remote.storage.enable=true,
 * 1 MiB segments and local.retention.bytes=0 gets keyed records with many overwrites and some
 * tombstones, in phases. The leader copies a segment only once its cleaner has passed it, local
 * segments go after their copy, and remote compaction (remote.log.manager.compaction.interval.ms)
 * rewrites the remote segments against everything newer: at the end the bucket holds exactly one
 * record per key whose latest record is remote only (none superseded locally, no tombstone past
 * delete.retention.ms), the replaced uploads' objects are gone, the metadata names exactly what is
 * in the bucket (a scrub dry run finds no orphan), and a consumer from offset 0 (remote reads
 * across the gaps compaction leaves, then local) ends with exactly the latest value of every key,
 * byte-identical, as a model map says.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, Producer } from '../../packages/client/src';
import {
  RemotePartitionState,
  remoteObjectKeys,
  TopicRemoteLogMetadataLog,
  type S3ObjectStore,
} from '../../packages/tiering/src';
import { ExitCode } from '@sluice/cli';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
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

const TOPIC = 'tiered-compacted';
const KEYS = 512;
const ROUNDS = 40;
/** Rounds written before waiting for their copy: each phase is copied before the next is written. */
const ROUNDS_PER_PHASE = 10;
const BUCKET = 'sluice-e2e-compacted';
const PREFIX = 'compacted/';

/**
 * The workload, undefined = not written that round: every key in rounds 0-19, then only keys
 * = 0 (mod 4) (their latest records end up local; the others' latest stay remote only). Keys
 * = 1 (mod 5) get a tombstone in round 10 and come back; keys = 2 (mod 5) a tombstone in round 15
 * and nothing after (remote tombstones, dropped once delete.retention.ms has passed); keys
 * = 0 (mod 8) a tombstone in the last round (local).
 */
function valueAt(key: number, round: number): Buffer | null | undefined {
  if (round >= 20 && key % 4 !== 0) return undefined;
  if (key % 5 === 2 && round >= 15) return round === 15 ? null : undefined;
  if (key % 5 === 1 && round === 10) return null;
  if (key % 8 === 0 && round === ROUNDS - 1) return null;
  return keyedValueFor(key, round);
}

function localSegments(cluster: LocalCluster, nodeId: number): string[] {
  try {
    return readdirSync(join(cluster.brokers.dataDir(nodeId), `${TOPIC}-0`)).filter((name) => name.endsWith('.log'));
  } catch {
    return [];
  }
}

describe('a compacted topic in tiered storage on real brokers and MinIO', () => {
  let started: TieredCluster | undefined;
  let cluster: LocalCluster;
  let store: S3ObjectStore;
  let tiering: Record<string, string>;

  beforeAll(async () => {
    started = await startCompactedTieredCluster({
      name: 'tiered-compacted',
      place: { bucket: BUCKET, prefix: PREFIX },
      tiering: { 'remote.log.manager.compaction.interval.ms': '1500' },
    });
    ({ cluster, store, tiering } = started);
  });

  afterAll(() => stopTieredCluster(started));

  it('copies cleaned segments, compacts them remotely, and a consumer from 0 reads the latest value of every key', async () => {
    await cluster.admin.createTopic({
      name: TOPIC,
      numPartitions: 1,
      replicationFactor: 3,
      configs: {
        'remote.storage.enable': 'true',
        'cleanup.policy': 'compact',
        'segment.bytes': '1048576',
        'local.retention.bytes': '0',
        'min.cleanable.dirty.ratio': '0.01',
        'delete.retention.ms': '2000',
      },
    });
    const bootstrap = cluster.brokers.addresses();
    const described = await cluster.admin.describeTopic(TOPIC);
    const prefix = `${PREFIX}${TOPIC}-${described.topicId}/`;
    const remoteSegmentCount = async (): Promise<number> =>
      (await store.list(prefix)).filter((o) => o.key.endsWith('.log')).length;
    const model = new Map<string, Buffer>();
    const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 64 * 1024 });
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const inFlight: Promise<unknown>[] = [];
        for (let key = 0; key < KEYS; key++) {
          const value = valueAt(key, round);
          if (value === undefined) continue;
          inFlight.push(producer.send({ topic: TOPIC, partition: 0, key: String(key), value }));
          if (value === null) model.delete(String(key));
          else model.set(String(key), value);
        }
        await Promise.all(inFlight);
        // Each phase copied before the next is written: the cleaner would otherwise merge all of
        // it into one small segment before the first copy, and later phases overwrite keys whose
        // older values are already remote (what remote compaction is for).
        const phase = Math.floor(round / ROUNDS_PER_PHASE);
        if (round % ROUNDS_PER_PHASE === ROUNDS_PER_PHASE - 1 && round < ROUNDS - 1) {
          await waitFor(`phase ${phase} copied`, async () => (await remoteSegmentCount()) > 0, 60_000, 200);
        }
      }
    } finally {
      await producer.close();
    }

    // The keys whose latest record is remote only: one record each (round 19's value) once remote
    // compaction has caught up; keys superseded locally and expired tombstones are gone remotely.
    const expectedRemote = new Map<string, Buffer>();
    for (let key = 0; key < KEYS; key++) {
      if (key % 4 !== 0 && key % 5 !== 2) expectedRemote.set(String(key), keyedValueFor(key, 19));
    }
    const metadataLog = new TopicRemoteLogMetadataLog({ bootstrap, numPartitions: 3 });
    let state = new RemotePartitionState(described.topicId, 0);
    const remote = async (): Promise<Array<{ key: string; value: Buffer | null }>> => {
      state = await replayRemoteState(metadataLog, described.topicId);
      return remoteRecords(store, PREFIX, state);
    };
    const earliestLocal = async (): Promise<number> =>
      [...(await cluster.admin.listOffsets([{ topic: TOPIC, partition: 0 }], 'earliest-local')).values()][0]!.offset;
    let localStart = 0;
    try {
      await waitFor(
        'remote segments compacted to one record per remote-only key, local segments copied and deleted',
        async () => {
          if (!cluster.brokers.nodeIds.every((nodeId) => localSegments(cluster, nodeId).length <= 2)) return false;
          localStart = await earliestLocal();
          const records = await remote();
          if (state.unfinished().length > 0 || records.length !== expectedRemote.size) return false;
          return records.every((r) => r.value !== null && expectedRemote.get(r.key)?.equals(r.value) === true);
        },
        150_000,
        1000,
      );
      expect(new Set((await remote()).map((r) => r.key)).size).toBe(expectedRemote.size);
      expect(localStart).toBeGreaterThan(KEYS * 20);

      // Remote compaction ran and replaced uploads: the metadata names exactly what is in the
      // bucket (the replaced uploads' objects gone, no orphan); remote segments stay contiguous.
      const copied = state.copied();
      expect(copied.some((segment) => (segment.replacesUploadIds ?? []).length > 0)).toBe(true);
      const named = copied.flatMap((segment) => remoteObjectKeys(PREFIX, segment)).sort();
      const inBucket = (await store.list(prefix)).map((o) => o.key).sort();
      expect(inBucket).toEqual(named);
      for (const segment of copied)
        for (const replaced of segment.replacesUploadIds ?? [])
          expect(inBucket.some((key) => key.includes(replaced))).toBe(false);
      for (let i = 1; i < copied.length; i++) expect(copied[i]!.startOffset).toBe(copied[i - 1]!.endOffset + 1);
      expect(copied[0]!.startOffset).toBe(0);
    } finally {
      await metadataLog.close();
    }
    expect(
      await brokerMetricSum(cluster, 'sluice_broker_remote_compaction_runs_total', `topic="${TOPIC}"`),
    ).toBeGreaterThan(0);
    expect(
      await brokerMetricSum(cluster, 'sluice_broker_remote_compaction_records_dropped_total', `topic="${TOPIC}"`),
    ).toBeGreaterThan(0);
    const bytesIn = await brokerMetricSum(
      cluster,
      'sluice_broker_remote_compaction_bytes_in_total',
      `topic="${TOPIC}"`,
    );
    const bytesOut = await brokerMetricSum(
      cluster,
      'sluice_broker_remote_compaction_bytes_out_total',
      `topic="${TOPIC}"`,
    );
    expect(bytesOut).toBeLessThan(bytesIn);

    const scrub = await tieringScrub(cluster.controllers.addresses(), tiering, '--dry-run', '--grace-ms', '0');
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
    let readBelowLocalStart = 0;
    const deadline = Date.now() + 120_000;
    while (lastOffset < end - 1 && Date.now() < deadline) {
      for (const record of await consumer.poll(1000)) {
        if (record.offset <= lastOffset) outOfOrder++;
        lastOffset = record.offset;
        if (record.offset < localStart) readBelowLocalStart++;
        const key = record.key!.toString();
        if (record.value === null) seen.delete(key);
        else seen.set(key, record.value);
      }
    }
    await consumer.close();
    expect(outOfOrder).toBe(0);
    expect(lastOffset).toBe(end - 1);
    expect(readBelowLocalStart).toBe(expectedRemote.size);
    expect([...seen.keys()].sort()).toEqual([...model.keys()].sort());
    for (const [key, value] of model) expect(seen.get(key)!.equals(value)).toBe(true);
  });
});
