/**
 * The broker's side of `FetchStream`: a consumer's Fetches on one long-lived stream instead of one
 * unary Fetch (an HTTP/2 stream, headers, deadline, trailers and Nest's per-call guard and
 * interceptors) per round. During a backlog read that per-call work was about half the brokers'
 * busy time (docs/performance.md, sections 20 and 28).
 *
 * - Each message is a consumer Fetch handed to the same fetch path as a unary Fetch
 *   (`fetchAnswer`: located reads, read by the encoder into the answer's frame), and answered with
 *   exactly what the unary call would answer: the stream changes the transport, not the answer.
 * - Credit: up to MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT requests may be unanswered; at that count the
 *   stream is paused (grpc-js stops reading, HTTP/2 flow control pushes back) and it is resumed
 *   once an answer was taken by the transport. A peer that sends past its credit is refused and
 *   the stream ends. Answers leave as they complete, matched by correlation id.
 * - A whole-request refusal (no request, a follower's request, a failed authorization) is answered
 *   with its Kafka name and the stream goes on, as a unary Fetch would have failed only that call.
 * - Disabled: the stream is refused with UNIMPLEMENTED, as a broker without the RPC would, and the
 *   consumer falls back to unary Fetch.
 * - `closeAll` ends every open stream (a stopping broker), so consumers reconnect elsewhere
 *   instead of holding the server's shutdown for its grace period.
 */
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { toGrpcStatus, type ServerErrorReporter } from '@sluice/proto';
import type {
  FetchAnswer,
  FetchRequest__Output,
  FetchStreamRequest__Output,
  FetchStreamResponse,
  ItemError,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';

/** What a FetchStreamResponse carries, with records that the answer's encoder may read (FetchAnswer). */
export type FetchStreamAnswer = Omit<FetchStreamResponse, 'response'> & { response?: FetchAnswer | null };

export type FetchStreamCall = ServerDuplexStream<FetchStreamRequest__Output, FetchStreamAnswer>;

/** Requests one FetchStream may have unanswered (the contract's credit, broker.proto). */
export const MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT = 4;

export interface FetchStreamOptions {
  /** The consumer fetch path (what a unary Fetch runs), with the message's authorization. */
  readonly fetch: (request: FetchRequest__Output) => Promise<FetchAnswer>;
  readonly report?: ServerErrorReporter;
}

/** The open consumer fetch streams of one broker, and whether it serves them at all. */
export class ConsumerFetchStreams {
  private readonly open = new Set<() => void>();

  constructor(readonly enabled: boolean) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Serves one call until it closes; the promise settles then and never rejects. */
  serve(call: FetchStreamCall, options: FetchStreamOptions): Promise<void> {
    if (!this.enabled) {
      call.emit('error', {
        code: status.UNIMPLEMENTED,
        details: 'FetchStream is not served by this broker; use Fetch',
      });
      return Promise.resolve();
    }
    return new Promise<void>((streamClosed) => {
      let inFlight = 0;
      let clientDone = false;
      let closed = false;
      const close = (end: boolean): void => {
        if (closed) return;
        closed = true;
        this.open.delete(closeFromOutside);
        if (end) call.end();
        streamClosed();
      };
      const closeFromOutside = (): void => close(true);
      this.open.add(closeFromOutside);

      const settle = (): void => {
        inFlight--;
        if (inFlight < 0) throw new Error(`FetchStream invariant: ${inFlight} requests in flight`);
        if (closed) return;
        if (clientDone && inFlight === 0) return close(true);
        if (inFlight === MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT - 1) call.resume();
      };
      call.on('data', (message: FetchStreamRequest__Output) => {
        if (closed) return;
        // Not an assertion: a misbehaving peer may send past its credit; grpc-js delivers what it had read.
        if (inFlight >= MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT) {
          call.emit(
            'error',
            toGrpcStatus(
              new ApiError(
                'INVALID_REQUEST',
                `FetchStream: more than ${MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT} requests sent unanswered`,
              ),
              options.report,
            ),
          );
          return close(false);
        }
        inFlight++;
        if (inFlight === MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT) call.pause();
        const correlationId = message.correlationId;
        void answer(message.request, options).then((reply) => {
          if (closed) return settle();
          call.write({ correlationId, ...reply }, () => settle());
        });
      });
      call.on('end', () => {
        clientDone = true;
        if (inFlight === 0) close(true);
      });
      // A cancelled or broken stream: answers still pending have nowhere to go.
      call.on('cancelled', () => close(false));
      call.on('error', () => close(false));
    });
  }

  /** Ends every open stream (the broker is stopping). */
  closeAll(): void {
    for (const close of [...this.open]) close();
  }
}

/** One message's answer: the Fetch's, or the request's refusal. Never rejects. */
async function answer(
  request: FetchRequest__Output | null | undefined,
  options: FetchStreamOptions,
): Promise<Omit<FetchStreamAnswer, 'correlationId'>> {
  try {
    if (request === null || request === undefined)
      throw new ApiError('INVALID_REQUEST', 'FetchStream message carries no FetchRequest');
    if (request.replicaId >= 0)
      throw new ApiError(
        'INVALID_REQUEST',
        `FetchStream is for consumers (replica_id -1), got replica_id ${request.replicaId}; followers use ReplicaFetchStream`,
      );
    return { response: await options.fetch(request), errorName: '', errorMessage: '' };
  } catch (error) {
    return { response: null, ...namedError(error, options.report) };
  }
}

function namedError(error: unknown, report: ServerErrorReporter | undefined): Required<ItemError> {
  if (error instanceof ApiError) return { errorName: error.errorName, errorMessage: error.message };
  const grpcStatus = toGrpcStatus(error, report);
  return { errorName: 'UNKNOWN_SERVER_ERROR', errorMessage: grpcStatus.details ?? 'internal error' };
}
