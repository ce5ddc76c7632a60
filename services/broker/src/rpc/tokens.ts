/** Injection tokens for what the broker node hands its gRPC surface. */
export const BROKER_REQUESTS = Symbol('BROKER_REQUESTS');
export const PRODUCE_STREAM_SETTINGS = Symbol('PRODUCE_STREAM_SETTINGS');
export const REPLICA_FETCH_STREAMS = Symbol('REPLICA_FETCH_STREAMS');
export const CONSUMER_FETCH_STREAMS = Symbol('CONSUMER_FETCH_STREAMS');

export interface ProduceStreamSettings {
  /** Unanswered requests one ProduceStream may have before the broker stops reading it. */
  readonly maxInFlightRequests?: number;
}
