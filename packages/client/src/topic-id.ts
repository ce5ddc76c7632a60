/**
 * Topic ids the client chooses for CreateTopics (Kafka Uuids: 16 random bytes as 22 base64url
 * characters, never the all-zero id). Sent on every attempt of one create, the id lets the
 * controller tell this request's own committed earlier attempt from someone else's topic.
 */
import { randomBytes } from 'node:crypto';

const UUID_BYTES = 16;
/** Kafka's Uuid.ZERO_UUID, which is never a topic id. */
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function newTopicId(random: (count: number) => Uint8Array = randomBytes): string {
  for (;;) {
    const topicId = Buffer.from(random(UUID_BYTES)).toString('base64url');
    if (topicId.length !== 22) throw new RangeError(`topic id ${topicId} is not 22 base64url characters`);
    if (topicId !== ZERO_UUID) return topicId;
  }
}
