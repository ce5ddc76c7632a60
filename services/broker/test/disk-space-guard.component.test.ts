/**
 * log.dir.min.free.bytes: a leader whose log directory has less free space than that refuses
 * produce requests with the retriable KAFKA_STORAGE_ERROR and appends nothing; reads go on. The
 * free space is the real statfs of the broker's log directory (a bound above any disk's size
 * stands in for a full disk). The pure decision is checked against exact numbers.
 */
import type { ControllerClient } from '@sluice/controller';
import { waitFor, type LocalCluster } from '@sluice/local-cluster';
import type { BrokerNode } from '../src/node/broker-node';
import { DiskSpaceGuard, diskSpaceRefusal } from '../src/node/disk-space-guard';
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

    afterAll(async () => {
      clients.close();
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
  });
});
