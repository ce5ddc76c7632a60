import { ApiError } from '@sluice/protocol';

/** Kafka's produce `acks`: 0 (no answer wanted), 1 (leader appended), -1 = all (every ISR member). */
export type Acks = 0 | 1 | -1;

/** Validates the wire value; anything else is INVALID_REQUIRED_ACKS, as Kafka answers. */
export function parseAcks(value: number): Acks | ApiError {
  if (value === 0 || value === 1 || value === -1) return value;
  return new ApiError('INVALID_REQUIRED_ACKS', `acks must be 0, 1 or -1 (all), got ${value}`);
}
