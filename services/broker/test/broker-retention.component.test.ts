/**
 * Background retention on a three-broker cluster: a topic's retention.ms (changed with
 * AlterConfigs after the data is written) deletes old segments on the leader every
 * log.retention.check.interval.ms, the log start offset rises, followers follow it from the
 * leader's Fetch answers, ListOffsets earliest and consumer fetches see the new start, and
 * nothing at or above the high watermark is deleted while a silent follower holds it back.
 */
import type { ControllerClient } from '@sluice/controller';
import { decodeRecordBatches } from '@sluice/protocol';
import type { BrokerNode } from '../src/node/broker-node';
import { sleep, waitFor, type LocalCluster } from '@sluice/local-cluster';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(45_000);

const TOPIC = 'retained';
const SESSION_TIMEOUT_MS = 5_000;

describe('background retention', () => {
  let cluster: LocalCluster;
  let controller: ControllerClient;
  const brokers = new Map<number, BrokerNode>();
  const clients = new BrokerClients();
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    ({ cluster, controller } = await startControllerProcess('broker-retention', {
      'broker.session.timeout.ms': SESSION_TIMEOUT_MS,
    }));
    for (const id of [1, 2, 3]) {
      // The leader never shrinks the ISR itself here: only the controller's fencing of a stopped
      // broker (after the session timeout) lets the high watermark pass it.
      const node = await startLocalBroker(cluster, id, {
        retentionCheckIntervalMs: 50,
        replicaLagTimeMaxMs: 60_000,
        metrics: id === 1 ? { host: '127.0.0.1', port: 0 } : null,
      });
      brokers.set(id, node);
    }
    await cluster.waitForUnfencedBrokers(10_000, [1, 2, 3]);
  });

  afterAll(async () => {
    if (sampler !== undefined) clearInterval(sampler);
    clients.close();
    await Promise.all([...brokers.values()].map((b) => b.stop(false)));
    controller?.close();
    await cluster?.stop({ removeBaseDir: true });
  });

  it('deletes old segments below the high watermark on the leader, and the followers follow its log start offset', async () => {
    // segment.ms=1: every append after a millisecond rolls a new segment. No retention yet.
    const created = await controller.call('CreateTopics', {
      topics: [
        {
          name: TOPIC,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partition: 0, brokerIds: [1, 2, 3] }],
          configs: { 'segment.ms': '1', 'retention.ms': '-1' },
        },
      ],
    });
    expect(created.topics[0]!.errorName).toBe('');
    // Broker 1 (the one with /metrics) is the preferred, so the first, leader.
    const leader = brokers.get(1)!;
    await waitFor('broker 1 leading, two followers', () => {
      return (
        leader.replica(TOPIC, 0)?.role.kind === 'leader' &&
        [...brokers.values()].filter((b) => b.replica(TOPIC, 0)?.role.kind === 'follower').length === 2
      );
    });
    const leaderReplica = leader.replica(TOPIC, 0)!;
    const followers = [...brokers.values()].filter((b) => b !== leader);
    expect(leaderReplica.log.config.segmentMs).toBe(1);

    // (e) throughout: the leader's log never starts above its high watermark.
    const violations: string[] = [];
    sampler = setInterval(() => {
      if (leaderReplica.role.kind !== 'leader') return;
      const start = leaderReplica.log.logStartOffset;
      const hw = leaderReplica.highWatermark;
      if (start > hw) violations.push(`log start ${start} > high watermark ${hw}`);
    }, 5);

    for (let i = 0; i < 6; i++) {
      expect((await clients.produce(leader, TOPIC, 0, batch(i * 10, 10))).errorName).toBe('');
      await sleep(5);
    }
    expect(leaderReplica.log.segmentBaseOffsets()).toEqual([0, 10, 20, 30, 40, 50]);
    await waitFor('followers caught up', () =>
      followers.every((f) => f.replica(TOPIC, 0)!.log.logEndOffset === 60 && f.replica(TOPIC, 0)!.highWatermark === 60),
    );
    await sleep(200); // several retention passes: retention.ms=-1 deletes nothing
    expect(leaderReplica.log.logStartOffset).toBe(0);

    // The records' timestamps (2023) are far older than a minute: every closed segment expires.
    const altered = await controller.call('AlterConfigs', {
      resources: [
        {
          resourceType: 'topic',
          resourceName: TOPIC,
          configs: [{ name: 'retention.ms', operation: 'SET', value: '60000' }],
        },
      ],
      validateOnly: false,
    });
    expect(altered.resources[0]!.errorName).toBe('');

    // (a) the leader deletes every closed segment (all below the high watermark, 60).
    await waitFor('leader retention', () => leaderReplica.log.logStartOffset === 50);
    expect(leaderReplica.log.config.retentionMs).toBe(60_000);
    expect(leaderReplica.log.segmentBaseOffsets()).toEqual([50]);
    // (b) the followers move their log start offsets up to the leader's and drop the same data.
    await waitFor('followers follow the log start offset', () =>
      followers.every((f) => f.replica(TOPIC, 0)!.log.logStartOffset === 50),
    );
    await waitFor('followers drop the segments below it', () =>
      followers.every((f) => f.replica(TOPIC, 0)!.log.segmentBaseOffsets()[0]! >= 40),
    );
    // (c) ListOffsets earliest answers the new start.
    const listed = await clients.call(leader, 'ListOffsets', {
      topics: [{ name: TOPIC, partitions: [{ partition: 0, timestamp: -2, currentLeaderEpoch: -1 }] }],
    });
    expect(Number(listed.topics[0]!.partitions[0]!.offset)).toBe(50);
    // (d) a consumer below the start is out of range; at the start it reads.
    expect((await clients.fetch(leader, TOPIC, 0, 0)).errorName).toBe('OFFSET_OUT_OF_RANGE');
    const atStart = await clients.fetch(leader, TOPIC, 0, 50);
    expect(atStart.errorName).toBe('');
    expect(decodeRecordBatches(atStart.records)[0]!.baseOffset).toBe(50);
    const metrics = await fetch(`http://127.0.0.1:${leader.metricsPort}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/sluice_broker_log_segments_deleted_total\{service="broker",node_id="1"\} [1-9]/);

    // (e) a silent follower holds the high watermark at 60 (it stays in the ISR until the
    // controller fences it): the segment [50, 60) goes once closed, the expired ones at and
    // above 60 must stay.
    const [silent, live] = followers as [BrokerNode, BrokerNode];
    await silent.stop(false);
    brokers.delete(silent.brokerId);
    for (let i = 6; i < 9; i++) {
      expect((await clients.produce(leader, TOPIC, 0, batch(i * 10, 10), 1)).errorName).toBe('');
      await sleep(5);
    }
    expect(leaderReplica.log.logEndOffset).toBe(90);
    await waitFor('live follower caught up', () => live.replica(TOPIC, 0)!.log.logEndOffset === 90);
    await sleep(300); // several retention passes
    const isr = (await controller.call('DescribeTopics', { names: [TOPIC] })).topics[0]!.partitions[0]!.isr;
    expect(isr).toContain(silent.brokerId); // not fenced yet: this phase is well within the session timeout
    expect(leaderReplica.highWatermark).toBe(60);
    expect(leaderReplica.log.logStartOffset).toBe(60);
    expect(leaderReplica.log.segmentBaseOffsets()).toEqual([60, 70, 80]);
    expect(live.replica(TOPIC, 0)!.log.logStartOffset).toBeLessThanOrEqual(60);
    expect((await clients.fetch(leader, TOPIC, 0, 60)).errorName).toBe('');

    // Fenced after its session, the silent follower leaves the ISR; the high watermark reaches
    // the log end and retention goes on up to the active segment, on the leader and the follower.
    await waitFor('high watermark past the silent follower', () => leaderReplica.highWatermark === 90, 20_000);
    await waitFor('leader retention up to the active segment', () => leaderReplica.log.logStartOffset === 80);
    await waitFor('live follower follows', () => live.replica(TOPIC, 0)!.log.logStartOffset === 80);
    const tail = await clients.fetch(leader, TOPIC, 0, 80);
    expect(decodeRecordBatches(tail.records).flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(
      Array.from({ length: 10 }, (_, i) => `value-${80 + i}`),
    );

    clearInterval(sampler);
    sampler = undefined;
    expect(violations).toEqual([]);
  });
});
