/**
 * How one replica fetcher's Fetch requests reach its leader: on one long-lived ReplicaFetchStream
 * (the default; a fetch session, see node/replica-fetch-stream.ts) or as unary Fetch calls.
 *
 * - One request at a time (the fetcher awaits each answer), matched by correlation id: at most
 *   one answer (max_bytes) is in flight per leader, and nothing is queued here.
 * - Each request has its deadline (the long poll plus slack); a stream that misses it is
 *   cancelled, as an answer that late says the stream is stuck.
 * - A stream that fails (cut, reset, deadline, a leader that went away) is dropped: the request
 *   fails as a unary call would (the fetcher backs off), and until the stream's backoff passes
 *   (doubling from `initialBackoffMs` to `maxBackoffMs` while failures repeat, reset by an answer)
 *   requests go as unary Fetch calls; then a new stream is opened.
 * - A leader that does not serve the stream (UNIMPLEMENTED: an older version, or
 *   replica.fetch.stream.enable=false) gets unary Fetch at once, for `unsupportedRetryMs`
 *   before the stream is tried again (it may have been upgraded meanwhile).
 * TLS and tokens are the client's: the stream is a call on the same channel as unary Fetch.
 */
import { status, type ClientDuplexStream } from '@grpc/grpc-js';
import { fromGrpcError, unaryCall } from '@sluice/proto';
import type {
  BrokerClient,
  FetchRequest,
  FetchResponse__Output,
  ReplicaFetchStreamRequest,
  ReplicaFetchStreamResponse__Output,
} from '@sluice/proto';
import { ApiError, isApiErrorName } from '@sluice/protocol';
import type { Logger } from '@sluice/runtime';

export type ReplicaFetchTransportKind = 'stream' | 'unary';

export interface ReplicaFetchTransportOptions {
  readonly client: BrokerClient;
  readonly leaderId: number;
  readonly log: Logger;
  /** false: unary Fetch only (replica.fetch.stream.enable=false). */
  readonly useStream: boolean;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly unsupportedRetryMs?: number;
  readonly nowMs?: () => number;
}

export const DEFAULT_STREAM_INITIAL_BACKOFF_MS = 100;
export const DEFAULT_STREAM_MAX_BACKOFF_MS = 5_000;
export const DEFAULT_STREAM_UNSUPPORTED_RETRY_MS = 60_000;

type FetchStreamCall = ClientDuplexStream<ReplicaFetchStreamRequest, ReplicaFetchStreamResponse__Output>;

interface Pending {
  readonly correlationId: number;
  readonly resolve: (response: FetchResponse__Output) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** What the transport did so far (tests and the fetcher's logs). */
export interface ReplicaFetchTransportStats {
  readonly streamAnswers: number;
  readonly unaryAnswers: number;
  readonly streamsOpened: number;
  readonly streamFailures: number;
  readonly fallbacksUnimplemented: number;
}

export class ReplicaFetchTransport {
  private call: FetchStreamCall | undefined;
  private pending: Pending | undefined;
  private nextCorrelationId = 1;
  private consecutiveFailures = 0;
  private streamNotBeforeMs = 0;
  private closed = false;
  private lastKind: ReplicaFetchTransportKind = 'unary';
  private stats = { streamAnswers: 0, unaryAnswers: 0, streamsOpened: 0, streamFailures: 0, fallbacksUnimplemented: 0 };

  constructor(private readonly options: ReplicaFetchTransportOptions) {}

  /** What the latest answered request went by. */
  get kind(): ReplicaFetchTransportKind {
    return this.lastKind;
  }

  get counters(): ReplicaFetchTransportStats {
    return { ...this.stats };
  }

  /** One follower Fetch; rejects as unaryCall would (ApiError). */
  async fetch(request: FetchRequest, timeoutMs: number): Promise<FetchResponse__Output> {
    if (this.closed) throw new ApiError('NETWORK_EXCEPTION', 'replica fetch transport closed');
    if (!this.options.useStream || this.now() < this.streamNotBeforeMs) return this.unary(request, timeoutMs);
    try {
      const response = await this.onStream(request, timeoutMs);
      this.consecutiveFailures = 0;
      this.stats.streamAnswers++;
      this.lastKind = 'stream';
      return response;
    } catch (error) {
      if (!(error instanceof StreamUnimplemented)) throw error;
      return this.unary(request, timeoutMs);
    }
  }

  /** Cancels the stream (the fetcher stopped); a request in flight fails. */
  close(): void {
    this.closed = true;
    this.drop(new ApiError('NETWORK_EXCEPTION', 'replica fetch transport closed'));
  }

  private now(): number {
    return (this.options.nowMs ?? Date.now)();
  }

  private async unary(request: FetchRequest, timeoutMs: number): Promise<FetchResponse__Output> {
    const response = await unaryCall(this.options.client, 'Fetch', request, { timeoutMs });
    this.stats.unaryAnswers++;
    this.lastKind = 'unary';
    return response;
  }

  private onStream(request: FetchRequest, timeoutMs: number): Promise<FetchResponse__Output> {
    if (this.pending !== undefined) throw new Error('assertion: a replica fetch was sent while one was unanswered');
    const call = this.call ?? this.open();
    const correlationId = this.nextCorrelationId++;
    return new Promise<FetchResponse__Output>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(call, new ApiError('REQUEST_TIMED_OUT', `no ReplicaFetchStream answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending = { correlationId, resolve, reject, timer };
      call.write({ correlationId, request });
    });
  }

  private open(): FetchStreamCall {
    const call = this.options.client.ReplicaFetchStream();
    this.call = call;
    this.stats.streamsOpened++;
    call.on('data', (message: ReplicaFetchStreamResponse__Output) => this.onAnswer(call, message));
    call.on('error', (error: Error & { code?: number }) => {
      if (error.code === status.UNIMPLEMENTED) return this.unsupported(call, error);
      this.fail(call, fromGrpcError(error));
    });
    // The leader ended the stream (it is stopping): not an error of ours, but the session is over.
    call.on('end', () => this.fail(call, new ApiError('NETWORK_EXCEPTION', 'the leader ended ReplicaFetchStream')));
    return call;
  }

  private onAnswer(call: FetchStreamCall, message: ReplicaFetchStreamResponse__Output): void {
    const pending = this.pending;
    if (call !== this.call) return;
    if (pending === undefined || Number(message.correlationId) !== pending.correlationId)
      return this.fail(
        call,
        new ApiError(
          'CORRUPT_MESSAGE',
          `ReplicaFetchStream answered correlation id ${message.correlationId}, expected ${pending?.correlationId ?? 'none'}`,
        ),
      );
    clearTimeout(pending.timer);
    this.pending = undefined;
    if (message.errorName !== '' || message.response === null) {
      const name =
        isApiErrorName(message.errorName) && message.errorName !== 'NONE' ? message.errorName : 'UNKNOWN_SERVER_ERROR';
      pending.reject(new ApiError(name, message.errorMessage));
      return;
    }
    pending.resolve(message.response);
  }

  private unsupported(call: FetchStreamCall, error: Error): void {
    if (call !== this.call) return;
    this.stats.fallbacksUnimplemented++;
    const retryMs = this.options.unsupportedRetryMs ?? DEFAULT_STREAM_UNSUPPORTED_RETRY_MS;
    this.streamNotBeforeMs = this.now() + retryMs;
    this.options.log.info(
      { leader: this.options.leaderId, retryMs, reason: error.message },
      'leader does not serve ReplicaFetchStream: fetching with unary Fetch',
    );
    this.drop(new StreamUnimplemented());
  }

  /** The stream broke: drop it, fail the request in flight, and back off before the next stream. */
  private fail(call: FetchStreamCall, error: ApiError): void {
    if (call !== this.call) return;
    this.stats.streamFailures++;
    this.consecutiveFailures++;
    const initial = this.options.initialBackoffMs ?? DEFAULT_STREAM_INITIAL_BACKOFF_MS;
    const max = this.options.maxBackoffMs ?? DEFAULT_STREAM_MAX_BACKOFF_MS;
    const backoffMs = Math.min(max, initial * 2 ** Math.min(this.consecutiveFailures - 1, 20));
    this.streamNotBeforeMs = this.now() + backoffMs;
    this.options.log.debug(
      { leader: this.options.leaderId, backoffMs, err: error },
      'ReplicaFetchStream failed; unary Fetch until it is reopened',
    );
    this.drop(error);
  }

  private drop(error: unknown): void {
    const call = this.call;
    const pending = this.pending;
    this.call = undefined;
    this.pending = undefined;
    if (call !== undefined) {
      call.removeAllListeners('data');
      call.removeAllListeners('end');
      // Late errors of a dropped call (its cancellation) have nobody left to tell.
      call.removeAllListeners('error');
      call.on('error', () => undefined);
      call.cancel();
    }
    if (pending !== undefined) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
  }
}

/** The leader answered UNIMPLEMENTED: not a failure, the request goes as unary Fetch instead. */
class StreamUnimplemented extends Error {
  constructor() {
    super('ReplicaFetchStream is not served by this leader');
  }
}
