import { Admin, ControllerChannel, NoControllerReachableError, parseBootstrap } from '@sluice/client';
import { freePort } from '@sluice/local-cluster';
import { ApiError } from '@sluice/protocol';
import { startTestCluster } from './support/controller-cluster';
import type { TestCluster } from './support/controller-cluster';

jest.setTimeout(30_000);

describe('Admin against a real 3-controller quorum with three registered brokers', () => {
  let cluster: TestCluster;
  let admin: Admin;

  beforeAll(async () => {
    cluster = await startTestCluster();
    // A follower first: every write must follow NOT_CONTROLLER to the leader.
    admin = new Admin({ bootstrap: cluster.followers.join(','), timeoutMs: 10_000, attemptTimeoutMs: 2_000 });
  });

  afterAll(async () => {
    admin?.close();
    await cluster?.stop();
  });

  it('describes the cluster from the active controller even when bootstrapped at a follower', async () => {
    const info = await admin.describeCluster();
    expect(info.clusterId).toBe(cluster.clusterId);
    expect(info.controllerId).toBe(cluster.leaderId);
    expect(info.nodeId).toBe(cluster.leaderId);
    expect(info.controllerAddress).toBe(cluster.controllers.address(cluster.leaderId));
    expect(info.controllers.map((c) => c.nodeId).sort()).toEqual([1, 2, 3]);
    expect(info.brokers.map((b) => [b.brokerId, b.fenced])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(info.brokers[0]?.listeners).toEqual([{ name: 'PLAINTEXT', host: '127.0.0.1', port: 19_091 }]);
    expect(admin.stats.redirects).toBeGreaterThanOrEqual(1);
  });

  it('creates, lists, describes, reconfigures, grows and deletes topics, following NOT_CONTROLLER', async () => {
    const redirectsBefore = admin.stats.redirects;
    const fresh = new Admin({ bootstrap: [cluster.followers[0] as string], timeoutMs: 10_000 });
    try {
      const created = await fresh.createTopic({
        name: 'orders',
        numPartitions: 3,
        replicationFactor: 3,
        configs: { 'retention.ms': '60000' },
      });
      expect(created).toMatchObject({ name: 'orders', numPartitions: 3, replicationFactor: 3 });
      expect(created.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      // One redirect from the follower to the leader; a second only if an election moved the
      // leadership meanwhile (seen under heavy load), which the client must then follow too.
      const leadershipMoved = (await cluster.currentLeader())?.leaderId !== cluster.leaderId;
      if (leadershipMoved) expect(fresh.stats.redirects).toBeGreaterThanOrEqual(1);
      else expect(fresh.stats.redirects).toBe(1);
    } finally {
      fresh.close();
    }
    expect(admin.stats.redirects).toBe(redirectsBefore);

    const results = await admin.createTopics([
      { name: 'events', numPartitions: 2, replicationFactor: 2 },
      { name: 'orders', numPartitions: 1 },
      { name: 'too-wide', replicationFactor: 4 },
    ]);
    expect(results.map((r) => [r.name, r.error?.errorName])).toEqual([
      ['events', undefined],
      ['orders', 'TOPIC_ALREADY_EXISTS'],
      ['too-wide', 'INVALID_REPLICATION_FACTOR'],
    ]);
    expect(results[1]?.error).toBeInstanceOf(ApiError);
    expect(results[1]?.error?.retriable).toBe(false);
    await expect(admin.createTopic({ name: 'orders' })).rejects.toMatchObject({
      errorName: 'TOPIC_ALREADY_EXISTS',
      retriable: false,
    });

    expect(await admin.listTopics()).toEqual(['events', 'orders']);
    const orders = await admin.describeTopic('orders');
    expect(orders.configs).toEqual({ 'retention.ms': '60000' });
    expect(orders.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of orders.partitions) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
      expect(p.replicas).toContain(p.leader);
    }
    // Leaders spread over the brokers.
    expect(new Set(orders.partitions.map((p) => p.leader)).size).toBe(3);

    await admin.alterTopicConfigs('orders', { set: { 'cleanup.policy': 'compact' }, delete: ['retention.ms'] });
    expect(await admin.describeTopicConfigs('orders')).toEqual({ 'cleanup.policy': 'compact' });
    await expect(admin.alterTopicConfigs('orders', { set: { 'no.such.config': '1' } })).rejects.toMatchObject({
      errorName: 'INVALID_CONFIG',
    });

    const grown = await admin.createPartitions([
      { name: 'orders', count: 5 },
      { name: 'nope', count: 2 },
    ]);
    expect(grown.map((r) => [r.name, r.error?.errorName])).toEqual([
      ['orders', undefined],
      ['nope', 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
    expect((await admin.describeTopic('orders')).partitions).toHaveLength(5);

    const elected = await admin.electLeaders('PREFERRED', [{ topic: 'orders', partitions: [0] }]);
    expect(elected).toHaveLength(1);
    expect(elected[0]).toMatchObject({ topic: 'orders', partition: 0 });
    // Every replica is in the ISR and the preferred one already leads: Kafka answers ELECTION_NOT_NEEDED.
    expect(elected[0]?.error?.errorName).toBe('ELECTION_NOT_NEEDED');

    const deleted = await admin.deleteTopics(['events', 'ghost']);
    expect(deleted.map((r) => [r.name, r.error?.errorName])).toEqual([
      ['events', undefined],
      ['ghost', 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
    expect(await admin.listTopics()).toEqual(['orders']);
  });

  it('rejects a missing topic with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const described = await admin.describeTopics(['orders', 'missing']);
    expect(described.map((t) => [t.name, t.error?.errorName])).toEqual([
      ['orders', undefined],
      ['missing', 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
    await expect(admin.describeTopic('missing')).rejects.toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(admin.deleteTopic('missing')).rejects.toMatchObject({ errorName: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(admin.alterTopicConfigs('missing', { set: { 'retention.ms': '1' } })).rejects.toMatchObject({
      errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
  });

  it('follows DescribeTopics pages: topics split across pages come back whole, in name order or as asked', async () => {
    await admin.createTopics([
      { name: 'paged-b', numPartitions: 7, replicationFactor: 1 },
      { name: 'paged-a', numPartitions: 5, replicationFactor: 1 },
      { name: 'paged-c', numPartitions: 1, replicationFactor: 1 },
    ]);
    const pages: { name: string; partitions: number[] }[][] = [];
    await admin.describeTopicPages(
      [],
      (page) => pages.push(page.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partition) }))),
      { partitionsPerPage: 4 },
    );
    // Every page holds 4 partitions but the last; a topic split over pages continues where it stopped.
    const sizes = pages.map((page) => page.reduce((sum, t) => sum + t.partitions.length, 0));
    expect(sizes.slice(0, -1).every((size) => size === 4)).toBe(true);
    expect(sizes.at(-1)).toBeLessThanOrEqual(4);
    const parts = pages.flat();
    expect(parts.filter((t) => t.name === 'paged-b').flatMap((t) => t.partitions)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(parts.filter((t) => t.name === 'paged-b').length).toBeGreaterThan(1);
    const whole = await admin.describeTopics([], { partitionsPerPage: 4 });
    const byName = new Map(whole.map((t) => [t.name, t.partitions.map((p) => p.partition)]));
    expect(byName.get('paged-b')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(whole.map((t) => t.name)).toEqual([...whole.map((t) => t.name)].sort());
    const asked = await admin.describeTopics(['paged-c', 'nope', 'paged-b', 'paged-c'], { partitionsPerPage: 2 });
    expect(asked.map((t) => [t.name, t.partitions.length, t.error?.errorName])).toEqual([
      ['paged-c', 1, undefined],
      ['nope', 0, 'UNKNOWN_TOPIC_OR_PARTITION'],
      ['paged-b', 7, undefined],
      ['paged-c', 1, undefined],
    ]);
    const deleted = await admin.deleteTopics(['paged-a', 'paged-b', 'paged-c']);
    expect(deleted.map((d) => d.error)).toEqual([undefined, undefined, undefined]);
  });

  it('starts, lists and cancels partition reassignments, and refuses bad ones with Kafka errors', async () => {
    await admin.createTopic({ name: 'moving', numPartitions: 2, replicationFactor: 2 });
    const [before, second] = (await admin.describeTopics(['moving']))[0]?.partitions ?? [];
    const spare = [1, 2, 3].find((id) => !(before?.replicas ?? []).includes(id)) as number;
    const kept = before?.replicas[0] as number;
    // The target adds a replica on the spare broker: it stays in progress until that broker's
    // follower joins the ISR (these brokers are registrations only, so it never does here).
    const started = await admin.alterPartitionReassignments([
      { topic: 'moving', partition: 0, targetReplicas: [kept, spare] },
      { topic: 'moving', partition: 1, targetReplicas: [1, 1] },
      { topic: 'moving', partition: 7, targetReplicas: [1] },
      { topic: 'nope', partition: 0, targetReplicas: [1] },
    ]);
    expect(started.map((r) => r.error?.errorName)).toEqual([
      undefined,
      'INVALID_REPLICA_ASSIGNMENT',
      'UNKNOWN_TOPIC_OR_PARTITION',
      'UNKNOWN_TOPIC_OR_PARTITION',
    ]);
    const removed = (before?.replicas ?? []).filter((id) => id !== kept);
    expect(await admin.listPartitionReassignments()).toEqual([
      {
        topic: 'moving',
        partition: 0,
        replicas: [kept, spare, ...removed],
        addingReplicas: [spare],
        removingReplicas: removed,
      },
    ]);
    expect(await admin.listPartitionReassignments([{ topic: 'moving', partitions: [1] }])).toEqual([]);
    const cancelled = await admin.alterPartitionReassignments([
      { topic: 'moving', partition: 0, targetReplicas: null },
    ]);
    expect(cancelled[0]?.error).toBeUndefined();
    expect(await admin.listPartitionReassignments()).toEqual([]);
    const again = await admin.alterPartitionReassignments([{ topic: 'moving', partition: 0, targetReplicas: null }]);
    expect(again[0]?.error?.errorName).toBe('NO_REASSIGNMENT_IN_PROGRESS');
    // A target already in the ISR (a shrink to one replica) completes at once.
    const stays = second?.isr[0] as number;
    const shrunk = await admin.alterPartitionReassignments([
      { topic: 'moving', partition: 1, targetReplicas: [stays] },
    ]);
    expect(shrunk[0]?.error).toBeUndefined();
    const after = (await admin.describeTopics(['moving']))[0]?.partitions[1];
    expect(after?.replicas).toEqual([stays]);
    expect(await admin.listPartitionReassignments()).toEqual([]);
    // Leave the topic list as the later tests expect it.
    await admin.deleteTopics(['moving']);
  });

  it('keeps working across a kill -9 of the active controller (retry, then NOT_CONTROLLER to the new leader)', async () => {
    const before = admin.stats;
    // The leader now, not the one at start-up: under heavy load an election may have moved it, and
    // killing a follower would test nothing.
    const leaderId = (await cluster.currentLeader())?.leaderId ?? cluster.leaderId;
    await cluster.controllers.kill(leaderId, 'SIGKILL');
    const created = await admin.createTopic({ name: 'after-failover', numPartitions: 1, replicationFactor: 1 });
    expect(created.error).toBeUndefined();
    const info = await admin.describeCluster();
    expect(info.controllerId).not.toBe(leaderId);
    expect(info.controllerId).toBe(info.nodeId);
    expect(admin.stats.retries + admin.stats.redirects).toBeGreaterThan(before.retries + before.redirects);
    expect(await admin.listTopics()).toEqual(['after-failover', 'orders']);
  });

  it('skips an unreachable bootstrap address', async () => {
    const dead = `127.0.0.1:${await freePort()}`;
    const skipping = new Admin({ bootstrap: [dead, ...cluster.followers], timeoutMs: 10_000, retryBackoffMs: 10 });
    try {
      const info = await skipping.describeCluster();
      expect(info.controllerId).toBe(info.nodeId);
      expect(skipping.stats.retries).toBeGreaterThanOrEqual(1);
    } finally {
      skipping.close();
    }
  });
});

describe('Admin without a cluster', () => {
  it('rejects with a retriable NoControllerReachableError within the timeout', async () => {
    const addresses = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const admin = new Admin({ bootstrap: addresses.join(','), timeoutMs: 800, retryBackoffMs: 20 });
    const started = Date.now();
    try {
      const error: unknown = await admin.listTopics().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NoControllerReachableError);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as NoControllerReachableError).retriable).toBe(true);
      expect((error as NoControllerReachableError).reason).toContain(
        `no controller reachable at ${addresses.join(',')}`,
      );
      expect(admin.stats.retries).toBeGreaterThanOrEqual(2);
    } finally {
      admin.close();
    }
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('rejects calls after close and bad bootstrap lists', async () => {
    const channel = new ControllerChannel('127.0.0.1:1');
    channel.close();
    await expect(channel.call('DescribeCluster', {})).rejects.toMatchObject({ errorName: 'NETWORK_EXCEPTION' });
    expect(parseBootstrap(' a:1, [::1]:2 ,')).toEqual(['a:1', '[::1]:2']);
    expect(() => parseBootstrap('')).toThrow('empty');
    expect(() => parseBootstrap('host-without-port')).toThrow('bad bootstrap address');
    expect(() => parseBootstrap('h:99999')).toThrow('bad bootstrap address');
  });
});
