/**
 * `sluice group reset-offsets`: the flags as a plan request (bad combinations are usage errors,
 * exit 2) and the plan itself, a pure function of the committed offsets and each partition's log
 * start, log end and offset-for-time. As kafka-consumer-groups: the new offset is kept within
 * [log start, log end]; --shift-by needs a committed offset; --to-datetime past the last record
 * goes to the log end.
 */
import { ApiError } from '@sluice/protocol';
import { integerOption } from './client-session';
import { UsageError } from './exit-codes';

export type ResetTarget =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'datetime'; readonly timestampMs: number }
  | { readonly kind: 'shift-by'; readonly shift: number }
  | { readonly kind: 'offset'; readonly offset: number };

/** --topic T (every partition) or T:0,2 (those partitions). */
export interface TopicSelection {
  readonly topic: string;
  /** undefined: every partition of the topic. */
  readonly partitions?: readonly number[];
}

export type ResetScope =
  { readonly kind: 'all-topics' } | { readonly kind: 'topics'; readonly topics: readonly TopicSelection[] };

export interface ResetRequest {
  readonly scope: ResetScope;
  readonly target: ResetTarget;
  /** false: dry run (the default), print the plan only. */
  readonly execute: boolean;
}

export interface ResetFlags {
  readonly topic?: readonly string[];
  readonly allTopics?: boolean;
  readonly toEarliest?: boolean;
  readonly toLatest?: boolean;
  readonly toDatetime?: string;
  readonly shiftBy?: string;
  readonly toOffset?: string;
  readonly execute?: boolean;
  readonly dryRun?: boolean;
}

const MAX_PARTITION = 2 ** 31 - 1;

/** `T` or `T:0,1,2`; a bad partition list is a usage error. */
export function parseTopicSelection(text: string): TopicSelection {
  const colon = text.lastIndexOf(':');
  const topic = (colon < 0 ? text : text.slice(0, colon)).trim();
  if (topic === '') throw new UsageError(`--topic needs a topic name (T or T:0,1), got ${JSON.stringify(text)}`);
  if (colon < 0) return { topic };
  const list = text.slice(colon + 1);
  if (list.trim() === '')
    throw new UsageError(`--topic ${JSON.stringify(text)}: list partitions after ':' (T:0,1) or drop the ':'`);
  const partitions = list
    .split(',')
    .map((p) => integerOption(p.trim(), `--topic ${text}: partition`, 0, MAX_PARTITION));
  return { topic, partitions: [...new Set(partitions)].sort((a, b) => a - b) };
}

/** An ISO-8601 date-time (`2026-11-23T10:00:00Z`, `2026-11-23T10:00:00.000+01:00`; no zone: local time) -> ms. */
export function parseIsoDateTime(text: string, flag = '--to-datetime'): number {
  const trimmed = text.trim();
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)
    ? Date.parse(trimmed)
    : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new UsageError(
      `${flag} must be an ISO-8601 time after 1970 such as 2026-11-23T10:00:00Z or 2026-11-23T10:00:00.000+01:00, got ${JSON.stringify(text)}`,
    );
  return ms;
}

/** The flags of `group reset-offsets` as a request; every contradiction is a usage error. */
export function resetRequest(flags: ResetFlags): ResetRequest {
  const targets = [
    flags.toEarliest === true ? '--to-earliest' : null,
    flags.toLatest === true ? '--to-latest' : null,
    flags.toDatetime !== undefined ? '--to-datetime' : null,
    flags.shiftBy !== undefined ? '--shift-by' : null,
    flags.toOffset !== undefined ? '--to-offset' : null,
  ].filter((flag) => flag !== null);
  if (targets.length === 0)
    throw new UsageError(
      'reset-offsets needs one of --to-earliest, --to-latest, --to-datetime, --shift-by, --to-offset',
    );
  if (targets.length > 1) throw new UsageError(`${targets.join(' and ')} exclude each other: give one reset target`);
  const topics = flags.topic ?? [];
  if (topics.length > 0 && flags.allTopics === true)
    throw new UsageError('--topic and --all-topics exclude each other');
  if (topics.length === 0 && flags.allTopics !== true)
    throw new UsageError('reset-offsets needs --topic T[:p,p] (repeatable) or --all-topics');
  if (flags.execute === true && flags.dryRun === true)
    throw new UsageError('--dry-run and --execute exclude each other');
  const target: ResetTarget =
    flags.toEarliest === true
      ? { kind: 'earliest' }
      : flags.toLatest === true
        ? { kind: 'latest' }
        : flags.toDatetime !== undefined
          ? { kind: 'datetime', timestampMs: parseIsoDateTime(flags.toDatetime) }
          : flags.shiftBy !== undefined
            ? { kind: 'shift-by', shift: integerOption(flags.shiftBy, '--shift-by', Number.MIN_SAFE_INTEGER) }
            : { kind: 'offset', offset: integerOption(flags.toOffset as string, '--to-offset', 0) };
  const scope: ResetScope =
    flags.allTopics === true
      ? { kind: 'all-topics' }
      : { kind: 'topics', topics: mergeSelections(topics.map(parseTopicSelection)) };
  return { scope, target, execute: flags.execute === true };
}

/** The same topic named twice: every partition wins over a list; lists are joined. */
function mergeSelections(selections: readonly TopicSelection[]): TopicSelection[] {
  const merged = new Map<string, TopicSelection>();
  for (const selection of selections) {
    const previous = merged.get(selection.topic);
    if (previous === undefined) merged.set(selection.topic, selection);
    else if (previous.partitions === undefined || selection.partitions === undefined)
      merged.set(selection.topic, { topic: selection.topic });
    else
      merged.set(selection.topic, {
        topic: selection.topic,
        partitions: [...new Set([...previous.partitions, ...selection.partitions])].sort((a, b) => a - b),
      });
  }
  return [...merged.values()];
}

/** What the plan needs to know about one partition. */
export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset; null: none. */
  readonly committed: number | null;
  readonly logStart: number;
  /** The high watermark. */
  readonly logEnd: number;
  /** --to-datetime: the first offset with a timestamp at or after the time; -1: none. */
  readonly offsetForTime?: number;
}

export interface PlannedReset {
  readonly topic: string;
  readonly partition: number;
  /** null: nothing committed before. */
  readonly currentOffset: number | null;
  readonly newOffset: number;
}

/**
 * The new offset of each partition, sorted by topic and partition. Pure. Throws INVALID_REQUEST
 * for --shift-by on a partition without a committed offset (Kafka refuses the same).
 */
export function planOffsetReset(partitions: readonly PartitionOffsets[], target: ResetTarget): PlannedReset[] {
  const sorted = [...partitions].sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
  );
  return sorted.map((p) => {
    if (p.logStart < 0 || p.logEnd < p.logStart)
      throw new RangeError(`${p.topic}-${p.partition}: log start ${p.logStart} / end ${p.logEnd} are not a range`);
    let requested: number;
    switch (target.kind) {
      case 'earliest':
        requested = p.logStart;
        break;
      case 'latest':
        requested = p.logEnd;
        break;
      case 'offset':
        requested = target.offset;
        break;
      case 'shift-by':
        if (p.committed === null)
          throw new ApiError(
            'INVALID_REQUEST',
            `cannot shift the offset of ${p.topic}-${p.partition}: the group has no committed offset for it`,
          );
        requested = p.committed + target.shift;
        break;
      case 'datetime':
        if (p.offsetForTime === undefined)
          throw new RangeError(`${p.topic}-${p.partition}: no offset for the time was looked up`);
        // No record at or after the time: the log end, as kafka-consumer-groups does.
        requested = p.offsetForTime < 0 ? p.logEnd : p.offsetForTime;
        break;
    }
    return {
      topic: p.topic,
      partition: p.partition,
      currentOffset: p.committed,
      newOffset: Math.min(p.logEnd, Math.max(p.logStart, requested)),
    };
  });
}
