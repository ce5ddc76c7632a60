/**
 * The producer's side of `ProduceStream` (proto/sluice/v1/broker.proto): one ordered gRPC stream
 * to one broker carrying pipelined Produce requests. The broker appends a stream's requests in
 * the order they were written, which is what lets a partition have several batches unanswered.
 *
 * Failure is all or nothing, as a Kafka connection's: when the stream breaks (transport error,
 * the broker ends it, a request outlives `requestTimeoutMs`), every unanswered request on it fails
 * with that error, synchronously and in the order they were written, and the next `send` opens a
 * new stream. The caller's retries therefore see a broken stream's batches in sequence order.
 *
 * One break is repaired here instead (KIP-368's re-authentication): the broker ends a stream whose
 * bearer token expired with SASL_AUTHENTICATION_FAILED (`detail.streamCredentialExpired`), having
 * answered every request it appended and appended none of the rest. The unanswered requests are
 * then written again, in order, on a new stream, whose call credentials ask the token source
 * afresh (a refreshing source has a new token by then). A request is rewritten once: if the new
 * stream fails too (a static token that expired is refused when the stream opens), the error
 * surfaces as any other. Sequence numbers make the rewrite safe for an idempotent producer; as
 * the broker appended none of them, it is not a duplicate for any producer.
 *
 * Better still, with `tokens` the stream is replaced before that: at 0.8 of the remaining life of
 * the token it opened with (when a refreshing source refreshes) the source is asked again, and if
 * it has a new token the next `send` that finds nothing unanswered half-closes the old stream and
 * opens a new one, so order holds. A stream that is never idle past that point, or whose source
 * has nothing newer (a static token), meets the broker's refusal above instead.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { fromGrpcError, type TokenSource } from '@sluice/proto';
import type {
  BrokerClient,
  ProduceRequest,
  ProduceResponse__Output,
  ProduceStreamRequest,
  ProduceStreamResponse__Output,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { apiErrorFromName, isStreamCredentialExpired } from './errors';
import { watchStreamToken } from './stream-replacement';

/** acks=0 requests complete as `sent` once handed to the transport; the broker answers nothing. */
export type ProduceOutcome =
  | { readonly kind: 'answered'; readonly response: ProduceResponse__Output }
  | { readonly kind: 'sent' }
  | { readonly kind: 'failed'; readonly error: ApiError };

interface PendingRequest {
  readonly request: ProduceRequest;
  readonly onOutcome: (outcome: ProduceOutcome) => void;
  readonly timer: NodeJS.Timeout;
  /** Already written again after its stream's token expired: a second such end surfaces. */
  readonly rewritten: boolean;
}

type ProduceStreamCall = ClientDuplexStream<ProduceStreamRequest, ProduceStreamResponse__Output>;

export class ProduceStreamConnection {
  private call: ProduceStreamCall | null = null;
  /** Unanswered requests of the open stream, in the order written (Map keeps insertion order). */
  private readonly pending = new Map<number, PendingRequest>();
  private nextCorrelationId = 0;
  private closed = false;
  /** The open stream is replaced at its next idle send: its token source has a newer token. */
  private replaceDue = false;
  /** Stops watching the open stream's token (stream-replacement.ts). */
  private stopWatchingToken: () => void = () => {};
  /** Streams opened, and of them those opened to replace one before its token expired (tests, stats). */
  readonly counters = { streamsOpened: 0, replacedBeforeExpiry: 0 };

  constructor(
    readonly client: BrokerClient,
    private readonly options: {
      readonly requestTimeoutMs: number;
      readonly label: string;
      /** The source the client's credentials take tokens from: its tokens' exp plans the replacement. */
      readonly tokens?: TokenSource;
    },
  ) {}

  get unanswered(): number {
    return this.pending.size;
  }

  /**
   * Writes `request` on the stream (opening one if needed). `onOutcome` is called exactly once:
   * with the broker's answer, `sent` for acks=0, or the error that broke the stream.
   */
  send(request: ProduceRequest, onOutcome: (outcome: ProduceOutcome) => void): void {
    this.write(request, onOutcome, false);
  }

  /** Rewrites re-authenticated requests (`rewritten`) or first writes. */
  private write(request: ProduceRequest, onOutcome: (outcome: ProduceOutcome) => void, rewritten: boolean): void {
    if (this.closed) {
      onOutcome({
        kind: 'failed',
        error: new ApiError('NETWORK_EXCEPTION', `produce stream to ${this.options.label} is closed`),
      });
      return;
    }
    if (this.call !== null && this.pending.size === 0 && this.replaceDue) this.replace(this.call);
    let call: ProduceStreamCall;
    try {
      call = this.call ?? this.open();
    } catch (error) {
      onOutcome({ kind: 'failed', error: error instanceof ApiError ? error : fromGrpcError(error) });
      return;
    }
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) % Number.MAX_SAFE_INTEGER;
    // As Kafka's request.timeout.ms: a request that stays unanswered breaks its connection.
    const timer = setTimeout(
      () =>
        this.breakStream(
          call,
          new ApiError(
            'REQUEST_TIMED_OUT',
            `produce request ${correlationId} to ${this.options.label} unanswered after ${this.options.requestTimeoutMs} ms`,
          ),
        ),
      this.options.requestTimeoutMs,
    );
    this.pending.set(correlationId, { request, onOutcome, timer, rewritten });
    const acksZero = request.acks === 0;
    call.write({ correlationId, request }, () => {
      // acks=0 is done once the transport took it (Kafka completes it when it is sent).
      if (!acksZero || this.call !== call) return;
      const entry = this.pending.get(correlationId);
      if (entry === undefined) return;
      this.pending.delete(correlationId);
      clearTimeout(entry.timer);
      entry.onOutcome({ kind: 'sent' });
    });
  }

  /**
   * Refuses later sends. With nothing unanswered the stream is half-closed, so what was written
   * (acks=0 requests count as done once written) still reaches the broker; otherwise everything
   * unanswered fails and the stream is cancelled.
   */
  close(graceMs: number): Promise<void> {
    this.closed = true;
    this.stopWatchingToken();
    const call = this.call;
    if (call === null) return Promise.resolve();
    if (this.pending.size > 0) {
      this.breakStream(
        call,
        new ApiError('NETWORK_EXCEPTION', `produce stream to ${this.options.label} closed by the producer`),
      );
      return Promise.resolve();
    }
    this.call = null;
    // Resolves once the broker ended its side (it has read everything), or after graceMs.
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        call.cancel();
        resolve();
      }, graceMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      call.on('status', done);
      call.on('error', done);
      call.end();
    });
  }

  private open(): ProduceStreamCall {
    const call = this.client.ProduceStream();
    this.call = call;
    this.counters.streamsOpened++;
    this.planReplacement(call);
    call.on('data', (message: ProduceStreamResponse__Output) => this.onAnswer(call, message));
    call.on('error', (error: unknown) => this.onStreamError(call, fromGrpcError(error)));
    call.on('end', () =>
      this.breakStream(
        call,
        new ApiError('NETWORK_EXCEPTION', `produce stream to ${this.options.label} ended by the broker`),
      ),
    );
    return call;
  }

  private onAnswer(call: ProduceStreamCall, message: ProduceStreamResponse__Output): void {
    if (call !== this.call) return;
    const correlationId = Number(message.correlationId);
    const entry = this.pending.get(correlationId);
    if (entry === undefined) {
      // An answer to nothing we asked: the stream can no longer be trusted to match answers.
      this.breakStream(
        call,
        new ApiError(
          'UNKNOWN_SERVER_ERROR',
          `produce stream to ${this.options.label} answered unknown correlation id ${correlationId}`,
        ),
      );
      return;
    }
    this.pending.delete(correlationId);
    clearTimeout(entry.timer);
    if (message.errorName !== '' && message.errorName !== 'NONE')
      entry.onOutcome({ kind: 'failed', error: apiErrorFromName(message.errorName, message.errorMessage) });
    else if (message.response === null || message.response === undefined)
      entry.onOutcome({
        kind: 'failed',
        error: new ApiError(
          'UNKNOWN_SERVER_ERROR',
          `produce stream answer ${correlationId} from ${this.options.label} carries neither a response nor an error`,
        ),
      });
    else entry.onOutcome({ kind: 'answered', response: message.response });
  }

  /** Watches the token `call` opened with: a newer one makes the replacement due (stream-replacement.ts). */
  private planReplacement(call: ProduceStreamCall): void {
    this.replaceDue = false;
    this.stopWatchingToken();
    const tokens = this.options.tokens;
    if (tokens === undefined) return;
    this.stopWatchingToken = watchStreamToken(
      tokens,
      () => this.call === call && !this.closed,
      () => {
        this.replaceDue = true;
      },
    );
  }

  /** Half-closes an idle `call` (the broker ends it once it read everything) for a new one. */
  private replace(call: ProduceStreamCall): void {
    this.call = null;
    this.replaceDue = false;
    this.counters.replacedBeforeExpiry++;
    // The broker's end of `call` is no news now (its handlers check that it is still ours).
    call.end();
  }

  /**
   * The broker ended `call` with `error`: a stream whose token expired is reopened and its
   * unanswered requests written again in order (see the top of this file); any other end breaks it.
   */
  private onStreamError(call: ProduceStreamCall, error: ApiError): void {
    if (call !== this.call) return;
    const unanswered = [...this.pending.values()];
    const reauthenticate =
      isStreamCredentialExpired(error) && !this.closed && unanswered.every((entry) => !entry.rewritten);
    if (!reauthenticate) return this.breakStream(call, error);
    this.call = null;
    call.cancel();
    this.pending.clear();
    for (const entry of unanswered) clearTimeout(entry.timer);
    // The next write opens the new stream; the credentials ask the token source again.
    for (const entry of unanswered) this.write(entry.request, entry.onOutcome, true);
  }

  /** Ends `call` (if still ours) and fails its unanswered requests in the order they were written. */
  private breakStream(call: ProduceStreamCall, error: ApiError): void {
    if (call !== this.call) return;
    this.call = null;
    call.cancel();
    const failed = [...this.pending.values()];
    this.pending.clear();
    for (const entry of failed) clearTimeout(entry.timer);
    for (const entry of failed) entry.onOutcome({ kind: 'failed', error });
  }
}
