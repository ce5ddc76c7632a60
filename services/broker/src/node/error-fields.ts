/**
 * The per-partition error fields of a Produce, Fetch, ListOffsets or OffsetForLeaderEpoch answer:
 * Kafka's name and a message for the errors a partition may answer with. Anything else is not a
 * partition's answer but a bug: it goes on up (and a broken invariant stops the broker).
 */
import { LogError } from '@sluice/log';
import type { ItemError } from '@sluice/proto';
import { ApiError, CorruptRecordError } from '@sluice/protocol';
import { haltOnBrokenInvariant } from './invariant-halt';

export function errorFields(error: unknown): Required<ItemError> {
  if (error instanceof ApiError) return { errorName: error.errorName, errorMessage: error.message };
  if (error instanceof LogError) return { errorName: error.code, errorMessage: error.message };
  // A batch whose bytes do not check out (CRC, header) is the client's fault, as in Kafka.
  if (error instanceof CorruptRecordError) return { errorName: 'CORRUPT_MESSAGE', errorMessage: error.message };
  haltOnBrokenInvariant(error);
  throw error;
}
