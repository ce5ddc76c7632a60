import { CorruptRecordError } from '@sluice/protocol';

/** Runs `fn`, insists it throws `CorruptRecordError`, and returns that error. */
export function captureCorrupt(fn: () => unknown): CorruptRecordError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CorruptRecordError) return error;
    throw error;
  }
  throw new Error('expected a CorruptRecordError, nothing was thrown');
}
