import { loadSnapshot, type MetadataRecord } from '@sluice/metadata';
import { decodeMetadataEntry, encodeMetadataEntry, entryFrames } from '../src/state/entry-codec';
import { MetadataStateMachine } from '../src/state/metadata-state-machine';
import { MetadataFeed, type FeedItem } from '../src/feed/metadata-feed';

const topic = (name: string, topicId: string): MetadataRecord[] => [
  { type: 'Topic', name, topicId },
  { type: 'Partition', topicId, partitionId: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 },
];
const ID_A = 'AAAAAAAAAAAAAAAAAAAAAQ';
const ID_B = 'AAAAAAAAAAAAAAAAAAAAAg';

describe('metadata entries and the state machine', () => {
  it('round-trips a batch; empty data is a no-op entry', () => {
    const records = topic('a', ID_A);
    expect(decodeMetadataEntry(encodeMetadataEntry(records))).toEqual(records);
    expect(entryFrames(new Uint8Array(0))).toEqual([]);
    expect(decodeMetadataEntry(encodeMetadataEntry([]))).toEqual([]);
    expect(() => entryFrames(Buffer.from([1, 2, 3, 4, 5, 6, 7]))).toThrow(/magic/);
  });

  it('applies batches atomically and skips an invalid batch as a whole', () => {
    const rejected: number[] = [];
    const sm = new MetadataStateMachine(undefined, (index) => rejected.push(index));
    sm.apply([
      { index: 1, term: 1, data: new Uint8Array(0) },
      { index: 2, term: 1, data: encodeMetadataEntry(topic('a', ID_A)) },
      // second record refers to an unknown topic id: the whole batch (with topic b) is skipped
      {
        index: 3,
        term: 1,
        data: encodeMetadataEntry([...topic('b', ID_B), { type: 'RemoveTopic', topicId: 'AAAAAAAAAAAAAAAAAAAAAw' }]),
      },
    ]);
    expect(sm.appliedIndex).toBe(3);
    expect(sm.image.topics.topicCount).toBe(1);
    expect(rejected).toEqual([3]);
    expect(sm.rejectionAt(3)).toMatch(/does not apply/);
    // re-delivery of applied entries is ignored
    sm.apply([{ index: 2, term: 1, data: encodeMetadataEntry(topic('c', ID_B)) }]);
    expect(sm.image.topics.topicCount).toBe(1);
  });

  it('snapshots and restores the image with its provenance', async () => {
    const sm = new MetadataStateMachine();
    sm.apply([{ index: 1, term: 2, data: encodeMetadataEntry(topic('a', ID_A)) }]);
    const bytes = sm.takeSnapshot();
    expect((await loadSnapshot(bytes)).provenance).toEqual({ lastContainedOffset: 1, lastContainedEpoch: 2 });
    const other = new MetadataStateMachine();
    await other.restoreSnapshot(bytes);
    expect(other.appliedIndex).toBe(1);
    expect(other.image.topics.topicByName('a')?.topicId).toBe(ID_A);
    expect(other.batchesFrom(1, 10)).toBe('snapshot');
  });

  it('the feed sends a snapshot when the offset is older than memory, then live batches', async () => {
    const sm = new MetadataStateMachine({ tailMaxBatches: 2, tailMaxBytes: 1 << 20 });
    sm.apply([
      { index: 1, term: 1, data: encodeMetadataEntry(topic('a', ID_A)) },
      { index: 2, term: 1, data: new Uint8Array(0) },
      { index: 3, term: 1, data: new Uint8Array(0) },
    ]);
    const feed = new MetadataFeed(sm, { maxBatchesPerStep: 10, snapshotMessageBytes: 64 });
    const abort = new AbortController();
    const items: FeedItem[] = [];
    const done = (async () => {
      for await (const item of feed.follow(0, abort.signal)) {
        items.push(item);
        if (item.kind === 'batch' && item.batch.offset === 4) abort.abort();
      }
    })();
    await new Promise((resolve) => setImmediate(resolve));
    sm.apply([{ index: 4, term: 1, data: encodeMetadataEntry(topic('b', ID_B)) }]);
    await done;
    const snapshot = items.filter((item) => item.kind === 'snapshot');
    expect(snapshot.length).toBeGreaterThan(1);
    expect(snapshot[snapshot.length - 1]).toMatchObject({ last: true, lastContainedOffset: 3 });
    const image = await loadSnapshot(
      Buffer.concat(snapshot.map((item) => (item.kind === 'snapshot' ? item.data : new Uint8Array()))),
    );
    expect(image.topics.topicByName('a')).toBeDefined();
    expect(
      items.filter((item) => item.kind === 'batch').map((item) => (item.kind === 'batch' ? item.batch.offset : 0)),
    ).toEqual([4]);
  });

  it('the feed from a recent offset sends only batches', async () => {
    const sm = new MetadataStateMachine();
    sm.apply([
      { index: 1, term: 1, data: encodeMetadataEntry(topic('a', ID_A)) },
      { index: 2, term: 1, data: encodeMetadataEntry(topic('b', ID_B)) },
    ]);
    const abort = new AbortController();
    const offsets: number[] = [];
    for await (const item of new MetadataFeed(sm).follow(2, abort.signal)) {
      expect(item.kind).toBe('batch');
      if (item.kind === 'batch') offsets.push(item.batch.offset);
      abort.abort();
    }
    expect(offsets).toEqual([2]);
  });
});
