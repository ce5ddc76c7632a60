import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batch } from './support/local-brokers';
import { manager } from './support/replica-manager-fixture';

describe('ReplicaManager rules', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-replicas-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const produce = (m: ReturnType<typeof manager>, acks: number, partition = 0) =>
    m.produce({ acks, timeoutMs: 1_000, topics: [{ name: 't', partitions: [{ partition, records: batch(0, 2) }] }] }).then((r) => r.topics[0]!.partitions[0]!);

  it('a fenced broker serves no writes, and takes them again once unfenced', async () => {
    const m = manager(dir);
    try {
      m.setFenced(true);
      expect((await produce(m, 1)).errorName).toBe('NOT_LEADER_OR_FOLLOWER');
      expect(m.replica('t', 0)!.log.logEndOffset).toBe(0);
      m.setFenced(false);
      expect((await produce(m, 1)).errorName).toBe('');
    } finally {
      m.stop();
    }
  });

  it('refuses bad acks for the whole request and unknown partitions per partition', async () => {
    const m = manager(dir);
    try {
      await expect(produce(m, 2)).rejects.toMatchObject({ errorName: 'INVALID_REQUIRED_ACKS' });
      expect((await produce(m, 1, 7)).errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    } finally {
      m.stop();
    }
  });

  it('times out an acks=all produce the followers never confirm, keeping the records', async () => {
    const m = manager(dir);
    m.start();
    try {
      const result = await m.produce({ acks: -1, timeoutMs: 200, topics: [{ name: 't', partitions: [{ partition: 0, records: batch(0, 2) }] }] });
      expect(result.topics[0]!.partitions[0]!.errorName).toBe('REQUEST_TIMED_OUT');
      expect(m.replica('t', 0)!.log.logEndOffset).toBe(2);
    } finally {
      m.stop();
    }
  });
});
