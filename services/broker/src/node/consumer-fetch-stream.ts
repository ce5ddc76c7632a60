/**
 * The broker's side of `FetchStream`: a consumer's Fetches on one long-lived stream instead of one
 * unary Fetch (an HTTP/2 stream, headers, deadline, trailers and Nest's per-call guard and
 * interceptors) per round. During a backlog read that per-call work was about half the brokers'
 * busy time (docs/performance.md, sections 20 and 28).
 *
 * - Each message is a consumer Fetch handed to the same fetch path as a unary Fetch
 *   (`fetchAnswer`: located reads, read by the encoder into the answer's frame), and answered with
 *   exactly what the unary call would answer: the stream changes the transport, not the answer.
 * - Credit: up to MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT requests may be unanswered; answers leave as
 *   they complete, matched by correlation id. The stream's life (credit, refusal past it, the
 *   disabled answer, `closeAll`) is request-streams.ts, shared with ReplicaFetchStream.
 * - A whole-request refusal (no request, a follower's request, a failed authorization) is answered
 *   with its Kafka name and the stream goes on, as a unary Fetch would have failed only that call.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ServerErrorReporter } from '@sluice/proto';
import type { FetchAnswer, FetchRequest__Output, FetchStreamRequest__Output, FetchStreamResponse } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { namedError, RequestStreams } from './request-streams';

/** What a FetchStreamResponse carries, with records that the answer's encoder may read (FetchAnswer). */
export type FetchStreamAnswer = Omit<FetchStreamResponse, 'response'> & { response?: FetchAnswer | null };

export type FetchStreamCall = ServerDuplexStream<FetchStreamRequest__Output, FetchStreamAnswer>;

/** Requests one FetchStream may have unanswered (the contract's credit, broker.proto). */
export const MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT = 4;

export interface FetchStreamOptions {
  /** The consumer fetch path (what a unary Fetch runs), with the message's authorization. */
  readonly fetch: (request: FetchRequest__Output) => Promise<FetchAnswer>;
  readonly report?: ServerErrorReporter;
  /** Throws the refusal of the stream itself as a message arrives (its token expired); see request-streams.ts. */
  readonly refuseStream?: () => void;
}

/** The open consumer fetch streams of one broker, and whether it serves them at all. */
export class ConsumerFetchStreams {
  private readonly streams: RequestStreams;

  constructor(readonly enabled: boolean) {
    this.streams = new RequestStreams(enabled);
  }

  get openCount(): number {
    return this.streams.openCount;
  }

  /** Serves one call until it closes; the promise settles then and never rejects. */
  serve(call: FetchStreamCall, options: FetchStreamOptions): Promise<void> {
    return this.streams.serve(call, {
      rpcName: 'FetchStream',
      maxInFlight: MAX_FETCH_STREAM_REQUESTS_IN_FLIGHT,
      disabledDetails: 'FetchStream is not served by this broker; use Fetch',
      report: options.report,
      refuseStream: options.refuseStream,
      answer: (message) => answer(message.request, options),
    });
  }

  /** Ends every open stream (the broker is stopping). */
  closeAll(): void {
    this.streams.closeAll();
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
