/**
 * Raised for any byte sequence that is not a well-formed RecordBatch v2.
 * `position` is the absolute byte position (within the buffer or file being read) where the
 * problem was found, so operators can locate it with a hex dump.
 */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';

  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at byte ${position}`);
  }
}
