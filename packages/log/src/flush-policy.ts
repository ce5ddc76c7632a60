import type { LogConfig } from './log-config';

export interface UnflushedState {
  /** Records appended since the last flush. */
  readonly unflushedMessages: number;
  /** Clock time of the first append since the last flush; null when everything is flushed. */
  readonly oldestUnflushedAppendMs: number | null;
}

/** Kafka's flush.messages / flush.ms: flush once either threshold is reached. */
export function shouldFlush(state: UnflushedState, config: LogConfig, nowMs: number): boolean {
  if (state.oldestUnflushedAppendMs === null) return false;
  if (state.unflushedMessages >= config.flushMessages) return true;
  return nowMs - state.oldestUnflushedAppendMs >= config.flushMs;
}
