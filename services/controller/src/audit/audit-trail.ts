/**
 * The audit stream: one JSON line per metadata change request the leader decided (who asked,
 * what operation, what changed, the result), separate from the service log so it can be shipped
 * and retained on its own terms. Lines are written only by the node that decided the change.
 */
/** Who asked, as Kafka's authorizer logs it: the authenticated principal and the host it came from. */
export interface Caller {
  /** `User:<name>`; `User:ANONYMOUS` where the listener authenticates nobody. */
  readonly principal: string;
  /** The caller's host (IP address), without the port. */
  readonly host: string;
  /** The W3C trace id the caller sent (traceparent), joining the line to its trace. */
  readonly traceId?: string;
}

export interface AuditEvent {
  readonly principal: string;
  readonly host: string;
  readonly operation: string;
  /** The request, trimmed to what identifies it (names, ids, counts). */
  readonly request?: unknown;
  /** What changed: the core's summary plus record counts by type. */
  readonly changed?: unknown;
  readonly result: 'OK' | string;
  readonly errorMessage?: string;
  /** Raft index of the committed entry, when something was written. */
  readonly offset?: number;
  readonly durationMs: number;
  readonly traceId?: string;
}

export interface AuditSink {
  write(line: Record<string, unknown>): void;
}

export class AuditTrail {
  constructor(
    private readonly sink: AuditSink,
    private readonly nodeId: number,
    private readonly clock: () => number = Date.now,
  ) {}

  record(event: AuditEvent): void {
    try {
      this.sink.write({ ts: new Date(this.clock()).toISOString(), controller: this.nodeId, ...event });
    } catch {
      // The audit sink failing must not fail the request that already committed.
    }
  }
}

/** An AuditSink that keeps lines in memory (tests). */
export class MemoryAuditSink implements AuditSink {
  readonly lines: Record<string, unknown>[] = [];
  write(line: Record<string, unknown>): void {
    this.lines.push(line);
  }
}
