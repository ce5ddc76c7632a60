import type { LogConfig } from './log-config';

const INT32_MAX = 2 ** 31 - 1;

export interface RollInput {
  readonly segmentSizeBytes: number;
  readonly segmentBaseOffset: number;
  /** When the segment became active, by the injected clock. */
  readonly segmentActiveSinceMs: number;
  readonly indexFull: boolean;
  readonly appendSizeBytes: number;
  /** Largest offset the append will write (relative offsets must fit int32). */
  readonly appendLastOffset: number;
  readonly nowMs: number;
}

export type RollReason = 'size' | 'time' | 'index-full' | 'offset-overflow' | null;

/**
 * Kafka's LogSegment.shouldRoll: the active segment rolls before an append that would push it
 * past `segment.bytes` (or int32 positions), once it has been active for `segment.ms`, when an
 * index is full, or when the append's offsets no longer fit relative to the base offset. An empty
 * segment never rolls for size or time.
 */
export function shouldRoll(input: RollInput, config: LogConfig): RollReason {
  const empty = input.segmentSizeBytes === 0;
  if (input.appendLastOffset - input.segmentBaseOffset > INT32_MAX) return 'offset-overflow';
  if (empty) return null;
  if (input.segmentSizeBytes > config.segmentBytes - input.appendSizeBytes) return 'size';
  if (input.segmentSizeBytes > INT32_MAX - input.appendSizeBytes) return 'size';
  if (input.nowMs - input.segmentActiveSinceMs >= config.segmentMs) return 'time';
  if (input.indexFull) return 'index-full';
  return null;
}
