/**
 * A consumer's Fetch of a backlog over real gRPC, three in-process brokers: the leader answers
 * reads of its segment files with located reads that the answer's encoder reads straight into
 * the frame it lends grpc-js (docs/performance.md section 20). The answers must carry exactly the
 * bytes PartitionLog.read gives for the same offset, byte limits and high watermark, whatever
 * the offset (a batch's start or inside one), the limits (partition and response) and the segment
 * boundaries; a consumer reading the backlog batch by batch gets every record once, in order.
 */
import type { ControllerClient } from '@sluice/controller';
import { decodeRecordBatches } from '@sluice/protocol';
import { answerFrameStats } from '@sluice/service-common';
import type { LocalCluster } from '@sluice/local-cluster';
import { sleep, waitFor } from '@sluice/local-cluster';
import type * as pb from '@sluice/proto';
import type { BrokerNode } from '../src/node/broker-node';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(60_000);

const TOPIC = 'backlog';
const PARTITIONS = 2;
/** Batches of 1 to 40 records of about 20 bytes. */
const BATCHES = 60;

describe('located Fetch reads of a backlog', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers: BrokerNode[] = [];
  const clients = new BrokerClients();

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('located-fetch'));
    for (const id of [1, 2, 3]) brokers.push(await startLocalBroker(cluster, id));
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3]);
  });

  afterAll(async () => {
    clients.close();
    await Promise.all(brokers.map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('answers exactly what the log reads, for any offset and byte limits, across segments', async () => {
    const created = await controller.call('CreateTopics', {
      topics: [
        {
          name: TOPIC,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, brokerIds: [1, 2, 3] })),
          // A segment rolls on the first append a millisecond after it began (the produce loop
          // waits now and then): segments of a few batches, each batch past the index interval.
          configs: { 'segment.ms': '1', 'index.interval.bytes': '256' },
        },
      ],
    });
    expect(created.topics[0]!.errorName).toBe('');
    const leader = brokers[0]!;
    await waitFor('broker 1 leading every partition', () =>
      Array.from({ length: PARTITIONS }, (_, p) => leader.replica(TOPIC, p)?.role.kind === 'leader').every(Boolean),
    );
    for (let partition = 0; partition < PARTITIONS; partition++) {
      let first = 0;
      for (let i = 0; i < BATCHES; i++) {
        const count = 1 + ((i * 7 + partition * 3) % 40);
        expect((await clients.produce(leader, TOPIC, partition, batch(first, count))).errorName).toBe('');
        first += count;
        if (i % 7 === 6) await sleep(3);
      }
    }
    const logs = Array.from({ length: PARTITIONS }, (_, p) => leader.replica(TOPIC, p)!);
    await waitFor('high watermarks at the log ends', () =>
      logs.every((r) => r.role.kind === 'leader' && r.highWatermark === r.log.logEndOffset),
    );
    expect(logs[0]!.log.segmentCount).toBeGreaterThan(3);

    const fetch = async (
      offsets: readonly number[],
      partitionMaxBytes: number,
      maxBytes: number,
    ): Promise<pb.FetchPartitionResult__Output[]> => {
      const response = await clients.call(leader, 'Fetch', {
        replicaId: -1,
        replicaEpoch: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes,
        topics: [
          {
            name: TOPIC,
            partitions: offsets.map((fetchOffset, partition) => ({
              partition,
              fetchOffset,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
              logStartOffset: 0,
              partitionMaxBytes,
            })),
          },
        ],
      });
      return response.topics[0]!.partitions;
    };
    /** What the fetch path's budget gives each partition, read the old way. */
    const expected = (offsets: readonly number[], partitionMaxBytes: number, maxBytes: number): Buffer[] => {
      let budget = maxBytes;
      return offsets.map((offset, p) => {
        const log = logs[p]!.log;
        const limit = Math.min(budget, partitionMaxBytes);
        const records =
          limit > 0 ? log.read(offset, limit, { maxOffset: logs[p]!.highWatermark }).records : Buffer.alloc(0);
        budget = Math.max(0, budget - records.length);
        return records;
      });
    };

    const lendsBefore = answerFrameStats().lends;
    const end = logs.map((r) => r.log.logEndOffset);
    let checked = 0;
    for (const [partitionMaxBytes, maxBytes] of [
      [1_000, 50_000],
      [3_000, 4_000],
      [10_000, 10_000],
      [1, 1_000_000],
    ] as const) {
      for (let step = 0; step < 12; step++) {
        // Batch starts, offsets inside batches, the last offsets and the log end.
        const offsets = end.map((e, p) => (step === 11 ? e : (step * 97 + p * 31) % (e + 1)));
        const answers = await fetch(offsets, partitionMaxBytes, maxBytes);
        const wanted = expected(offsets, partitionMaxBytes, maxBytes);
        answers.forEach((answer, p) => {
          expect(answer.errorName).toBe('');
          expect(answer.records.equals(wanted[p]!)).toBe(true);
        });
        checked++;
      }
    }
    expect(checked).toBe(48);
    // The answers went out in frames lent to grpc-js, every one given back.
    expect(answerFrameStats().lends).toBeGreaterThan(lendsBefore);
    expect(answerFrameStats().lentNow).toBe(0);

    // A consumer reading the whole backlog, 1,500 bytes a partition at a time, gets every record once.
    const seen: number[][] = Array.from({ length: PARTITIONS }, () => []);
    const positions = new Array<number>(PARTITIONS).fill(0);
    for (let round = 0; round < 10_000 && positions.some((at, p) => at < end[p]!); round++) {
      const answers = await fetch(positions, 1_500, 1_000_000);
      answers.forEach((answer, p) => {
        for (const decoded of decodeRecordBatches(answer.records))
          for (const record of decoded.records) {
            if (record.offset < positions[p]!) continue;
            seen[p]!.push(record.offset);
          }
        if (seen[p]!.length > 0) positions[p] = seen[p]!.at(-1)! + 1;
      });
    }
    seen.forEach((offsets, p) => expect(offsets).toEqual(Array.from({ length: end[p]! }, (_, i) => i)));
  });
});
