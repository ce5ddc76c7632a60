/** Messages and settings shared by produce-bench.ts (the driver) and produce-bench-worker.ts. */

export interface Window {
  /** Wall ms: the role starts working. */
  readonly startAt: number;
  /** Wall ms: counting starts (after warm-up) and stops. */
  readonly measureFrom: number;
  readonly measureTo: number;
}

export type WorkerTask =
  | { role: 'peak'; bootstrap: string; topic: string; producer: ProducerSettings; maxUnacked: number }
  | { role: 'paced'; bootstrap: string; topic: string; producer: ProducerSettings; recordsPerSecond: number }
  | { role: 'consume'; bootstrap: string; topic: string; graceMs: number }
  | { role: 'raw-server' }
  | { role: 'raw-client'; address: string; messageBytes: number }
  | { role: 'unary-server' }
  | {
      role: 'unary-client';
      address: string;
      batchBytes: number;
      batchesPerRequest: number;
      inFlight: number;
      channels: number;
    };

export interface ProducerSettings {
  readonly acks: 1 | 'all';
  readonly enableIdempotence: boolean;
  readonly lingerMs: number;
  readonly batchSizeBytes: number;
  readonly maxInFlightRequestsPerConnection: number;
}

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface PeakResult {
  readonly records: number;
  readonly seconds: number;
  readonly requests: number;
  readonly retries: number;
  readonly epochBumps: number;
  /** Failed send()s by error name. */
  readonly errors: Readonly<Record<string, number>>;
  readonly firstError: string;
  /** Records acknowledged per Produce request, over the whole run. */
  readonly recordsPerRequest: number;
}

export interface PacedResult {
  readonly sent: number;
  readonly seconds: number;
  readonly ack: Percentiles;
  readonly errors: Readonly<Record<string, number>>;
  readonly firstError: string;
  /** Most records sent but not yet acknowledged at once. */
  readonly maxUnacked: number;
}

export interface ConsumeResult {
  readonly e2e: Percentiles;
  readonly received: number;
  /** Records whose send stamp is older than an earlier record's of the same partition (appended out of send order). */
  readonly reordered: number;
}

export interface RawResult {
  readonly messages: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** Driver -> child, once the child said ready: the window every child of a phase shares. */
export interface GoMessage {
  readonly type: 'go';
  readonly window: Window;
}

export type WorkerMessage =
  | { type: 'ready'; port?: number }
  | { type: 'result'; result: PeakResult | PacedResult | ConsumeResult | RawResult }
  | { type: 'error'; message: string };

export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
