/**
 * How a consumer's Fetch requests reach one broker: on one long-lived FetchStream (the default; see
 * the broker's node/consumer-fetch-stream.ts) or as unary Fetch calls. The stream saves each round
 * the HTTP/2 stream, headers, deadline and trailers of a unary call, on both sides, and on the
 * broker Nest's per-call guard and interceptors (docs/performance.md, section 28).
 *
 * - Up to MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT requests are out on the stream at once (the broker's
 *   credit; the consumer keeps at most MAX_FETCHES_IN_FLIGHT_PER_BROKER), matched by correlation id;
 *   nothing is queued here.
 * - Each request has its deadline (the long poll plus the request timeout); a stream that misses it
 *   is cancelled, as an answer that late says the stream is stuck.
 * - A stream that fails (cut, reset, deadline, a broker that stopped) is dropped: its requests fail
 *   as a unary call would (the consumer backs off and refreshes its metadata), and until the
 *   stream's backoff passes (doubling from 100 ms to 5 s while failures repeat, reset by an answer)
 *   requests go as unary Fetch calls; then a new stream is opened.
 * - A broker that does not serve the stream (UNIMPLEMENTED: an older version) gets unary Fetch, the
 *   requests that were on the stream resent at once, for a minute before the stream is tried again.
 * TLS and tokens are the channel's: the stream is a call on the same channel as unary Fetch.
 */
import { status, type ClientDuplexStream } from '@grpc/grpc-js';
import { fromGrpcError, unaryCall, type TokenSource } from '@sluice/proto';
import type {
  BrokerClient,
  FetchRequest,
  FetchResponse__Output,
  FetchStreamRequest,
  FetchStreamResponse__Output,
} from '@sluice/proto';
import { ApiError, isApiErrorName } from '@sluice/protocol';
import { isStreamCredentialExpired } from './errors';
import { watchStreamToken } from './stream-replacement';

/** Requests one FetchStream may have unanswered: the broker's credit (broker.proto). */
export const MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT = 4;
const STREAM_INITIAL_BACKOFF_MS = 100;
const STREAM_MAX_BACKOFF_MS = 5_000;
const STREAM_UNSUPPORTED_RETRY_MS = 60_000;

type FetchStreamCall = ClientDuplexStream<FetchStreamRequest, FetchStreamResponse__Output>;

interface Pending {
  readonly resolve: (response: FetchResponse__Output) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** What the transports did so far (Consumer.fetchStats()). */
export interface FetchTransportCounters {
  streamAnswers: number;
  unaryAnswers: number;
  streamsOpened: number;
  streamFailures: number;
  fallbacksUnimplemented: number;
}

export class FetchTransport {
  private call: FetchStreamCall | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private consecutiveFailures = 0;
  private streamNotBeforeMs = 0;
  private closed = false;
  /** The open stream is replaced when next nothing is out on it: its token source has a newer token. */
  private replaceDue = false;
  private stopWatchingToken: () => void = () => {};
  /** Streams replaced before their token expired (KIP-368; stream-replacement.ts). */
  replacedBeforeExpiry = 0;

  constructor(
    readonly client: BrokerClient,
    private readonly counters: FetchTransportCounters,
    private readonly useStream: boolean = true,
    /** The source the client's credentials take tokens from: a newer token replaces an idle stream. */
    private readonly tokens?: TokenSource,
  ) {}

  /** One consumer Fetch; rejects as unaryCall would (ApiError). */
  async fetch(request: FetchRequest, timeoutMs: number): Promise<FetchResponse__Output> {
    if (this.closed) throw new ApiError('NETWORK_EXCEPTION', 'the consumer closed its fetch transport');
    if (!this.useStream || Date.now() < this.streamNotBeforeMs) return this.unary(request, timeoutMs);
    try {
      const response = await this.onStream(request, timeoutMs).catch((error: unknown) => {
        // The stream's token expired (KIP-368): a Fetch changes nothing, so it is asked again once
        // on a new stream, whose credentials ask the token source afresh; a second refusal surfaces.
        if (!isStreamCredentialExpired(error) || this.closed) throw error;
        return this.onStream(request, timeoutMs);
      });
      this.consecutiveFailures = 0;
      this.counters.streamAnswers++;
      return response;
    } catch (error) {
      if (!(error instanceof StreamUnimplemented)) throw error;
      return this.unary(request, timeoutMs);
    }
  }

  /** Cancels the stream (the consumer closed or the broker moved); requests in flight fail. */
  close(): void {
    this.closed = true;
    this.stopWatchingToken();
    this.drop(new ApiError('NETWORK_EXCEPTION', 'the consumer closed its fetch transport'));
  }

  private async unary(request: FetchRequest, timeoutMs: number): Promise<FetchResponse__Output> {
    const response = await unaryCall(this.client, 'Fetch', request, { timeoutMs });
    this.counters.unaryAnswers++;
    return response;
  }

  private onStream(request: FetchRequest, timeoutMs: number): Promise<FetchResponse__Output> {
    if (this.pending.size >= MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT)
      throw new Error(`consumer invariant: more than ${MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT} requests on a FetchStream`);
    if (this.call !== undefined && this.pending.size === 0 && this.replaceDue) this.replace(this.call);
    const call = this.call ?? this.open();
    const correlationId = this.nextCorrelationId++;
    return new Promise<FetchResponse__Output>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(call, new ApiError('REQUEST_TIMED_OUT', `no FetchStream answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending.set(correlationId, { resolve, reject, timer });
      call.write({ correlationId, request });
    });
  }

  private open(): FetchStreamCall {
    const call = this.client.FetchStream();
    this.call = call;
    this.counters.streamsOpened++;
    this.replaceDue = false;
    this.stopWatchingToken();
    if (this.tokens !== undefined)
      this.stopWatchingToken = watchStreamToken(
        this.tokens,
        () => this.call === call && !this.closed,
        () => {
          this.replaceDue = true;
        },
      );
    call.on('data', (message: FetchStreamResponse__Output) => this.onAnswer(call, message));
    call.on('error', (error: Error & { code?: number }) => {
      if (error.code === status.UNIMPLEMENTED) return this.unsupported(call);
      const failure = fromGrpcError(error);
      // An expired token is not the broker failing: no back-off, the next request reopens at once.
      if (isStreamCredentialExpired(failure)) return call === this.call ? this.drop(failure) : undefined;
      this.fail(call, failure);
    });
    // The broker ended the stream (it is stopping): not an error of ours, but the stream is over.
    call.on('end', () => this.fail(call, new ApiError('NETWORK_EXCEPTION', 'the broker ended FetchStream')));
    return call;
  }

  /** Half-closes an idle stream whose token source has a newer token; the next request opens a new one. */
  private replace(call: FetchStreamCall): void {
    this.call = undefined;
    this.replaceDue = false;
    this.replacedBeforeExpiry++;
    call.removeAllListeners('data');
    call.removeAllListeners('end');
    call.removeAllListeners('error');
    call.on('error', () => undefined);
    call.end();
  }

  private onAnswer(call: FetchStreamCall, message: FetchStreamResponse__Output): void {
    if (call !== this.call) return;
    const correlationId = Number(message.correlationId);
    const pending = this.pending.get(correlationId);
    if (pending === undefined)
      return this.fail(
        call,
        new ApiError('CORRUPT_MESSAGE', `FetchStream answered correlation id ${correlationId}, which is not out`),
      );
    clearTimeout(pending.timer);
    this.pending.delete(correlationId);
    if (message.errorName !== '' || message.response === null) {
      const name =
        isApiErrorName(message.errorName) && message.errorName !== 'NONE' ? message.errorName : 'UNKNOWN_SERVER_ERROR';
      pending.reject(new ApiError(name, message.errorMessage));
      return;
    }
    pending.resolve(message.response);
  }

  private unsupported(call: FetchStreamCall): void {
    if (call !== this.call) return;
    this.counters.fallbacksUnimplemented++;
    this.streamNotBeforeMs = Date.now() + STREAM_UNSUPPORTED_RETRY_MS;
    this.drop(new StreamUnimplemented());
  }

  /** The stream broke: drop it, fail the requests in flight, and back off before the next stream. */
  private fail(call: FetchStreamCall, error: ApiError): void {
    if (call !== this.call) return;
    this.counters.streamFailures++;
    this.consecutiveFailures++;
    const backoffMs = Math.min(
      STREAM_MAX_BACKOFF_MS,
      STREAM_INITIAL_BACKOFF_MS * 2 ** Math.min(this.consecutiveFailures - 1, 20),
    );
    this.streamNotBeforeMs = Date.now() + backoffMs;
    this.drop(error);
  }

  private drop(error: unknown): void {
    const call = this.call;
    const pending = [...this.pending.values()];
    this.call = undefined;
    this.pending.clear();
    if (call !== undefined) {
      call.removeAllListeners('data');
      call.removeAllListeners('end');
      // Late errors of a dropped call (its cancellation) have nobody left to tell.
      call.removeAllListeners('error');
      call.on('error', () => undefined);
      call.cancel();
    }
    for (const { timer, reject } of pending) {
      clearTimeout(timer);
      reject(error);
    }
  }
}

/** The broker answered UNIMPLEMENTED: not a failure, the request goes as unary Fetch instead. */
class StreamUnimplemented extends Error {
  constructor() {
    super('FetchStream is not served by this broker');
  }
}
