import { InvalidUuidError } from './errors';

/** Bytes in a UUID; topic ids and incarnation ids are 128-bit, as in Kafka. */
export const UUID_BYTES = 16;

/** Kafka prints a Uuid as URL-safe base64 without padding: 22 characters. */
const UUID_TEXT = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/** Kafka's Uuid.ZERO_UUID; never a valid topic id. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function isUuid(text: string): boolean {
  return UUID_TEXT.test(text);
}

/** Parses a Kafka-style UUID string; the last character must carry no stray bits. */
export function uuidToBytes(text: string): Uint8Array {
  if (!UUID_TEXT.test(text)) throw new InvalidUuidError(`not a 22-character base64url UUID: ${JSON.stringify(text)}`);
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== UUID_BYTES) throw new InvalidUuidError(`UUID ${text} decodes to ${bytes.length} bytes`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, UUID_BYTES);
}

export function uuidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== UUID_BYTES) throw new InvalidUuidError(`UUID needs ${UUID_BYTES} bytes, got ${bytes.length}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, UUID_BYTES).toString('base64url');
}

/** A random UUID from an injected byte source (principle 8: randomness is injected). */
export function uuidFromRandom(randomBytes: (count: number) => Uint8Array): string {
  return uuidFromBytes(randomBytes(UUID_BYTES));
}
