/**
 * Tiered storage on real processes: one controller, three brokers (RF 3) with
 * remote.log.storage.system.enable=true against MinIO (built by scripts/build-minio.sh, a process
 * on loopback). A topic with remote.storage.enable=true, 1 MiB segments (Kafka 4's minimum) and
 * local.retention.bytes=0 gets DATA_BYTES written through the SDK; then the leaders' tiering
 * tasks have copied every rolled segment to MinIO (objects listed there, remote-log metadata in
 * __remote_log_metadata), the leaders and followers have deleted their local copies, and a
 * consumer from offset 0 reads every record back, byte-identical, through the brokers (remote
 * reads below the local log start). Scaled to a few minutes on two cores: the 1 GiB run
 * is `SLUICE_TIERING_E2E_MIB=1024 npx jest e2e/test/tiered-storage.test.ts --testTimeout=3600000`.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, Producer, type ConsumerRecord } from '../../packages/client/src';
import {
  parseClusterTieringConfig,
  RemotePartitionState,
  remoteLogObjectBytes,
  remoteObjectKey,
  remoteObjectKeys,
  S3ObjectStore,
  TopicRemoteLogMetadataLog,
} from '../../packages/tiering/src';
import { ExitCode } from '@sluice/cli';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import { createGrpcClient, unaryCall } from '../../packages/proto/src';
import { decodeRecordBatches } from '../../packages/protocol/src';
import { startMinio, type RunningMinio } from '../../test-support/minio';
import { leaderOf, startSluice } from './local-sluice';
import {
  brokerMetricSum,
  epochEndOffsets,
  idempotentBatch,
  localSegments as localSegmentsIn,
  produceRaw as produceRawTo,
  sluiceCli,
  TIERED_PREFIX,
  tieringBrokerConfig,
  VALUE_BYTES,
  valueFor,
} from './tiered-support';

const DATA_MIB = Number(process.env.SLUICE_TIERING_E2E_MIB ?? 24);
jest.setTimeout(Math.max(300_000, DATA_MIB * 20_000));

const TOPIC = 'tiered-e2e';
const PARTITIONS = 3;
/** A multiple of PARTITIONS: records go round-robin, so each partition's high watermark is RECORDS / PARTITIONS. */
const RECORDS = Math.floor((DATA_MIB * 1024 * 1024) / VALUE_BYTES / PARTITIONS) * PARTITIONS;
const PREFIX = TIERED_PREFIX;

function localSegments(cluster: LocalCluster, nodeId: number, partition: number, topic = TOPIC): string[] {
  return localSegmentsIn(cluster.brokers.dataDir(nodeId), topic, partition);
}

/** Sends `count` records (seq from `firstSeq`) round-robin over the partitions; all acknowledged. */
async function produce(
  bootstrap: readonly string[],
  topic: string,
  partitions: number,
  firstSeq: number,
  count: number,
): Promise<void> {
  const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 256 * 1024 });
  try {
    const inFlight: Promise<unknown>[] = [];
    for (let seq = firstSeq; seq < firstSeq + count; seq++) {
      inFlight.push(producer.send({ topic, partition: seq % partitions, key: String(seq), value: valueFor(seq) }));
      if (inFlight.length >= 2000) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
  } finally {
    await producer.close();
  }
}

/** Reads every partition from offset 0 to `count` records in all; the checker's mismatches (0 expected). */
async function readBackFromZero(
  bootstrap: readonly string[],
  topic: string,
  partitions: number,
  count: number,
): Promise<{ received: number; mismatches: number }> {
  const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest', maxPartitionFetchBytes: 1024 * 1024 });
  const assignment = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
  consumer.assign(assignment);
  consumer.seekToBeginning(assignment);
  const nextOffset = new Map<number, number>();
  let received = 0;
  let mismatches = 0;
  const deadline = Date.now() + 240_000;
  try {
    while (received < count && Date.now() < deadline) {
      for (const record of await consumer.poll(1000)) {
        if (record.offset !== (nextOffset.get(record.partition) ?? 0)) mismatches++;
        nextOffset.set(record.partition, record.offset + 1);
        const seq = Number(record.key!.toString());
        if (seq % partitions !== record.partition || !record.value!.equals(valueFor(seq))) mismatches++;
        received++;
      }
    }
  } finally {
    await consumer.close();
  }
  return { received, mismatches };
}

describe('tiered storage on real brokers and MinIO', () => {
  let minio: RunningMinio;
  let cluster: LocalCluster;
  let store: S3ObjectStore;
  let tieringSettings: Record<string, string>;

  beforeAll(async () => {
    minio = await startMinio();
    const tiering = tieringBrokerConfig(minio.endpointUrl);
    cluster = await startSluice({
      name: 'tiered',
      // Followers drop what lies below the leader's log start on their retention pass.
      brokerConfig: { ...tiering, 'log.retention.check.interval.ms': 1000 },
    });
    tieringSettings = tiering;
    store = new S3ObjectStore(parseClusterTieringConfig(tiering).s3!);
    await cluster.admin.createTopic({
      name: TOPIC,
      numPartitions: PARTITIONS,
      replicationFactor: 3,
      configs: { 'remote.storage.enable': 'true', 'segment.bytes': '1048576', 'local.retention.bytes': '0' },
    });
  });

  afterAll(async () => {
    store?.destroy();
    await cluster?.stop({ removeBaseDir: true });
    await minio?.destroy();
  });

  it('copies rolled segments to MinIO, deletes them locally, and serves offset 0 byte-identical', async () => {
    const bootstrap = cluster.brokers.addresses();
    const producer = new Producer({ bootstrap, lingerMs: 5, batchSizeBytes: 256 * 1024 });
    const sentPerPartition = new Map<number, number>();
    const inFlight: Promise<unknown>[] = [];
    for (let seq = 0; seq < RECORDS; seq++) {
      const partition = seq % PARTITIONS;
      inFlight.push(producer.send({ topic: TOPIC, partition, key: String(seq), value: valueFor(seq) }));
      sentPerPartition.set(partition, (sentPerPartition.get(partition) ?? 0) + 1);
      if (inFlight.length >= 2000) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    await producer.close();

    // Every partition's rolled segments are copied and gone from every replica's disk: at most the
    // active segment and one rolled since the last task run remain.
    const described = await cluster.admin.describeTopic(TOPIC);
    await waitFor(
      'local segments of the tiered topic deleted after their copy',
      () =>
        described.partitions.every((p) =>
          cluster.brokers.nodeIds.every((nodeId) => localSegments(cluster, nodeId, p.partition).length <= 2),
        ),
      120_000,
      500,
    );
    const objects = await store.list(`${PREFIX}${TOPIC}-${described.topicId}/`);
    const segmentObjects = objects.filter((o) => o.key.endsWith('.log'));
    // Each copied segment travels as ONE object: its bytes, then its indexes, leader-epoch
    // checkpoint and producer snapshot bundled after them (the metadata says where each part lies).
    expect(segmentObjects).toHaveLength(objects.length);
    const objectBytes = new Map(segmentObjects.map((o) => [o.key, o.sizeBytes]));
    const metadataLog = new TopicRemoteLogMetadataLog({ bootstrap, numPartitions: 3 });
    let remoteBytes = 0;
    try {
      for (const p of described.partitions) {
        const state = new RemotePartitionState(described.topicId, p.partition);
        for (const record of await metadataLog.replay(described.topicId, p.partition)) state.apply(record);
        for (const segment of state.copied()) {
          expect(segment.indexesInLog).toBe(true);
          expect(objectBytes.get(remoteObjectKey(PREFIX, segment, 'log'))).toBe(remoteLogObjectBytes(segment));
          remoteBytes += segment.segmentSizeBytes;
        }
      }
    } finally {
      await metadataLog.close();
    }
    const expectedMiB = (RECORDS * VALUE_BYTES) / (1024 * 1024);
    // Most of the data is remote now: at least all but the last ~2 MiB of each partition.
    expect(remoteBytes / (1024 * 1024)).toBeGreaterThan(expectedMiB - 3 * PARTITIONS);
    for (const p of described.partitions) {
      expect(segmentObjects.some((o) => o.key.includes(`/${TOPIC}-${described.topicId}/${p.partition}/`))).toBe(true);
    }

    // A consumer from offset 0 (ListOffsets earliest answers the remote log start, 0) reads every
    // record back through the brokers: the same offsets, keys and bytes.
    const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest', maxPartitionFetchBytes: 1024 * 1024 });
    const assignment = described.partitions.map((p) => ({ topic: TOPIC, partition: p.partition }));
    consumer.assign(assignment);
    const beginnings = await consumer.beginningOffsets(assignment);
    expect([...beginnings.values()].map((b) => b.offset)).toEqual(assignment.map(() => 0));
    consumer.seekToBeginning(assignment);
    const nextOffset = new Map<number, number>();
    const timestampsOfPartition0: number[] = [];
    let received = 0;
    let mismatches = 0;
    const deadline = Date.now() + 240_000;
    while (received < RECORDS && Date.now() < deadline) {
      const records: ConsumerRecord[] = await consumer.poll(1000);
      for (const record of records) {
        const expectedOffset = nextOffset.get(record.partition) ?? 0;
        if (record.offset !== expectedOffset) mismatches++;
        nextOffset.set(record.partition, record.offset + 1);
        const seq = Number(record.key!.toString());
        if (seq % PARTITIONS !== record.partition || !record.value!.equals(valueFor(seq))) mismatches++;
        if (record.partition === 0) timestampsOfPartition0.push(record.timestamp);
        received++;
      }
    }
    await consumer.close();
    expect(mismatches).toBe(0);
    expect(received).toBe(RECORDS);
    for (const [partition, count] of sentPerPartition) expect(nextOffset.get(partition)).toBe(count);

    // ListOffsets by time finds records in remote segments: the first offset whose timestamp is
    // at least the one asked, as the records read back say (not the local log start).
    const localStart0 = [
      ...(await cluster.admin.listOffsets([{ topic: TOPIC, partition: 0 }], 'earliest-local')).values(),
    ][0]!.offset;
    expect(localStart0).toBeGreaterThan(100);
    for (const probe of [0, 100, Math.floor(localStart0 / 2), localStart0 - 1]) {
      const timestampMs = timestampsOfPartition0[probe]!;
      const expected = timestampsOfPartition0.findIndex((ts) => ts >= timestampMs);
      const found = [
        ...(await cluster.admin.listOffsets([{ topic: TOPIC, partition: 0 }], { timestampMs })).values(),
      ][0]!;
      expect(found.offset).toBe(expected);
      expect(found.offset).toBeLessThan(localStart0);
    }

    // The leaders' /metrics saw it: bytes copied, bytes served from remote storage, PUTs and GETs.
    expect(
      await brokerMetricSum(cluster, 'sluice_broker_remote_copy_bytes_total', `topic="${TOPIC}"`),
    ).toBeGreaterThanOrEqual(remoteBytes);
    expect(
      await brokerMetricSum(cluster, 'sluice_broker_remote_fetch_bytes_total', `topic="${TOPIC}"`),
    ).toBeGreaterThan(0);
    // One PUT per copied segment: at least the objects listed above, and no more than the objects
    // there are after the count is read (a last rolled segment may have been copied since).
    const puts = await brokerMetricSum(cluster, 'sluice_broker_remote_storage_requests_total', 'operation="put"');
    expect(puts).toBeGreaterThanOrEqual(segmentObjects.length);
    expect(puts).toBeLessThanOrEqual((await store.list(`${PREFIX}${TOPIC}-${described.topicId}/`)).length);
    expect(
      await brokerMetricSum(cluster, 'sluice_broker_remote_storage_requests_total', 'operation="get"'),
    ).toBeGreaterThan(0);

    // The CLI shows where each partition starts remotely (0) and locally (past the copied segments).
    const status = await sluiceCli(
      'tiering',
      'status',
      TOPIC,
      '--bootstrap',
      cluster.controllers.addresses().join(','),
    );
    expect(status.code).toBe(ExitCode.OK);
    const rows = status.out.split('\n').filter((line) => line.includes('\tPartition: '));
    expect(rows).toHaveLength(PARTITIONS);
    for (const row of rows) {
      expect(row).toContain('LogStartOffset: 0\t');
      const local = Number(/LocalLogStartOffset: (\d+)/.exec(row)![1]);
      const highWatermark = Number(/HighWatermark: (\d+)/.exec(row)![1]);
      expect(local).toBeGreaterThan(0);
      expect(highWatermark).toBe(RECORDS / PARTITIONS);
    }
    const describedCli = await sluiceCli(
      'topic',
      'describe',
      TOPIC,
      '--bootstrap',
      cluster.controllers.addresses().join(','),
    );
    expect(describedCli.out).toMatch(/Partition: 0\tLogStartOffset: 0\tLocalLogStartOffset: [1-9]\d*\tHighWatermark: /);

    // Deleting the topic deletes its objects (the leaders' tasks, on their next run).
    await cluster.admin.deleteTopic(TOPIC);
    await waitFor(
      "the deleted topic's objects removed from MinIO",
      async () => (await store.list(`${PREFIX}${TOPIC}-${described.topicId}/`)).length === 0,
      60_000,
      500,
    );
  });

  const TIERED_CONFIGS = { 'remote.storage.enable': 'true', 'segment.bytes': '1048576', 'local.retention.bytes': '0' };

  async function waitUntilTiered(topic: string, partitions: number, timeoutMs = 120_000): Promise<void> {
    await waitFor(
      `local segments of ${topic} deleted after their copy`,
      () =>
        Array.from({ length: partitions }, (_, p) => p).every((p) =>
          cluster.brokers.nodeIds.every((nodeId) => localSegments(cluster, nodeId, p, topic).length <= 2),
        ),
      timeoutMs,
      500,
    );
  }

  it('MinIO stopped under load: producers and a tailing consumer are unaffected, nothing is lost, copying catches up', async () => {
    const topic = 'tiered-outage';
    const partitions = 2;
    const half = Math.floor((4 * 1024 * 1024) / VALUE_BYTES);
    const bootstrap = cluster.brokers.addresses();
    const { topicId } = await cluster.admin.createTopic({
      name: topic,
      numPartitions: partitions,
      replicationFactor: 3,
      configs: TIERED_CONFIGS,
    });
    await produce(bootstrap, topic, partitions, 0, half);
    await waitFor(
      'copying under way',
      async () => (await store.list(`${PREFIX}${topic}-${topicId}/`)).length > 0,
      60_000,
      200,
    );

    // Partition 0's leader has dropped some copied segments: offset 0 is served remotely only.
    await waitFor(
      'partition 0 of the outage topic partly remote',
      async () =>
        [...(await cluster.admin.listOffsets([{ topic, partition: 0 }], 'earliest-local')).values()][0]!.offset > 0,
      60_000,
      200,
    );

    await minio.stop();
    const outageStartedMs = Date.now();
    try {
      // A read below the local log start answers the retriable KAFKA_STORAGE_ERROR, by name.
      const leader = createGrpcClient('Broker', cluster.brokers.address(await leaderOf(cluster, topic, 0)));
      try {
        const answer = await unaryCall(
          leader,
          'Fetch',
          {
            replicaId: -1,
            maxWaitMs: 0,
            minBytes: 0,
            maxBytes: 1024 * 1024,
            topics: [{ name: topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 * 1024 }] }],
          },
          { timeoutMs: 30_000 },
        );
        const cold = answer.topics[0]!.partitions[0]!;
        expect(cold.errorName).toBe('KAFKA_STORAGE_ERROR');
        expect(cold.records.length).toBe(0);
      } finally {
        leader.close();
      }
      // Producers: every record acknowledged while the object store is down.
      const ends = await cluster.admin.listOffsets(
        Array.from({ length: partitions }, (_, partition) => ({ topic, partition })),
        'latest',
      );
      await produce(bootstrap, topic, partitions, half, half);
      // A hot consumer (reading what is local) is served as usual.
      const tail = new Consumer({ bootstrap, maxPartitionFetchBytes: 1024 * 1024 });
      try {
        const assignment = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
        tail.assign(assignment);
        for (const tp of assignment) tail.seek(tp, [...ends.values()][tp.partition]!.offset);
        let tailed = 0;
        const deadline = Date.now() + 60_000;
        while (tailed < half && Date.now() < deadline) tailed += (await tail.poll(500)).length;
        expect(tailed).toBe(half);
      } finally {
        await tail.close();
      }
      const outageMs = Number(process.env.SLUICE_TIERING_E2E_OUTAGE_MS ?? 10_000);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageMs - (Date.now() - outageStartedMs))));
    } finally {
      await minio.restart();
    }
    expect(
      await brokerMetricSum(cluster, 'sluice_broker_remote_task_failures_total', `topic="${topic}"`),
    ).toBeGreaterThan(0);

    // The tasks back off and resume by themselves: everything rolled is copied and gone locally.
    await waitUntilTiered(topic, partitions);
    const { received, mismatches } = await readBackFromZero(bootstrap, topic, partitions, 2 * half);
    expect(mismatches).toBe(0);
    expect(received).toBe(2 * half);
  });

  it('kill -9 of the uploading leader mid-copy: nothing lost, copying resumes, no object left that the metadata does not name', async () => {
    const topic = 'tiered-kill';
    const count = Math.floor((8 * 1024 * 1024) / VALUE_BYTES);
    const bootstrap = cluster.brokers.addresses();
    const { topicId } = await cluster.admin.createTopic({
      name: topic,
      numPartitions: 1,
      replicationFactor: 3,
      configs: TIERED_CONFIGS,
    });
    const prefix = `${PREFIX}${topic}-${topicId}/`;
    const producing = produce(bootstrap, topic, 1, 0, count);
    // The leader is copying once its first objects appear: kill it then, whatever it is doing.
    await waitFor('the leader copying', async () => (await store.list(prefix)).length > 0, 60_000, 50);
    const victim = await leaderOf(cluster, topic, 0);
    await cluster.brokers.kill(victim, 'SIGKILL');
    await producing; // acknowledged by the new leader (the idempotent producer retries)
    cluster.brokers.start(victim);
    await cluster.waitForUnfencedBrokers(60_000);

    await waitUntilTiered(topic, 1);
    const { received, mismatches } = await readBackFromZero(bootstrap, topic, 1, count);
    expect(mismatches).toBe(0);
    expect(received).toBe(count);

    // The new leader cleaned up whatever the killed one left half done: once no upload is
    // unfinished in __remote_log_metadata, the objects are exactly those of finished copies.
    const metadataLog = new TopicRemoteLogMetadataLog({ bootstrap, numPartitions: 3 });
    try {
      let state = new RemotePartitionState(topicId, 0);
      await waitFor(
        'no unfinished upload in the remote-log metadata',
        async () => {
          state = new RemotePartitionState(topicId, 0);
          for (const record of await metadataLog.replay(topicId, 0)) state.apply(record);
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
      // More than three 1 MiB segments' bytes copied (consecutive ones may share a remote segment).
      expect(state.copied().reduce((sum, segment) => sum + segment.segmentSizeBytes, 0)).toBeGreaterThan(
        3 * 1024 * 1024,
      );

      // `sluice tiering scrub`: an object no metadata names (as a crash between a PUT and its
      // metadata would leave) is reported by --dry-run, then deleted; named objects stay.
      const orphan = remoteObjectKey(
        PREFIX,
        { ...state.copied()[0]!, id: { ...state.copied()[0]!.id, uploadId: 'orphan-upload' } },
        'log',
      );
      await store.put(orphan, Buffer.from('left behind'));
      const scrubArgs = [
        'tiering',
        'scrub',
        '--grace-ms',
        '0',
        '--bootstrap',
        cluster.controllers.addresses().join(','),
        ...Object.entries(tieringSettings).flatMap(([key, value]) => ['--config', `${key}=${value}`]),
      ];
      const dryRun = await sluiceCli(...scrubArgs, '--dry-run');
      expect(dryRun.err).toBe('');
      expect(dryRun.code).toBe(ExitCode.OK);
      expect(dryRun.out).toContain(`would delete\t${orphan}\t11 bytes`);
      expect((await store.list(prefix)).map((o) => o.key)).toContain(orphan);
      const scrubbed = await sluiceCli(...scrubArgs);
      expect(scrubbed.code).toBe(ExitCode.OK);
      expect(scrubbed.out).toContain(`deleted\t${orphan}`);
      expect((await store.list(prefix)).map((o) => o.key).sort()).toEqual(named);
    } finally {
      await metadataLog.close();
    }
  });

  it('one Fetch serves several partitions from remote storage at once, within its byte bound', async () => {
    const topic = 'tiered-many';
    const partitions = 4;
    const [leader, ...others] = cluster.brokers.nodeIds;
    const replicas = [leader!, ...others.slice(0, 2)];
    await cluster.admin.createTopic({
      name: topic,
      assignments: Object.fromEntries(Array.from({ length: partitions }, (_, p) => [p, replicas])),
      configs: TIERED_CONFIGS,
    });
    await waitFor(
      'broker 1 leads every partition',
      async () => (await cluster.admin.describeTopic(topic)).partitions.every((p) => p.leader === leader),
      30_000,
      200,
    );
    const bootstrap = cluster.brokers.addresses();
    await produce(bootstrap, topic, partitions, 0, partitions * Math.floor((3 * 1024 * 1024) / VALUE_BYTES));
    await waitUntilTiered(topic, partitions);
    const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    for (const start of (await cluster.admin.listOffsets(tps, 'earliest-local')).values())
      expect(start.offset).toBeGreaterThan(0);

    // One request for all four partitions from offset 0: every one answers batches from remote
    // storage (its first record at offset 0, the bytes the producer sent), and the answer stays
    // within the request's max bytes.
    const remoteReadsBefore = await brokerMetricSum(
      cluster,
      'sluice_broker_remote_fetch_requests_total',
      `topic="${topic}"`,
    );
    const partitionMaxBytes = 512 * 1024;
    const client = createGrpcClient('Broker', cluster.brokers.address(leader!));
    try {
      const answer = await unaryCall(
        client,
        'Fetch',
        {
          replicaId: -1,
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: partitions * partitionMaxBytes,
          topics: [
            {
              name: topic,
              partitions: tps.map((tp) => ({ partition: tp.partition, fetchOffset: 0, partitionMaxBytes })),
            },
          ],
        },
        { timeoutMs: 60_000 },
      );
      const answered = answer.topics[0]!.partitions;
      expect(answered.map((p) => [p.partition, p.errorName])).toEqual(tps.map((tp) => [tp.partition, '']));
      let totalBytes = 0;
      for (const p of answered) {
        totalBytes += p.records.length;
        const batches = decodeRecordBatches(p.records);
        expect(batches.length).toBeGreaterThan(0);
        const records = batches.flatMap((batch) => batch.records);
        expect(records[0]!.offset).toBe(0);
        for (const record of records) {
          // Partition p's k-th record is the producer's record seq = k * partitions + p.
          const seq = record.offset * partitions + p.partition;
          expect(record.key?.toString()).toBe(String(seq));
          expect(record.value!.equals(valueFor(seq))).toBe(true);
        }
      }
      expect(totalBytes).toBeLessThanOrEqual(partitions * partitionMaxBytes);
    } finally {
      client.close();
    }
    // Each partition was a remote read of that one request.
    expect(
      (await brokerMetricSum(cluster, 'sluice_broker_remote_fetch_requests_total', `topic="${topic}"`)) -
        remoteReadsBefore,
    ).toBeGreaterThanOrEqual(partitions);
  });

  it("a replica wiped after the leader's local segments went rebuilds leader epochs and producer state from remote storage, catches up, leads, and still dedupes an old retry", async () => {
    const topic = 'tiered-rebuild';
    const bootstrap = cluster.brokers.addresses();
    await cluster.admin.createTopic({ name: topic, numPartitions: 1, replicationFactor: 3, configs: TIERED_CONFIGS });
    const describe = async () => (await cluster.admin.describeTopic(topic)).partitions[0]!;
    await waitFor('a leader of the rebuild topic', async () => (await describe()).leader >= 0, 30_000, 200);
    const preferred = (await describe()).replicas[0]!;
    await waitFor('the preferred replica leads', async () => (await describe()).leader === preferred, 30_000, 200);

    // An idempotent producer (fixed id, raw batches) writes first: its batches end up remote only.
    const PRODUCER_ID = 77_001;
    const idempotent = (baseSequence: number): Buffer => idempotentBatch(PRODUCER_ID, baseSequence);
    const produceRaw = (brokerId: number, records: Buffer, acks: number) =>
      produceRawTo(cluster.brokers.address(brokerId), topic, records, acks);
    const idemOffsets: number[] = [];
    for (const sequence of [0, 3, 6]) {
      const written = await produceRaw(preferred, idempotent(sequence), -1);
      expect(written.errorName).toBe('');
      idemOffsets.push(Number(written.baseOffset));
    }
    expect(idemOffsets).toEqual([0, 3, 6]);
    const firstRecords = Math.floor((3 * 1024 * 1024) / VALUE_BYTES);
    const secondRecords = Math.floor((2 * 1024 * 1024) / VALUE_BYTES);
    await produce(bootstrap, topic, 1, 0, firstRecords);
    await waitUntilTiered(topic, 1);

    // The preferred leader dies; another replica leads (a new epoch) and more data is tiered.
    await cluster.brokers.kill(preferred, 'SIGKILL');
    await waitFor(
      'a new leader without the killed broker in the ISR',
      async () => {
        const p = await describe();
        return p.leader >= 0 && p.leader !== preferred && !p.isr.includes(preferred);
      },
      60_000,
      200,
    );
    await produce(bootstrap, topic, 1, firstRecords, secondRecords);
    const runningNodes = cluster.brokers.nodeIds.filter((id) => id !== preferred);
    await waitFor(
      'local segments deleted on the running replicas',
      () => runningNodes.every((nodeId) => localSegments(cluster, nodeId, 0, topic).length <= 2),
      120_000,
      500,
    );
    const localStart = async (): Promise<number> =>
      [...(await cluster.admin.listOffsets([{ topic, partition: 0 }], 'earliest-local')).values()][0]!.offset;
    expect(await localStart()).toBeGreaterThan(idemOffsets[2]! + 3);
    const endOffset = 9 + firstRecords + secondRecords;

    // Its disk is wiped (the partition's directory) and it comes back: below the leader's local log
    // start, it is answered OFFSET_MOVED_TO_TIERED_STORAGE, restores from remote and catches up.
    const partitionDir = join(cluster.brokers.dataDir(preferred), `${topic}-0`);
    rmSync(partitionDir, { recursive: true, force: true });
    cluster.brokers.start(preferred);
    await cluster.waitForUnfencedBrokers(60_000);
    await waitFor(
      'the wiped replica back in the ISR',
      async () => (await describe()).isr.includes(preferred),
      120_000,
      500,
    );
    const rejoinedAt = await localStart();
    expect(existsSync(join(partitionDir, 'producer-snapshot-checkpoint'))).toBe(true);
    // It holds only what the leader holds locally (nothing was fetched from below its local start).
    expect(
      Math.min(...localSegments(cluster, preferred, 0, topic).map((name) => Number(name.slice(0, 20)))),
    ).toBeGreaterThanOrEqual(rejoinedAt);

    // Its leader-epoch cache is the leader's: OffsetForLeaderEpoch answers the same for every epoch
    // once it leads (preferred election), as the previous leader answered.
    const epochEnds = (brokerId: number, epochs: readonly number[]) =>
      epochEndOffsets(cluster.brokers.address(brokerId), topic, epochs);
    const { leader: previousLeader, leaderEpoch: previousEpoch } = await describe();
    // Every epoch up to the previous leader's (a new leader then adds its own at its log end).
    const epochs = Array.from({ length: previousEpoch + 1 }, (_, epoch) => epoch);
    expect(epochs.length).toBeGreaterThanOrEqual(2);
    const before = await epochEnds(previousLeader, epochs);
    expect(before[0]![0]).toBe('');
    await cluster.admin.electLeaders('PREFERRED', [{ topic, partitions: [0] }]);
    await waitFor('the rebuilt replica leads', async () => (await describe()).leader === preferred, 60_000, 200);
    expect(await epochEnds(preferred, epochs)).toEqual(before);
    // Its tiering task has replayed the remote-log metadata: the log starts at 0 again.
    await waitFor(
      'the new leader answering the remote log start',
      async () =>
        [...(await cluster.admin.listOffsets([{ topic, partition: 0 }], 'earliest')).values()][0]!.offset === 0,
      60_000,
      200,
    );

    // It serves offset 0 from remote storage: every record, in order, byte-identical.
    const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest', maxPartitionFetchBytes: 1024 * 1024 });
    let next = 0;
    let mismatches = 0;
    try {
      consumer.assign([{ topic, partition: 0 }]);
      consumer.seekToBeginning([{ topic, partition: 0 }]);
      const deadline = Date.now() + 120_000;
      while (next < endOffset && Date.now() < deadline) {
        for (const record of await consumer.poll(1000)) {
          if (record.offset !== next) mismatches++;
          const expected = record.offset < 9 ? Buffer.from(`idem-${record.offset}`) : valueFor(record.offset - 9);
          if (!record.value!.equals(expected)) mismatches++;
          next = record.offset + 1;
        }
      }
    } finally {
      await consumer.close();
    }
    expect(mismatches).toBe(0);
    expect(next).toBe(endOffset);
    expect(
      await brokerMetricSum(cluster, 'sluice_broker_remote_fetch_bytes_total', `topic="${topic}"`),
    ).toBeGreaterThan(0);

    // The producer's retry of its last batch (in remote storage only, from this broker's side) is
    // a duplicate: answered with the original offsets, nothing appended. Without the restored
    // producer state this broker would answer UNKNOWN_PRODUCER_ID.
    const latest = async () =>
      [...(await cluster.admin.listOffsets([{ topic, partition: 0 }], 'latest')).values()][0]!.offset;
    expect(await latest()).toBe(endOffset);
    const retry = await produceRaw(preferred, idempotent(6), -1);
    expect([retry.errorName, Number(retry.baseOffset)]).toEqual(['', idemOffsets[2]]);
    expect(await latest()).toBe(endOffset);
  });
});
