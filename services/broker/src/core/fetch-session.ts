/**
 * The leader's half of a replica fetch session (Kafka's KIP-227 incremental fetch), one per
 * ReplicaFetchStream: it remembers, per partition, what the follower last asked and what it was
 * last answered, and leaves out of the next answer every partition with nothing new, so a
 * follower of many quiet partitions gets answers the size of what changed.
 *
 * A partition is left out only when all of these hold; otherwise it is sent (and remembered):
 * - it was asked at the same fetch offset and current leader epoch as last time, so the follower
 *   did not move (a follower that truncated, restarted its partition or learnt a new epoch asks
 *   differently and gets a full answer);
 * - the answer carries no records, no error and no diverging epoch;
 * - its high watermark, log start offset and leader epoch are those last sent.
 * An answer with an error or a diverging epoch is not remembered: the one after it is sent in full.
 * The follower keeps asking for every partition it follows, so leaving one out loses nothing:
 * the follower's view stays what the last answer sent said. Partitions no longer asked are
 * forgotten, so the session holds at most the partitions of the latest request.
 */

/** One asked partition, as far as the session compares it. */
export interface SessionAsk {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: string;
  readonly currentLeaderEpoch: number;
}

/** One answered partition, as far as the session compares it. */
export interface SessionAnswer {
  readonly topic: string;
  readonly partition: number;
  readonly errorName: string;
  readonly recordBytes: number;
  readonly diverging: boolean;
  readonly highWatermark: string;
  readonly logStartOffset: string;
  readonly leaderEpoch: number;
}

interface Remembered {
  readonly fetchOffset: string;
  readonly currentLeaderEpoch: number;
  readonly highWatermark: string;
  readonly logStartOffset: string;
  readonly leaderEpoch: number;
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** A request's asks by partition (`indexAsks`). */
export type AskIndex = ReadonlyMap<string, SessionAsk>;

/** The asks of one request by partition; a partition asked twice counts as its last ask. */
export function indexAsks(asks: readonly SessionAsk[]): AskIndex {
  const asked = new Map<string, SessionAsk>();
  for (const ask of asks) asked.set(keyOf(ask.topic, ask.partition), ask);
  return asked;
}

export class FetchSession {
  private remembered = new Map<string, Remembered>();

  /** Partitions this session remembers (bounded by the latest request's). */
  get size(): number {
    return this.remembered.size;
  }

  /**
   * Whether the follower must get this answer now (read-only: the session does not move). True
   * when some answered partition carries records, an error or a diverging epoch, is one this
   * session sent nothing for yet, was asked at a new current leader epoch, or has a leader epoch
   * or log start offset other than last sent. False when at most high watermarks moved: such an
   * answer may wait for the next records (which carry the high watermark with them) or for the
   * request's max wait, whichever comes first (node/replica-fetch-stream.ts), as Kafka's delayed
   * follower fetch completes on new records and not on a moved high watermark.
   */
  mustAnswer(asks: readonly SessionAsk[], answers: readonly SessionAnswer[]): boolean {
    return this.mustAnswerAsked(indexAsks(asks), answers);
  }

  /**
   * `mustAnswer` with the request's asks indexed once (`indexAsks`): a held follower fetch asks
   * this at every wake-up, about the partitions that changed, and the request may list thousands.
   */
  mustAnswerAsked(asked: AskIndex, answers: readonly SessionAnswer[]): boolean {
    for (const answer of answers) {
      if (answer.errorName !== '' || answer.recordBytes > 0 || answer.diverging) return true;
      const key = keyOf(answer.topic, answer.partition);
      const before = this.remembered.get(key);
      if (
        before === undefined ||
        asked.get(key)?.currentLeaderEpoch !== before.currentLeaderEpoch ||
        answer.leaderEpoch !== before.leaderEpoch ||
        answer.logStartOffset !== before.logStartOffset
      )
        return true;
    }
    return false;
  }

  /**
   * Steps the session with one round: `asks` as the request listed them, `answers` as the fetch
   * path produced them. Returns, for each answer, whether it goes out (same order as `answers`).
   */
  step(asks: readonly SessionAsk[] | AskIndex, answers: readonly SessionAnswer[]): boolean[] {
    const asked = asks instanceof Map ? (asks as AskIndex) : indexAsks(asks as readonly SessionAsk[]);
    const next = new Map<string, Remembered>();
    const sent = answers.map((answer) => {
      const key = keyOf(answer.topic, answer.partition);
      const ask = asked.get(key);
      // An answer for a partition not asked is the fetch path's business; send it, remember nothing.
      if (ask === undefined) return true;
      const before = this.remembered.get(key);
      const now: Remembered = {
        fetchOffset: ask.fetchOffset,
        currentLeaderEpoch: ask.currentLeaderEpoch,
        highWatermark: answer.highWatermark,
        logStartOffset: answer.logStartOffset,
        leaderEpoch: answer.leaderEpoch,
      };
      // After an error or a divergence the follower acts on the answer (backs off, truncates): the
      // next answer goes in full, whatever it holds.
      if (answer.errorName === '' && !answer.diverging) next.set(key, now);
      const nothingNew =
        before !== undefined &&
        answer.errorName === '' &&
        answer.recordBytes === 0 &&
        !answer.diverging &&
        before.fetchOffset === now.fetchOffset &&
        before.currentLeaderEpoch === now.currentLeaderEpoch &&
        before.highWatermark === now.highWatermark &&
        before.logStartOffset === now.logStartOffset &&
        before.leaderEpoch === now.leaderEpoch;
      return !nothingNew;
    });
    // Only what was answered now is remembered: a partition asked but not answered (the fetch path
    // answers every one) is answered in full next time, never left out on an older answer.
    this.remembered = next;
    return sent;
  }
}
