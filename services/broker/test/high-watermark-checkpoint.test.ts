import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@sluice/runtime';
import { HIGH_WATERMARK_CHECKPOINT_FILE, readHighWatermarks } from '../src/node/high-watermark-checkpoint';
import { batch } from './support/local-brokers';
import { manager } from './support/replica-manager-fixture';
import { received } from './support/wire';

describe('high watermark checkpoint', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-hw-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a restarted leader starts from the checkpointed high watermark, not 0', async () => {
    const first = manager(dir);
    expect(
      (
        await first.produce(
          received('Produce', {
            acks: 1,
            timeoutMs: 1_000,
            topics: [{ name: 't', partitions: [{ partition: 0, records: batch(0, 5) }] }],
          }),
        )
      ).topics![0]!.partitions![0]!.errorName,
    ).toBe('');
    expect(first.replica('t', 0)!.highWatermark).toBe(0); // follower 2 has not fetched yet
    const fetched = await first.fetch(
      received('Fetch', {
        replicaId: 2,
        replicaEpoch: 1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1024,
        topics: [
          {
            name: 't',
            partitions: [
              {
                partition: 0,
                fetchOffset: 5,
                currentLeaderEpoch: 0,
                lastFetchedEpoch: 0,
                logStartOffset: 0,
                partitionMaxBytes: 1024,
              },
            ],
          },
        ],
      }),
    );
    expect(Number(fetched.topics![0]!.partitions![0]!.highWatermark)).toBe(5);
    first.stop();
    expect(readFileSync(join(dir, HIGH_WATERMARK_CHECKPOINT_FILE), 'utf8')).toBe('0\n1\nt 0 5\n');

    const second = manager(dir);
    try {
      expect(second.replica('t', 0)!.role.kind).toBe('leader');
      expect(second.replica('t', 0)!.highWatermark).toBe(5);
    } finally {
      second.stop();
    }
  });

  it('an unreadable checkpoint reads as empty', () => {
    writeFileSync(join(dir, HIGH_WATERMARK_CHECKPOINT_FILE), '0\n3\nt 0 5\n');
    expect(readHighWatermarks(join(dir, HIGH_WATERMARK_CHECKPOINT_FILE), silentLogger()).size).toBe(0);
  });
});
