/**
 * log.dir.min.free.bytes: a leader whose log directory has less free space than that refuses
 * produce requests with the retriable KAFKA_STORAGE_ERROR and appends nothing; reads go on. Above
 * it, log.dir.throttle.free.bytes holds produce answers back (throttle_time_ms) as the disk fills. The
 * free space is the real statfs of the broker's log directory (a bound above any disk's size
 * stands in for a full disk). The pure decision is checked against exact numbers.
 */
import type { ControllerClient } from '@sluice/controller';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import type { BrokerNode } from '../src/node/broker-node';
import { DiskSpaceGuard, diskSpaceRefusal, diskThrottleMs } from '../src/node/disk-space-guard';
import { batch, BrokerClients, startControllerProcess, startLocalBroker } from './support/local-brokers';

jest.setTimeout(45_000);

describe('log.dir.min.free.bytes', () => {
  it('refuses below the bound with KAFKA_STORAGE_ERROR (retriable), and is off at 0', () => {
    expect(diskSpaceRefusal('/data', 1_000, 0)).toBeNull();
    expect(diskSpaceRefusal('/data', 1_000, 1_000)).toBeNull();
    const refusal = diskSpaceRefusal('/data', 999, 1_000);
    expect(refusal?.errorName).toBe('KAFKA_STORAGE_ERROR');
    expect(refusal?.retriable).toBe(true);
    expect(refusal?.message).toContain('/data has 999 bytes free, below log.dir.min.free.bytes=1000');
  });

  it('reads free space at most once per interval', () => {
    let now = 0;
    let reads = 0;
    let free = 500;
    const guard = new DiskSpaceGuard(
      '/data',
      1_000,
      () => now,
      1_000,
      () => {
        reads++;
        return free;
      },
    );
    expect(guard.refusal()).not.toBeNull();
    free = 5_000;
    now = 999;
    expect(guard.refusal()).not.toBeNull(); // still the cached reading
    now = 1_000;
    expect(guard.refusal()).toBeNull();
    expect(reads).toBe(2);
    expect(() => new DiskSpaceGuard('/data', -1, () => 0)).toThrow(RangeError);
  });

  it('log.dir.throttle.free.bytes: no hold above it, then longer toward the refusal watermark', () => {
    const throttle = { freeBytes: 10_000, maxMs: 1_000 };
    expect(diskThrottleMs(10_000, 2_000, throttle)).toBe(0);
    expect(diskThrottleMs(50_000, 2_000, throttle)).toBe(0);
    expect(diskThrottleMs(9_999, 2_000, throttle)).toBe(1);
    expect(diskThrottleMs(6_000, 2_000, throttle)).toBe(500);
    expect(diskThrottleMs(2_000, 2_000, throttle)).toBe(1_000);
    expect(diskThrottleMs(0, 2_000, throttle)).toBe(1_000);
    // Without a refusal watermark the hold reaches its longest at a full disk.
    expect(diskThrottleMs(5_000, 0, throttle)).toBe(500);
    expect(diskThrottleMs(5_000, 0, { freeBytes: 0, maxMs: 1_000 })).toBe(0);
    // Monotone: less free space never means a shorter hold.
    let previous = 0;
    for (let free = 10_000; free >= 0; free -= 137) {
      const hold = diskThrottleMs(free, 2_000, throttle);
      expect(hold).toBeGreaterThanOrEqual(previous);
      previous = hold;
    }
    let free = 6_000;
    const guard = new DiskSpaceGuard(
      '/data',
      2_000,
      () => 0,
      1_000,
      () => free,
      throttle,
    );
    expect(guard.throttleMs()).toBe(500);
    expect(guard.refusal()).toBeNull();
    free = 1_000;
    expect(
      () =>
        new DiskSpaceGuard(
          '/data',
          2_000,
          () => 0,
          1_000,
          () => free,
          { freeBytes: 2_000, maxMs: 1 },
        ),
    ).toThrow(/must be above log.dir.min.free.bytes/);
    expect(
      () =>
        new DiskSpaceGuard(
          '/data',
          0,
          () => 0,
          1_000,
          () => free,
          { freeBytes: 1, maxMs: 0 },
        ),
    ).toThrow(RangeError);
  });

  describe('on a real broker', () => {
    let cluster: LocalCluster;
    let controller: ControllerClient;
    let full: BrokerNode;
    const clients = new BrokerClients();

    beforeAll(async () => {
      ({ cluster, controller } = await startControllerProcess('disk-guard'));
      full = await startLocalBroker(cluster, 1, { logDirMinFreeBytes: Number.MAX_SAFE_INTEGER });
      await cluster.waitForUnfencedBrokers(10_000, [1]);
    });

    let filling: BrokerNode;

    afterAll(async () => {
      clients.close();
      await filling?.stop(false);
      await full?.stop(false);
      controller?.close();
      await cluster?.stop({ removeBaseDir: true });
    });

    it('refuses produce and appends nothing; fetch still answers', async () => {
      const created = await controller.call('CreateTopics', {
        topics: [
          {
            name: 'full-disk',
            numPartitions: -1,
            replicationFactor: -1,
            assignments: [{ partition: 0, brokerIds: [1] }],
            configs: {},
          },
        ],
      });
      expect(created.topics[0]!.errorName).toBe('');
      await waitFor('broker 1 leading full-disk-0', () => full.replica('full-disk', 0)?.role.kind === 'leader');
      const answer = await clients.produce(full, 'full-disk', 0, batch(0, 3));
      expect(answer.errorName).toBe('KAFKA_STORAGE_ERROR');
      expect(answer.errorMessage).toContain('below log.dir.min.free.bytes=');
      expect(full.replica('full-disk', 0)!.log.logEndOffset).toBe(0);
      const fetched = await clients.fetch(full, 'full-disk', 0, 0);
      expect(fetched.errorName).toBe('');
    });

    it('holds produce answers back below log.dir.throttle.free.bytes and says for how long; appends go on', async () => {
      // Any real disk has less free space than this bound: the broker is always "filling".
      filling = await startLocalBroker(cluster, 2, {
        logDirThrottle: { freeBytes: Number.MAX_SAFE_INTEGER, maxMs: 400 },
      });
      await cluster.waitForUnfencedBrokers(10_000, [2]);
      const created = await controller.call('CreateTopics', {
        topics: [
          {
            name: 'filling-disk',
            numPartitions: -1,
            replicationFactor: -1,
            assignments: [{ partition: 0, brokerIds: [2] }],
            configs: {},
          },
        ],
      });
      expect(created.topics[0]!.errorName).toBe('');
      await waitFor(
        'broker 2 leading filling-disk-0',
        () => filling.replica('filling-disk', 0)?.role.kind === 'leader',
      );
      const startedMs = Date.now();
      const response = await clients.call(filling, 'Produce', {
        acks: -1,
        timeoutMs: 5_000,
        topics: [{ name: 'filling-disk', partitions: [{ partition: 0, records: batch(0, 3) }] }],
      });
      const elapsedMs = Date.now() - startedMs;
      expect(response.topics[0]!.partitions[0]!.errorName).toBe('');
      expect(response.throttleTimeMs).toBeGreaterThanOrEqual(390);
      expect(response.throttleTimeMs).toBeLessThanOrEqual(400);
      expect(elapsedMs).toBeGreaterThanOrEqual(response.throttleTimeMs - 10);
      expect(filling.replica('filling-disk', 0)!.log.logEndOffset).toBe(3);
    });
  });
});
