/**
 * Two pino loggers per process, both JSON lines with `service` and `nodeId` bound:
 * - the service log (operational: elections, errors, slow fsyncs), to stdout by default;
 * - the audit log (who changed what: topic created, broker fenced, config altered), on its own
 *   destination so it can be shipped and retained separately. Audit writes are synchronous: an
 *   audit line must not sit in a buffer when the process dies right after the change.
 */
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { trace } from '@opentelemetry/api';
import pino from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';

export type { Level, Logger };

export interface CreateLoggersOptions {
  readonly service: string;
  readonly nodeId: number;
  /** Default 'info'. */
  readonly level?: Level;
  /** File path, file descriptor, or stream. Default: stdout (fd 1). */
  readonly destination?: string | number | DestinationStream;
  /** File path or file descriptor for the audit log. Default: no audit output ('silent'). */
  readonly auditDestination?: string | number;
}

export interface Loggers {
  readonly log: Logger;
  readonly audit: Logger;
  /** Flushes both destinations synchronously (call before exiting). */
  flush(): void;
}

/**
 * Files are opened here, synchronously, so a bad path fails at start-up with a clear error
 * rather than as an unhandled 'error' event later, and the file exists once this returns.
 */
function toStream(destination: string | number | DestinationStream, sync: boolean): DestinationStream {
  if (typeof destination === 'string') {
    mkdirSync(dirname(destination), { recursive: true });
    return pino.destination({ fd: openSync(destination, 'a'), sync });
  }
  if (typeof destination === 'number') return pino.destination({ dest: destination, sync });
  return destination;
}

/**
 * pino's mixin: every line written while a span is active carries its ids (`trace_id`,
 * `span_id`, as OpenTelemetry's log data model and Loki/Tempo correlation name them). Without a
 * registered SDK there is never an active span and the mixin adds nothing.
 */
export function traceCorrelation(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const context = span.spanContext();
  if (!trace.isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

function flushSync(stream: DestinationStream | undefined): void {
  const flushable = stream as { flushSync?: () => void } | undefined;
  try {
    flushable?.flushSync?.();
  } catch {
    // A stream that is mid-write flushes on its own; flushing is best effort.
  }
}

export function createLoggers(options: CreateLoggersOptions): Loggers {
  const base = { service: options.service, nodeId: options.nodeId };
  // Synchronous like the audit log: service lines are few (no per-request logging), and an async
  // write still in flight when the process exits (or when a test reads the file) would be lost.
  const logStream = toStream(options.destination ?? 1, true);
  const log = pino(
    { level: options.level ?? 'info', base, timestamp: pino.stdTimeFunctions.isoTime, mixin: traceCorrelation },
    logStream,
  );
  const auditStream = options.auditDestination !== undefined ? toStream(options.auditDestination, true) : undefined;
  const audit =
    auditStream !== undefined
      ? pino(
          { level: 'info', base: { ...base, stream: 'audit' }, timestamp: pino.stdTimeFunctions.isoTime },
          auditStream,
        )
      : pino({ level: 'silent' });
  return {
    log,
    audit,
    flush(): void {
      flushSync(logStream);
      flushSync(auditStream);
    },
  };
}

/** A logger that drops everything; for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
