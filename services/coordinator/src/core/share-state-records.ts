/**
 * What the share coordinator writes to `__share_group_state` (Kafka's ShareSnapshot records, in
 * our own encoding): one record per share partition (share group x topic partition), keyed by
 * that share partition, whose value is the whole folded state plus the leader epoch of its last
 * writer. The topic is compacted, so replay reads at most one live value per key; a null value
 * is a tombstone (the share partition's state is gone).
 *
 * Encoding: UTF-8 JSON like `__consumer_offsets` (readable with `sluice consume --json`); ranges
 * are `[firstOffset, lastOffset, stateCode, deliveryCount]` tuples (Kafka's deliveryState codes
 * 0 AVAILABLE, 2 ACKNOWLEDGED, 4 ARCHIVED) to keep a snapshot with many ranges small.
 */
import { ApiError, type DurableRange, type DurableRecordState, type ShareStateSnapshot } from '@sluice/protocol';

export interface ShareStateRecordKey {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
}

/** The stored state of one share partition. */
export interface StoredShareState extends ShareStateSnapshot {
  /** Leader epoch of the partition leader that last wrote (or read with an epoch) this state. */
  readonly leaderEpoch: number;
  /**
   * false: no state was written yet, only a leader read it (found nothing) and fences older
   * leaders; the snapshot fields are empty then.
   */
  readonly initialized: boolean;
}

export interface ShareStateRecord {
  readonly key: ShareStateRecordKey;
  readonly value: StoredShareState | null;
}

const RECORD_TYPE = 'ShareSnapshot';
const RECORD_VERSION = 1;

const STATE_CODES: Readonly<Record<DurableRecordState, number>> = { AVAILABLE: 0, ACKNOWLEDGED: 2, ARCHIVED: 4 };
const STATES_BY_CODE = new Map<number, DurableRecordState>(
  Object.entries(STATE_CODES).map(([state, code]) => [code, state as DurableRecordState]),
);

export function shareStateRecordKey(key: ShareStateRecordKey): Buffer {
  return Buffer.from(JSON.stringify([RECORD_TYPE, key.groupId, key.topic, key.partition]));
}

export function shareStateRecordValue(value: StoredShareState | null): Buffer | null {
  if (value === null) return null;
  return Buffer.from(
    JSON.stringify({
      v: RECORD_VERSION,
      stateEpoch: value.stateEpoch,
      leaderEpoch: value.leaderEpoch,
      initialized: value.initialized,
      startOffset: value.startOffset,
      ranges: value.ranges.map((r) => [r.firstOffset, r.lastOffset, STATE_CODES[r.state], r.deliveryCount]),
    }),
  );
}

function invalid(message: string): ApiError {
  return new ApiError('INVALID_RECORD', `__share_group_state: ${message}`);
}

/** Parses a record read back from the topic; a malformed one is INVALID_RECORD naming what is wrong. */
export function decodeShareStateRecord(key: Buffer | null, value: Buffer | null): ShareStateRecord {
  if (key === null) throw invalid('a record has no key');
  let parsedKey: unknown;
  let parsedValue: unknown = null;
  try {
    parsedKey = JSON.parse(key.toString('utf8'));
    if (value !== null) parsedValue = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw invalid(`a record is not JSON: ${(error as Error).message}`);
  }
  if (
    !Array.isArray(parsedKey) ||
    parsedKey[0] !== RECORD_TYPE ||
    typeof parsedKey[1] !== 'string' ||
    typeof parsedKey[2] !== 'string' ||
    !Number.isInteger(parsedKey[3])
  ) {
    throw invalid(`bad key ${key.toString('utf8').slice(0, 200)}`);
  }
  const recordKey: ShareStateRecordKey = {
    groupId: parsedKey[1],
    topic: parsedKey[2],
    partition: parsedKey[3] as number,
  };
  if (parsedValue === null) return { key: recordKey, value: null };
  const v = parsedValue as {
    v?: unknown;
    stateEpoch?: unknown;
    leaderEpoch?: unknown;
    initialized?: unknown;
    startOffset?: unknown;
    ranges?: unknown;
  };
  if (typeof v !== 'object' || v.v !== RECORD_VERSION)
    throw invalid(`unsupported value version in ${value!.toString('utf8').slice(0, 200)}`);
  if (
    !Number.isInteger(v.stateEpoch) ||
    !Number.isInteger(v.leaderEpoch) ||
    typeof v.initialized !== 'boolean' ||
    !Number.isSafeInteger(v.startOffset) ||
    !Array.isArray(v.ranges)
  ) {
    throw invalid(`bad value for ${JSON.stringify(parsedKey)}`);
  }
  const ranges: DurableRange[] = (v.ranges as unknown[]).map((tuple) => {
    if (!Array.isArray(tuple) || tuple.length !== 4) throw invalid(`bad range ${JSON.stringify(tuple)}`);
    const [firstOffset, lastOffset, code, deliveryCount] = tuple as [number, number, number, number];
    const state = STATES_BY_CODE.get(code);
    if (state === undefined) throw invalid(`unknown state code ${String(code)}`);
    return { firstOffset, lastOffset, state, deliveryCount };
  });
  return {
    key: recordKey,
    value: {
      stateEpoch: v.stateEpoch as number,
      leaderEpoch: v.leaderEpoch as number,
      initialized: v.initialized,
      startOffset: v.startOffset as number,
      ranges,
    },
  };
}
