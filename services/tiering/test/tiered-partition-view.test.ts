import { RemotePartitionState, type RemoteSegmentMetadata } from '@sluice/tiering';
import { tieredPartitionView } from '../src/core/tiered-partition-view';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

function segment(uploadId: string, startOffset: number, endOffset: number, sizeBytes: number): RemoteSegmentMetadata {
  return {
    id: { topicId: TOPIC_ID, topic: 'cold', partition: 0, uploadId },
    startOffset,
    endOffset,
    maxTimestampMs: 1_000,
    leaderEpoch: 0,
    segmentSizeBytes: sizeBytes,
    segmentLeaderEpochs: [[0, startOffset]],
    brokerId: 1,
  };
}

function stateWith(...steps: [RemoteSegmentMetadata, 'COPY_SEGMENT_STARTED' | 'COPY_SEGMENT_FINISHED'][]) {
  const state = new RemotePartitionState(TOPIC_ID, 0);
  for (const [metadata, state_] of steps)
    state.apply({ kind: 'segment', state: state_, metadata, eventTimestampMs: 1 });
  return state;
}

const OFFSETS = { ok: { logStartOffset: 0, localLogStartOffset: 200, highWatermark: 250 } };
const LOCAL_SIZE = { ok: 4_096 };

describe('tieredPartitionView', () => {
  it('joins the leader offsets with the copied segments (unfinished uploads counted, not summed)', () => {
    const a = segment('a', 0, 99, 1_000);
    const b = segment('b', 100, 199, 2_000);
    const c = segment('c', 200, 249, 500);
    const state = stateWith(
      [a, 'COPY_SEGMENT_STARTED'],
      [a, 'COPY_SEGMENT_FINISHED'],
      [b, 'COPY_SEGMENT_STARTED'],
      [b, 'COPY_SEGMENT_FINISHED'],
      [c, 'COPY_SEGMENT_STARTED'],
    );
    expect(tieredPartitionView(0, 2, OFFSETS, { ok: state }, LOCAL_SIZE)).toEqual({
      partition: 0,
      leaderId: 2,
      logStartOffset: 0,
      localLogStartOffset: 200,
      highWatermark: 250,
      remoteStartOffset: 0,
      remoteEndOffset: 199,
      remoteSegments: 2,
      remoteSizeBytes: 3_000,
      unfinishedUploads: 1,
      localSizeBytes: 4_096,
      errorName: '',
      errorMessage: '',
    });
  });

  it('says nothing is remote with -1 offsets and zero sizes', () => {
    const view = tieredPartitionView(1, 1, OFFSETS, { ok: new RemotePartitionState(TOPIC_ID, 1) }, LOCAL_SIZE);
    expect([view.remoteStartOffset, view.remoteEndOffset, view.remoteSegments, view.remoteSizeBytes]).toEqual([
      -1, -1, 0, 0,
    ]);
  });

  it('marks what it could not read with -1 and names the first failure', () => {
    const noLeader = tieredPartitionView(
      0,
      -1,
      { errorName: 'LEADER_NOT_AVAILABLE', errorMessage: 'no leader' },
      { errorName: 'REQUEST_TIMED_OUT', errorMessage: 'replay timed out' },
      { errorName: 'LEADER_NOT_AVAILABLE', errorMessage: 'no leader' },
    );
    expect(noLeader).toMatchObject({
      logStartOffset: -1,
      localLogStartOffset: -1,
      highWatermark: -1,
      remoteSizeBytes: -1,
      unfinishedUploads: -1,
      localSizeBytes: -1,
      errorName: 'LEADER_NOT_AVAILABLE',
    });
    const noMetadata = tieredPartitionView(
      0,
      1,
      OFFSETS,
      {
        errorName: 'REQUEST_TIMED_OUT',
        errorMessage: 'replay timed out',
      },
      LOCAL_SIZE,
    );
    expect(noMetadata).toMatchObject({
      highWatermark: 250,
      remoteSegments: 0,
      localSizeBytes: 4_096,
      errorName: 'REQUEST_TIMED_OUT',
    });
  });

  it('keeps the offsets and remote sizes when only the local size is missing, and names why', () => {
    const view = tieredPartitionView(
      0,
      1,
      OFFSETS,
      { ok: new RemotePartitionState(TOPIC_ID, 0) },
      { errorName: 'KAFKA_STORAGE_ERROR', errorMessage: 'log directory offline' },
    );
    expect(view).toMatchObject({
      localLogStartOffset: 200,
      remoteSizeBytes: 0,
      localSizeBytes: -1,
      errorName: 'KAFKA_STORAGE_ERROR',
      errorMessage: 'log directory offline',
    });
  });
});
