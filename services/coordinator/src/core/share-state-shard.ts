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
 * FENCED_LEADER_EPOCH. A read with epoch -1 is a look that fences nobody (the CLI).
 *
 * Each write stores the whole folded state, not the diff the leader sent: the topic is compacted
 * by key, so replay needs only the newest record of each share partition and never has to chain
 * diffs (which compaction would have removed). The cost is a record that grows with the number
 * of ranges, so that number is bounded (`maxRanges`, INVALID_REQUEST above it).
 */
import { ApiError, applyShareStateUpdate, initializeShareState, type DurableRange, type ShareStateSnapshot } from '@sluice/protocol';
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
  if (typeof key.groupId !== 'string' || key.groupId === '' || key.groupId.length > MAX_ID_LENGTH) throw invalid(`group id ${JSON.stringify(String(key.groupId).slice(0, 50))} is empty or too long`);
  if (typeof key.topic !== 'string' || key.topic === '' || key.topic.length > 249) throw invalid(`topic ${JSON.stringify(String(key.topic).slice(0, 50))} is empty or too long`);
  if (!Number.isInteger(key.partition) || key.partition < 0) throw invalid(`partition ${key.partition} is not a partition number`);
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
    if (!Number.isInteger(leaderEpoch) || leaderEpoch < -1 || leaderEpoch > 0x7fffffff) throw invalid(`leader epoch ${leaderEpoch} is not valid`);
    const stored = this.states.get(mapKey(key));
    if (stored === undefined) return { records: [], response: { state: null } };
    if (leaderEpoch !== -1 && leaderEpoch < stored.leaderEpoch) throw fenced(key, leaderEpoch, stored.leaderEpoch);
    const records: ShareStateRecord[] = [];
    if (leaderEpoch > stored.leaderEpoch) {
      const record: ShareStateRecord = { key, value: { ...stored, leaderEpoch } };
      this.replay(record);
      records.push(record);
    }
    return { records, response: { state: { stateEpoch: stored.stateEpoch, startOffset: stored.startOffset, ranges: stored.ranges } } };
  }

  /** WriteShareGroupState: folds the write into the stored state and emits the whole result. */
  write(request: ShareStateWriteRequest): ShareStateOutcome<void> {
    validateShareStateKey(request.key);
    const { leaderEpoch, state, kind } = request;
    if (!Number.isInteger(leaderEpoch) || leaderEpoch < 0 || leaderEpoch > 0x7fffffff) throw invalid(`leader epoch ${leaderEpoch} is not valid for a write (>= 0)`);
    if (state.ranges.length > this.maxRanges) throw invalid(`${state.ranges.length} ranges in one write; at most ${this.maxRanges}`);
    const stored = this.states.get(mapKey(request.key)) ?? null;
    if (stored !== null && leaderEpoch < stored.leaderEpoch) throw fenced(request.key, leaderEpoch, stored.leaderEpoch);
    // An update with nothing stored starts the state from it (Kafka's share coordinator does the
    // same): offsets at or above its start offset that it does not name are AVAILABLE, undelivered.
    const folded = kind === 'snapshot' || stored === null ? initializeShareState(stored, state) : applyShareStateUpdate(stored, state);
    if (!folded.ok) throw folded.error;
    if (folded.snapshot.ranges.length > this.maxRanges) {
      throw invalid(`the folded state would have ${folded.snapshot.ranges.length} ranges; at most ${this.maxRanges} (advance the start offset)`);
    }
    const record: ShareStateRecord = { key: request.key, value: { ...folded.snapshot, ranges: folded.snapshot.ranges as DurableRange[], leaderEpoch } };
    this.replay(record);
    return { records: [record], response: undefined };
  }

  /** Every stored share partition (for describe and tests), sorted by key. */
  entries(): { key: ShareStateRecordKey; state: StoredShareState }[] {
    return [...this.states.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, state]) => {
        const [groupId, topic, partition] = k.split('\u0000') as [string, string, string];
        return { key: { groupId, topic, partition: Number(partition) }, state };
      });
  }
}

function fenced(key: ShareStateRecordKey, leaderEpoch: number, storedEpoch: number): ApiError {
  return new ApiError('FENCED_LEADER_EPOCH', `leader epoch ${leaderEpoch} of ${key.topic}-${key.partition} is older than ${storedEpoch}, which wrote the state of share group ${key.groupId}`);
}
