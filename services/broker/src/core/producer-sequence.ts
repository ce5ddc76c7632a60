/** Producer sequence numbers are int32 and wrap from 2^31-1 to 0, as in Kafka. */
export const MAX_SEQUENCE = 0x7fffffff;

/** Kafka's DefaultRecordBatch.incrementSequence: `sequence + increment`, wrapping past MAX_SEQUENCE to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > MAX_SEQUENCE - increment) return increment - (MAX_SEQUENCE - sequence) - 1;
  return sequence + increment;
}

/** Kafka's ProducerAppendInfo.inSequence: `next` directly follows `last`, across the wrap. */
export function isNextSequence(lastSequence: number, nextSequence: number): boolean {
  return nextSequence === lastSequence + 1 || (nextSequence === 0 && lastSequence === MAX_SEQUENCE);
}
