/**
 * The share states of one `__share_group_state` partition, as one share coordinator owns them
 * (Kafka's ShareCoordinatorShard). Pure: operations answer `{ records, response }` having already
 * replayed the records into memory; the shell writes them (acks=all) and answers only then, and
 * reloads the partition from the log when a write fails, which undoes them.
 *
 * Folding uses @sluice/protocol's `initializeShareState` / `applyShareStateUpdate` (state epoch
 * fencing, range merging), the same code the partition leaders use. On top of that the shard
 * fences partition leaders by leader epoch: the stored state remembers the epoch of the leader
 * that last wrote it (or read it to start serving), and a read or write from an older leader is
 * FENCED_LEADER_EPOCH. A read with epoch -1 is a look that fences nobody (the CLI). A leader that
 * reads nothing stored still leaves its epoch behind (an uninitialized record): otherwise the
 * previous leader could write between that read and the new leader's first snapshot, answer its
 * consumers, and have those acknowledgements overwritten by the snapshot.
 *
 * Each write stores the whole folded state, not the diff the leader sent: the topic is compacted
 * by key, so replay needs only the newest record of each share partition and never has to chain
 * diffs (which compaction would have removed). The cost is a record that grows with the number
 * of ranges, so that number is bounded (`maxRanges`, INVALID_REQUEST above it).
 */
import { ApiError, applyShareStateUpdate, initializeShareState, type ShareStateSnapshot } from '@sluice/protocol';
import type { ShareStateRecord, ShareStateRecordKey, StoredShareState } from './share-state-records';

/** Most ranges a stored state (or one write) may have: ~35 bytes each keeps a record well under 1 MiB. */
export const MAX_SHARE_STATE_RANGES = 10_000;

const MAX_ID_LENGTH = 1_024;

export interface ShareStateOutcome<T> {
  readonly records: ShareStateRecord[];
  readonly response: T;
}

export interface ShareStateReadResult {
  /** null: nothing stored for this share partition yet. */
  readonly state: ShareStateSnapshot | null;
}

export interface ShareStateWriteRequest {
  readonly key: ShareStateRecordKey;
  readonly leaderEpoch: number;
  readonly state: ShareStateSnapshot;
  /** 'snapshot': the whole state (initialization or a new state epoch); 'update': a diff. */
  readonly kind: 'snapshot' | 'update';
}

function invalid(message: string): ApiError {
  return new ApiError('INVALID_REQUEST', message);
}

function mapKey(key: ShareStateRecordKey): string {
  return `${key.groupId}\u0000${key.topic}\u0000${key.partition}`;
}

export function validateShareStateKey(key: ShareStateRecordKey): void {
  if (typeof key.groupId !== 'string' || key.groupId === '' || key.groupId.length > MAX_ID_LENGTH)
    throw invalid(`group id ${JSON.stringify(String(key.groupId).slice(0, 50))} is empty or too long`);
  if (typeof key.topic !== 'string' || key.topic === '' || key.topic.length > 249)
    throw invalid(`topic ${JSON.stringify(String(key.topic).slice(0, 50))} is empty or too long`);
  if (!Number.isInteger(key.partition) || key.partition < 0)
    throw invalid(`partition ${key.partition} is not a partition number`);
}

export class ShareStateShard {
  private readonly states = new Map<string, StoredShareState>();

  constructor(private readonly maxRanges: number = MAX_SHARE_STATE_RANGES) {
    if (!Number.isInteger(maxRanges) || maxRanges < 1) throw new RangeError(`maxRanges ${maxRanges} must be >= 1`);
  }

  get size(): number {
    return this.states.size;
  }

  /** Applies one record read from the log (or just emitted). */
  replay(record: ShareStateRecord): void {
    if (record.value === null) this.states.delete(mapKey(record.key));
    else this.states.set(mapKey(record.key), record.value);
  }

  /** The stored state as it is, for tests and describe. */
  stored(key: ShareStateRecordKey): StoredShareState | undefined {
    return this.states.get(mapKey(key));
  }

  /**
   * ReadShareGroupState. A leader reading with a newer epoch than the stored one takes the share
   * partition over: the new epoch is written (and committed before the answer), so the previous
   * leader's writes are fenced from then on.
   */
  read(key: ShareStateRecordKey, leaderEpoch: number): ShareStateOutcome<ShareStateReadResult> {
    validateShareStateKey(key);
    if (!Number.isInteger(leaderEpoch) || leaderEpoch < -1 || leaderEpoch > 0x7fffffff)
      throw invalid(`leader epoch ${leaderEpoch} is not valid`);
    const stored = this.states.get(mapKey(key));
    if (stored !== undefined && leaderEpoch !== -1 && leaderEpoch < stored.leaderEpoch)
      throw fenced(key, leaderEpoch, stored.leaderEpoch);
    const records: ShareStateRecord[] = [];
    if (leaderEpoch > (stored?.leaderEpoch ?? -1)) {
      const record: ShareStateRecord = {
        key,
        value: { ...(stored ?? { stateEpoch: 0, startOffset: 0, ranges: [], initialized: false }), leaderEpoch },
      };
      this.replay(record);
      records.push(record);
    }
    const state =
      stored === undefined || !stored.initialized
        ? null
        : { stateEpoch: stored.stateEpoch, startOffset: stored.startOffset, ranges: stored.ranges };
    return { records, response: { state } };
  }

  /** WriteShareGroupState: folds the write into the stored state and emits the whole result. */
  write(request: ShareStateWriteRequest): ShareStateOutcome<void> {
    validateShareStateKey(request.key);
    const { leaderEpoch, state, kind } = request;
    if (!Number.isInteger(leaderEpoch) || leaderEpoch < 0 || leaderEpoch > 0x7fffffff)
      throw invalid(`leader epoch ${leaderEpoch} is not valid for a write (>= 0)`);
    if (state.ranges.length > this.maxRanges)
      throw invalid(`${state.ranges.length} ranges in one write; at most ${this.maxRanges}`);
    const fence = this.states.get(mapKey(request.key));
    if (fence !== undefined && leaderEpoch < fence.leaderEpoch)
      throw fenced(request.key, leaderEpoch, fence.leaderEpoch);
    const stored = fence?.initialized === true ? fence : null;
    // An update with nothing stored starts the state from it (Kafka's share coordinator does the
    // same): offsets at or above its start offset that it does not name are AVAILABLE, undelivered.
    const folded =
      kind === 'snapshot' || stored === null
        ? initializeShareState(stored, state)
        : applyShareStateUpdate(stored, state);
    if (!folded.ok) throw folded.error;
    if (folded.snapshot.ranges.length > this.maxRanges) {
      throw invalid(
        `the folded state would have ${folded.snapshot.ranges.length} ranges; at most ${this.maxRanges} (advance the start offset)`,
      );
    }
    const record: ShareStateRecord = {
      key: request.key,
      value: { ...folded.snapshot, leaderEpoch, initialized: true },
    };
    this.replay(record);
    return { records: [record], response: undefined };
  }
}

function fenced(key: ShareStateRecordKey, leaderEpoch: number, storedEpoch: number): ApiError {
  return new ApiError(
    'FENCED_LEADER_EPOCH',
    `leader epoch ${leaderEpoch} of ${key.topic}-${key.partition} is older than ${storedEpoch}, which wrote the state of share group ${key.groupId}`,
  );
}
