/**
 * A new replica fed from remote storage, through a reassignment (issue 16): one controller, brokers
 * 1-3 running and a fourth started later, all with tiered storage against MinIO. A tiered topic
 * (RF 3, 1 MiB segments, local.retention.bytes=0) is written by an idempotent producer (raw
 * batches with a fixed producer id) and the SDK across three leader epochs, until every replica's
 * segments below the leader's local log start are copied and deleted. Then `sluice topic reassign
 * --execute` moves a replica onto broker 4, which never had the partition: the leader answers its
 * fetch from offset 0 with OFFSET_MOVED_TO_TIERED_STORAGE, it restores the leader epochs and the
 * producer snapshot from remote storage, catches up from the leader's local log start, joins the
 * ISR, and the reassignment completes. The old leader is then killed -9: broker 4 leads, answers
 * OffsetForLeaderEpoch as the old leader did, serves a consumer from offset 0 every record
 * byte-identical (remote below its local start), and answers the producer's retry of a batch that
 * is only in remote storage as a duplicate, with the original offsets.
 *
 * Then a leader whose producer state does not reach below its local log start: a tiered topic's
 * idempotent batches are copied and deleted on every replica (none started from remote storage,
 * none keeps a snapshot), the leader is killed, and the follower that takes over refuses the
 * producer's retry with the retriable LEADER_NOT_AVAILABLE until it has restored the producer state
 * from the remote snapshot, then answers it as a duplicate (UNKNOWN_PRODUCER_ID without the fix).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster, waitFor } from '@sluice/local-cluster';
import { startMinio, type RunningMinio } from '../../test-support/minio';
import {
  epochEndOffsets,
  IDEMPOTENT_RECORDS_PER_BATCH,
  idempotentBatch,
  listOffset,
  localSegments,
  produceRaw,
  produceValues,
  readPartitionFromZero,
  sluiceCli,
  tieringBrokerConfig,
  TIERED_TOPIC_CONFIGS,
  VALUE_BYTES,
  valueFor,
} from './tiered-support';
import { ExitCode } from '@sluice/cli';

jest.setTimeout(300_000);

const TOPIC = 'tiered-reassign';
const PRODUCER_ID = 88_001;

describe('a new replica fed from remote storage through a reassignment', () => {
  let minio: RunningMinio;
  let cluster: LocalCluster;

  beforeAll(async () => {
    minio = await startMinio();
    cluster = await LocalCluster.create({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-tiered-reassign-')),
      roles: {
        controller: { count: 1 },
        broker: {
          count: 4,
          config: {
            'broker.heartbeat.interval.ms': 200,
            'min.insync.replicas': 2,
            'replica.fetch.wait.max.ms': 200,
            'log.retention.check.interval.ms': 1000,
            ...tieringBrokerConfig(minio.endpointUrl),
          },
        },
        coordinator: { count: 0 },
      },
    });
    await cluster.start({ roles: ['controller'] });
    for (const id of cluster.brokers.nodeIds.slice(0, 3)) cluster.brokers.start(id);
    await cluster.waitForUnfencedBrokers(60_000, cluster.brokers.nodeIds.slice(0, 3));
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
    await minio?.destroy();
  });

  it('rebuilds leader epochs and producer state from remote, joins the ISR, completes, and leads byte-identical with dedup', async () => {
    const { admin, brokers } = cluster;
    const [first, second, third, added] = brokers.nodeIds as [number, number, number, number];
    const running = [first, second, third];
    const bootstrap = running.map((id) => brokers.address(id));
    await admin.createTopic({ name: TOPIC, numPartitions: 1, replicationFactor: 3, configs: TIERED_TOPIC_CONFIGS });
    const describe = async () => (await admin.describeTopic(TOPIC)).partitions[0]!;
    await waitFor('a leader of the topic', async () => (await describe()).leader >= 0, 30_000, 200);
    const preferred = (await describe()).replicas[0]!;
    await waitFor('the preferred replica leads', async () => (await describe()).leader === preferred, 30_000, 200);

    // Epoch 0: the idempotent producer's three batches, then 2 MiB through the SDK.
    const idemOffsets: number[] = [];
    for (const sequence of [0, 3, 6]) {
      const written = await produceRaw(brokers.address(preferred), TOPIC, idempotentBatch(PRODUCER_ID, sequence), -1);
      expect(written.errorName).toBe('');
      idemOffsets.push(Number(written.baseOffset));
    }
    expect(idemOffsets).toEqual([0, 3, 6]);
    const idemRecords = 3 * IDEMPOTENT_RECORDS_PER_BATCH;
    const perStep = Math.floor((2 * 1024 * 1024) / VALUE_BYTES);
    await produceValues(bootstrap, TOPIC, 0, perStep);

    // A second epoch: the preferred leader is killed, another leads and writes 2 MiB more; the
    // preferred one comes back, catches up and leads again (a third epoch) for the last 2 MiB.
    await brokers.kill(preferred, 'SIGKILL');
    await waitFor(
      'another leader',
      async () => {
        const p = await describe();
        return p.leader >= 0 && p.leader !== preferred;
      },
      60_000,
      200,
    );
    await produceValues(bootstrap, TOPIC, perStep, perStep);
    brokers.start(preferred);
    await cluster.waitForUnfencedBrokers(60_000, running);
    await waitFor(
      'the preferred replica back in the ISR',
      async () => (await describe()).isr.includes(preferred),
      120_000,
      500,
    );
    await admin.electLeaders('PREFERRED', [{ topic: TOPIC, partitions: [0] }]);
    await waitFor(
      'the preferred replica leads again',
      async () => (await describe()).leader === preferred,
      60_000,
      200,
    );
    await produceValues(bootstrap, TOPIC, 2 * perStep, perStep);
    const endOffset = idemRecords + 3 * perStep;

    // Every replica's rolled segments are copied and deleted: the leader holds only its last ones.
    await waitFor(
      'local segments deleted on every replica',
      () => running.every((nodeId) => localSegments(brokers.dataDir(nodeId), TOPIC, 0).length <= 2),
      120_000,
      500,
    );
    const localStart = await listOffset(admin, TOPIC, 'earliest-local');
    expect(localStart).toBeGreaterThan(idemRecords);
    expect(await listOffset(admin, TOPIC, 'latest')).toBe(endOffset);

    // The old leader's answers for every epoch so far, to compare once broker 4 leads.
    const { leader: oldLeader, leaderEpoch: oldEpoch, replicas } = await describe();
    expect(oldLeader).toBe(preferred);
    const epochs = Array.from({ length: oldEpoch + 1 }, (_, epoch) => epoch);
    expect(epochs.length).toBeGreaterThanOrEqual(3);
    const oldAnswers = await epochEndOffsets(brokers.address(oldLeader), TOPIC, epochs);
    expect(oldAnswers[0]![0]).toBe('');

    // Broker 4 starts (it never had the partition) and a follower's replica moves onto it; broker 4
    // is first in the target, the old leader stays.
    brokers.start(added);
    await cluster.waitForUnfencedBrokers(60_000, [added]);
    expect(localSegments(brokers.dataDir(added), TOPIC, 0)).toEqual([]);
    const leaving = replicas.find((id) => id !== oldLeader)!;
    const target = [added, ...replicas.filter((id) => id !== leaving)];
    const planFile = join(cluster.baseDir, 'tiered-reassign.json');
    writeFileSync(
      planFile,
      JSON.stringify({ version: 1, partitions: [{ topic: TOPIC, partition: 0, replicas: target }] }),
    );
    const cli = ['--bootstrap', cluster.controllers.addresses().join(',')];
    const executed = await sluiceCli('topic', 'reassign', '--execute', '--plan-file', planFile, ...cli);
    expect(executed.err).toBe('');
    expect(executed.code).toBe(ExitCode.OK);
    await waitFor(
      'the reassignment complete',
      async () =>
        (await sluiceCli('topic', 'reassign', '--verify', '--plan-file', planFile, ...cli)).code === ExitCode.OK,
      120_000,
      500,
    );
    const moved = await describe();
    expect(moved.replicas).toEqual(target);
    expect([...moved.isr].sort()).toEqual([...target].sort());

    // Broker 4 started from the leader's local log start, not offset 0: it fetched nothing below it
    // and keeps the remote producer snapshot beside its log.
    const addedSegments = localSegments(brokers.dataDir(added), TOPIC, 0);
    expect(addedSegments.length).toBeGreaterThan(0);
    expect(Math.min(...addedSegments.map((name) => Number(name.slice(0, 20))))).toBeGreaterThanOrEqual(localStart);
    expect(brokerLogContains(added, 'follower started from remote storage')).toBe(true);

    // The old leader dies; broker 4 (first in the replica list, in the ISR) takes over.
    await brokers.kill(oldLeader, 'SIGKILL');
    await waitFor('broker 4 leads', async () => (await describe()).leader === added, 60_000, 200);
    expect(await epochEndOffsets(brokers.address(added), TOPIC, epochs)).toEqual(oldAnswers);
    await waitFor(
      'broker 4 answering the remote log start',
      async () => (await listOffset(admin, TOPIC, 'earliest')) === 0,
      60_000,
      200,
    );

    // A consumer from offset 0, through broker 4: every record, in order, byte-identical.
    const survivors = [added, ...target.filter((id) => id !== added && id !== oldLeader)].map((id) =>
      brokers.address(id),
    );
    const read = await readPartitionFromZero(survivors, TOPIC, endOffset, (offset) =>
      offset < idemRecords ? Buffer.from(`idem-${offset}`) : valueFor(offset - idemRecords),
    );
    expect(read.mismatches).toBe(0);
    expect(read.nextOffset).toBe(endOffset);

    // The producer's retry of its last batch (only in remote storage) is a duplicate: the original
    // offsets, nothing appended.
    const retry = await produceRaw(brokers.address(added), TOPIC, idempotentBatch(PRODUCER_ID, 6), -1);
    expect([retry.errorName, Number(retry.baseOffset)]).toEqual(['', idemOffsets[2]]);
    expect(await listOffset(admin, TOPIC, 'latest')).toBe(endOffset);
    // And its next batch is appended in sequence.
    const next = await produceRaw(brokers.address(added), TOPIC, idempotentBatch(PRODUCER_ID, 9), -1);
    expect([next.errorName, Number(next.baseOffset)]).toEqual(['', endOffset]);
  });

  it('a leader whose producer state does not reach below its local log start restores it from remote storage before it takes idempotent produce', async () => {
    const { admin, brokers } = cluster;
    const topic = 'tiered-failover-producers';
    const producerId = 88_002;
    // Test 1 killed its old leader: the topic goes on the three brokers still up.
    const up = brokers.nodeIds.filter((id) => brokers.isRunning(id));
    await admin.createTopic({ name: topic, numPartitions: 1, replicationFactor: 3, configs: TIERED_TOPIC_CONFIGS });
    const describe = async () => (await admin.describeTopic(topic)).partitions[0]!;
    await waitFor(
      'a leader with a full ISR',
      async () => {
        const p = await describe();
        return p.leader >= 0 && p.isr.length === 3;
      },
      30_000,
      200,
    );
    const { leader, replicas } = await describe();
    expect(replicas.every((id) => up.includes(id))).toBe(true);

    // The idempotent producer's batches, then 2 MiB through the SDK: tiered, and gone from every
    // replica's disk (none of them ever started from remote storage, so none keeps a snapshot).
    const idemOffsets: number[] = [];
    for (const sequence of [0, 3, 6]) {
      const written = await produceRaw(brokers.address(leader), topic, idempotentBatch(producerId, sequence), -1);
      expect(written.errorName).toBe('');
      idemOffsets.push(Number(written.baseOffset));
    }
    expect(idemOffsets).toEqual([0, 3, 6]);
    const idemRecords = 3 * IDEMPOTENT_RECORDS_PER_BATCH;
    const count = Math.floor((2 * 1024 * 1024) / VALUE_BYTES);
    await produceValues(
      replicas.map((id) => brokers.address(id)),
      topic,
      0,
      count,
    );
    const endOffset = idemRecords + count;
    await waitFor(
      'local segments deleted on every replica',
      () => replicas.every((nodeId) => localSegments(brokers.dataDir(nodeId), topic, 0).length <= 2),
      120_000,
      500,
    );
    for (const nodeId of replicas) {
      const bases = localSegments(brokers.dataDir(nodeId), topic, 0).map((name) => Number(name.slice(0, 20)));
      expect(Math.min(...bases)).toBeGreaterThan(idemRecords);
      expect(existsSync(join(brokers.dataDir(nodeId), `${topic}-0`, 'producer-snapshot-checkpoint'))).toBe(false);
    }

    // The leader dies; a follower leads with producer state from its local log only, which starts
    // above every batch of the idempotent producer.
    await brokers.kill(leader, 'SIGKILL');
    await waitFor(
      'another leader',
      async () => {
        const p = await describe();
        return p.leader >= 0 && p.leader !== leader;
      },
      60_000,
      200,
    );
    const newLeader = (await describe()).leader;

    // Its first answer to the producer's retry: not ready yet (retriable), while it restores the
    // producer state from the remote snapshot. Then the retry is a duplicate with the original
    // offsets (from its local log alone it would answer UNKNOWN_PRODUCER_ID), nothing appended.
    const first = await produceRaw(brokers.address(newLeader), topic, idempotentBatch(producerId, 6), -1);
    expect(first.errorName).toBe('LEADER_NOT_AVAILABLE');
    let retry = first;
    await waitFor(
      'the retry answered',
      async () => {
        retry = await produceRaw(brokers.address(newLeader), topic, idempotentBatch(producerId, 6), -1);
        return retry.errorName !== 'LEADER_NOT_AVAILABLE';
      },
      60_000,
      200,
    );
    expect([retry.errorName, Number(retry.baseOffset)]).toEqual(['', idemOffsets[2]]);
    expect(await listOffset(admin, topic, 'latest')).toBe(endOffset);
    expect(existsSync(join(brokers.dataDir(newLeader), `${topic}-0`, 'producer-snapshot-checkpoint'))).toBe(true);
    // The producer's next batch is appended in sequence; an out-of-sequence one is refused.
    const next = await produceRaw(brokers.address(newLeader), topic, idempotentBatch(producerId, 9), -1);
    expect([next.errorName, Number(next.baseOffset)]).toEqual(['', endOffset]);
    const gap = await produceRaw(brokers.address(newLeader), topic, idempotentBatch(producerId, 20), -1);
    expect(gap.errorName).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(brokerLogContains(newLeader, 'leader restored producer state below its log start from remote storage')).toBe(
      true,
    );
  });

  function brokerLogContains(nodeId: number, text: string): boolean {
    return readFileSync(cluster.brokers.logFile(nodeId), 'utf8').includes(text);
  }
});
