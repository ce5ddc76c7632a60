/**
 * The members' wake-up streams (ConsumerGroupWakeups): after an operation the shard names the
 * members whose next heartbeat would learn something (MemberWakeup); this sends each one a
 * wake-up on its stream so it heartbeats now instead of at its next interval.
 *
 * Bounded: at most `maxStreams` streams (more are refused: the member heartbeats on its interval,
 * as without a stream), one stream per member (a new one ends the old), and at most one wake-up
 * per member outstanding: once woken, a member is not woken again until it has heartbeated,
 * since that heartbeat learns everything there is by then. So what a stream can queue is one
 * small message, whatever happens in the group meanwhile.
 */
import type { MemberWakeup } from '../core/group-shard';

export interface WakeupSink {
  send(wakeup: { readonly assignmentEpoch: number; readonly reason: string }): void;
  /** Ends the stream (replaced by a newer one of the same member, or the coordinator stopping). */
  end(): void;
}

interface Stream {
  readonly sink: WakeupSink;
  /** A wake-up was sent and the member has not heartbeated since. */
  outstanding: boolean;
}

function memberKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}

export class MemberWakeups {
  private readonly streams = new Map<string, Stream>();
  /** Wake-ups sent, and those left out because one was outstanding (metrics and tests read these). */
  readonly stats = { sent: 0, coalesced: 0, refused: 0 };

  constructor(readonly maxStreams: number) {
    if (!(Number.isSafeInteger(maxStreams) && maxStreams >= 0))
      throw new RangeError(`max wake-up streams ${maxStreams} is not a non-negative integer`);
  }

  get size(): number {
    return this.streams.size;
  }

  /**
   * Registers the member's stream; returns what unregisters it (when the member cancels), or
   * null when the coordinator already holds `maxStreams` streams.
   */
  open(groupId: string, memberId: string, sink: WakeupSink): (() => void) | null {
    const key = memberKey(groupId, memberId);
    const previous = this.streams.get(key);
    if (previous === undefined && this.streams.size >= this.maxStreams) {
      this.stats.refused++;
      return null;
    }
    const stream: Stream = { sink, outstanding: false };
    this.streams.set(key, stream);
    previous?.sink.end();
    return () => {
      if (this.streams.get(key) === stream) this.streams.delete(key);
    };
  }

  /** The member heartbeated: its next wake-up may go. */
  heard(groupId: string, memberId: string): void {
    const stream = this.streams.get(memberKey(groupId, memberId));
    if (stream !== undefined) stream.outstanding = false;
  }

  /** Sends each member with a stream its wake-up, unless one is outstanding. */
  wake(wakeups: readonly MemberWakeup[]): void {
    for (const wakeup of wakeups) {
      const stream = this.streams.get(memberKey(wakeup.groupId, wakeup.memberId));
      if (stream === undefined) continue;
      if (stream.outstanding) {
        this.stats.coalesced++;
        continue;
      }
      stream.outstanding = true;
      this.stats.sent++;
      stream.sink.send({ assignmentEpoch: wakeup.assignmentEpoch, reason: wakeup.reason });
    }
  }

  /** Ends every stream (the coordinator stops; members fall back to their heartbeat interval). */
  endAll(): void {
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const stream of streams) stream.sink.end();
  }
}
