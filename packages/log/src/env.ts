/** Time source, injected so tests (and the simulator) control rolls, flushes and retention. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Structured logger the host injects; the log never prints on its own. */
export interface LogLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const noopLogger: LogLogger = { info: () => {}, warn: () => {}, error: () => {} };
