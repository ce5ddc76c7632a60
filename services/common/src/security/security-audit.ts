/**
 * The security audit stream every service writes: one JSON line per refused request (and per
 * allowed one when `audit.log.allowed.requests` is on) with who asked (the authenticated
 * principal, or what was known of the caller before authentication failed), from where, what
 * (the RPC, the ACL operation and the resource), the result (a Kafka error name or ALLOWED),
 * why, and the W3C trace id the caller sent. The controller's metadata changes go to the same
 * file through its AuditTrail.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SecurityAuditEvent {
  readonly principal: string;
  readonly host: string;
  /** `sluice.v1.Broker/Produce`. */
  readonly rpc: string;
  /** The ACL operation checked (READ, WRITE, ...), or AUTHENTICATE. */
  readonly operation: string;
  /** `TOPIC:orders`, `GROUP:billing`, `CLUSTER:kafka-cluster`; absent for authentication. */
  readonly resource?: string;
  /** `ALLOWED` or the Kafka error name the caller received. */
  readonly result: string;
  readonly reason: string;
  /** From the caller's traceparent; absent when none was sent. */
  readonly traceId?: string;
}

export interface SecurityAuditSink {
  write(line: Record<string, unknown>): void;
}

export class SecurityAudit {
  constructor(
    private readonly sink: SecurityAuditSink,
    private readonly origin: { readonly service: string; readonly nodeId: number },
    readonly auditAllowed = false,
    private readonly clock: () => number = Date.now,
  ) {}

  record(event: SecurityAuditEvent): void {
    try {
      this.sink.write({
        ts: new Date(this.clock()).toISOString(),
        service: this.origin.service,
        node: this.origin.nodeId,
        kind: 'access',
        ...event,
      });
    } catch {
      // A failing audit sink must not turn a refusal into a different error.
    }
  }
}

/** The trace id of a W3C traceparent (`00-<trace id>-<span id>-<flags>`). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match =
    traceparent === undefined ? null : /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent);
  return match === null ? undefined : match[1];
}

/**
 * JSON lines appended to a file, synchronously: an audit line is written before the refusal
 * leaves, so a crash cannot lose the record of a refusal the caller saw. Lines are short, and
 * refusals are the rare path; allowed requests are audited only when asked for.
 */
export class FileAuditSink implements SecurityAuditSink {
  constructor(private readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  write(line: Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
  }
}

/** Lines kept in memory, bounded (tests, and services without an audit file). */
export class MemorySecurityAuditSink implements SecurityAuditSink {
  readonly lines: Record<string, unknown>[] = [];
  constructor(private readonly maxLines = 10_000) {}
  write(line: Record<string, unknown>): void {
    if (this.lines.length >= this.maxLines) this.lines.shift();
    this.lines.push(line);
  }
}
