/**
 * A long-lived stream of requests, each answered on the same stream: what ReplicaFetchStream
 * (followers) and FetchStream (consumers) share. Their answers differ (replica-fetch-stream.ts,
 * consumer-fetch-stream.ts); the stream's life does not:
 *
 * - Credit: up to `maxInFlight` requests may be unanswered; at that count the stream is paused
 *   (grpc-js stops reading, HTTP/2 flow control pushes back) and it is resumed once an answer was
 *   taken by the transport. A peer that sends past its credit is refused (INVALID_REQUEST) and the
 *   stream ends. Answers leave as they complete, each with its request's correlation id.
 * - Disabled: the stream is refused with UNIMPLEMENTED, as a broker without the RPC would, and the
 *   peer falls back to unary Fetch.
 * - The client's end closes the stream once nothing is unanswered; a cancelled or broken stream
 *   closes at once (answers still pending have nowhere to go).
 * - `refuseStream` (the stream's token expired, KIP-368): a message arriving past it is not
 *   answered (a fetch changes nothing; the peer fetches again on a new stream) and the stream ends
 *   with that refusal at once; answers still pending have nowhere to go.
 * - `closeAll` ends every open stream (a stopping broker), so peers reconnect elsewhere instead of
 *   holding the server's shutdown for its grace period.
 */
import { status, type ServerDuplexStream } from '@grpc/grpc-js';
import { toGrpcStatus, type ItemError, type ServerErrorReporter } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';

export interface RequestStreamSpec<Message, Answer> {
  /** The RPC's name, for refusals. */
  readonly rpcName: string;
  /** Requests one stream may have unanswered (>= 1). */
  readonly maxInFlight: number;
  /** What a peer hears when this broker does not serve the stream. */
  readonly disabledDetails: string;
  readonly report?: ServerErrorReporter;
  /** Throws the ApiError that refuses the stream itself as a message arrives (an expired token); optional. */
  readonly refuseStream?: () => void;
  /** One message's answer without its correlation id. Should not reject; a rejection drops that answer. */
  readonly answer: (message: Message) => Promise<Answer>;
}

/** The open streams of one kind on one broker, and whether it serves them at all. */
export class RequestStreams {
  private readonly open = new Set<() => void>();

  constructor(readonly enabled: boolean) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Serves one call until it closes; the promise settles then and never rejects. */
  serve<Message extends { readonly correlationId: string | number }, Answer extends object>(
    call: ServerDuplexStream<Message, Answer & { correlationId: Message['correlationId'] }>,
    spec: RequestStreamSpec<Message, Answer>,
  ): Promise<void> {
    if (!Number.isInteger(spec.maxInFlight) || spec.maxInFlight < 1)
      throw new Error(`assertion: ${spec.rpcName} maxInFlight ${spec.maxInFlight}`);
    if (!this.enabled) {
      call.emit('error', { code: status.UNIMPLEMENTED, details: spec.disabledDetails });
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
        if (inFlight < 0) throw new Error(`${spec.rpcName} invariant: ${inFlight} requests in flight`);
        if (closed) return;
        if (clientDone && inFlight === 0) return close(true);
        if (inFlight === spec.maxInFlight - 1) call.resume();
      };
      call.on('data', (message: Message) => {
        if (closed) return;
        try {
          spec.refuseStream?.();
        } catch (error) {
          call.emit('error', toGrpcStatus(error, spec.report));
          return close(false);
        }
        // Not an assertion: a misbehaving peer may send past its credit; grpc-js delivers what it had read.
        if (inFlight >= spec.maxInFlight) {
          const refusal =
            spec.maxInFlight === 1
              ? `${spec.rpcName}: a request was sent before the previous was answered`
              : `${spec.rpcName}: more than ${spec.maxInFlight} requests sent unanswered`;
          call.emit('error', toGrpcStatus(new ApiError('INVALID_REQUEST', refusal), spec.report));
          return close(false);
        }
        inFlight++;
        if (inFlight === spec.maxInFlight) call.pause();
        const correlationId = message.correlationId;
        spec.answer(message).then(
          (reply) => {
            if (closed) return settle();
            // The serializer takes located reads (services/common record-answer-serializers.ts).
            call.write({ correlationId, ...reply }, () => settle());
          },
          () => settle(),
        );
      });
      call.on('end', () => {
        clientDone = true;
        if (inFlight === 0) close(true);
      });
      call.on('cancelled', () => close(false));
      call.on('error', () => close(false));
    });
  }

  /** Ends every open stream (the broker is stopping). */
  closeAll(): void {
    for (const close of [...this.open]) close();
  }
}

/** A whole-request refusal as a stream answer's error fields: its Kafka name, or UNKNOWN_SERVER_ERROR (reported). */
export function namedError(error: unknown, report: ServerErrorReporter | undefined): Required<ItemError> {
  if (error instanceof ApiError) return { errorName: error.errorName, errorMessage: error.message };
  const grpcStatus = toGrpcStatus(error, report);
  return { errorName: 'UNKNOWN_SERVER_ERROR', errorMessage: grpcStatus.details ?? 'internal error' };
}
