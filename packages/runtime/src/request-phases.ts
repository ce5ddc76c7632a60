/**
 * Where one request's time went, in Kafka's RequestMetrics terms (RequestQueueTimeMs,
 * LocalTimeMs, RemoteTimeMs), as sluice defines them:
 * - `queue`: the request is here but no handler code of its own runs for it: from grpc-js handing
 *   over the decoded call until the RPC handler starts (the NestJS guard and interceptor pipeline
 *   and any turns of the event loop in between), plus time spent behind other requests in a
 *   service's ordered queue (a coordinator partition's operation queue).
 * - `local`: this process works on it (validation, log append, a core decision, reading).
 * - `remote`: it waits on other nodes or on time: followers replicating an acks=all append, the
 *   quorum committing a controller write, a coordinator's acks=all write to its broker, the share
 *   coordinator persisting share state, a long poll waiting for data.
 *
 * Event-loop delay before grpc-js read the request off the socket is not visible per request (no
 * code of ours runs until then); `nodejs_eventloop_lag_seconds` shows it for the process.
 *
 * Handlers move a request between phases with `enter`, or hand a wait to `remote`: concurrent
 * waits of one request (several partitions) are one remote phase, which ends when the last one
 * settles. The clock is pure arithmetic over an injected monotonic time.
 */

export type RequestPhase = 'queue' | 'local' | 'remote';

export const REQUEST_PHASES: readonly RequestPhase[] = ['queue', 'local', 'remote'];

/** What request paths see: they only say which phase the request is in from now on. */
export interface RequestPhases {
  enter(phase: RequestPhase): void;
  /** `wait` is remote time; back to `local` once every concurrent remote wait settled. */
  remote<T>(wait: Promise<T>): Promise<T>;
}

/** For callers outside an RPC (tests, internal calls): phases go nowhere. */
export const untimedRequest: RequestPhases = { enter: () => undefined, remote: (wait) => wait };

export type PhaseSeconds = Readonly<Record<RequestPhase, number>>;

/** Monotonic seconds (e.g. `performance.now() / 1000`). */
export type MonotonicSeconds = () => number;

export const monotonicSeconds: MonotonicSeconds = () => performance.now() / 1000;

export class PhaseClock implements RequestPhases {
  private current: RequestPhase;
  private since: number;
  private readonly totals: Record<RequestPhase, number> = { queue: 0, local: 0, remote: 0 };
  private finished = false;
  private remoteWaits = 0;

  /** Starts in `phase` at `startedAt` (seconds on `now`'s scale). */
  constructor(
    private readonly now: MonotonicSeconds,
    phase: RequestPhase,
    startedAt: number = now(),
  ) {
    this.current = phase;
    this.since = startedAt;
  }

  get phase(): RequestPhase {
    return this.current;
  }

  enter(phase: RequestPhase): void {
    // A late mark (a wait that settles after the answer left) must not reopen a finished request.
    if (this.finished || phase === this.current) return;
    this.close(this.now());
    this.current = phase;
  }

  remote<T>(wait: Promise<T>): Promise<T> {
    this.remoteWaits++;
    this.enter('remote');
    const settled = (): void => {
      this.remoteWaits--;
      if (this.remoteWaits === 0) this.enter('local');
    };
    return wait.then(
      (value) => {
        settled();
        return value;
      },
      (error: unknown) => {
        settled();
        throw error;
      },
    );
  }

  /** Ends the request: the seconds spent in each phase (they add up to the whole request). */
  finish(): PhaseSeconds {
    if (!this.finished) {
      this.close(this.now());
      this.finished = true;
    }
    return { ...this.totals };
  }

  private close(at: number): void {
    // Monotonic time never goes back; a clock stamped by another source a hair later may.
    this.totals[this.current] += Math.max(0, at - this.since);
    this.since = at;
  }
}
