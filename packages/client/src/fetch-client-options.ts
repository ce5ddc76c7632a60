/** The settings every record-fetching client (Consumer, ShareConsumer) takes, with Kafka's names and defaults. */
import type { ClientSecurity } from '@sluice/proto';

export interface FetchClientOptions {
  /** Broker addresses, `host:port,host:port` or a list. */
  readonly bootstrap: string | readonly string[];
  /** TLS and bearer token; default: the process default (plaintext unless set). */
  readonly security?: ClientSecurity;
  /** `fetch.max.wait.ms`, default 500. */
  readonly fetchMaxWaitMs?: number;
  /** `fetch.min.bytes`, default 1. */
  readonly fetchMinBytes?: number;
  /** `fetch.max.bytes`, default 50 MiB. */
  readonly fetchMaxBytes?: number;
  /** `request.timeout.ms`, default 30000. */
  readonly requestTimeoutMs?: number;
  /** `retry.backoff.ms` (default 100), doubling up to `retry.backoff.max.ms` (1000). */
  readonly retryBackoffMs?: number;
  readonly retryBackoffMaxMs?: number;
  /** `metadata.max.age.ms`, default 300000. */
  readonly metadataMaxAgeMs?: number;
  /** `check.crcs`, default true. */
  readonly checkCrcs?: boolean;
  readonly listenerName?: string;
}
