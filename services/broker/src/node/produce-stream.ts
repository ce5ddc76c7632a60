/**
 * The broker's side of `ProduceStream`: Produce requests pipelined on one ordered gRPC stream.
 *
 * - Order: requests are handed to `append` strictly in arrival order, one at a time, and
 *   `append` sequences a request in the logs before it returns (ReplicaManager.appendProduce
 *   appends without awaiting), so request k is in the log before request k+1 is looked at. That
 *   is what lets a producer keep several batches of a partition unanswered at once.
 * - Concurrency: acks=all waits of different requests overlap; answers leave in completion order,
 *   carrying the request's correlation id.
 * - Bounds: at most `maxInFlightRequests` requests are unanswered (appended but not yet answered
 *   and flushed to the transport); at the limit the stream is paused, so grpc-js stops reading
 *   once its readable buffer (16 messages) is full and HTTP/2 flow control pushes back on the
 *   client. Answers are counted until the transport took them, so a client that does not read
 *   its answers stalls its own stream, not our memory.
 * - acks=0 requests get no answer. As Kafka closes the connection when an acks=0 request fails
 *   (the client has no other way to notice), a failed acks=0 request ends the stream with its error.
 * - A whole-request refusal (bad acks, no request) is answered with its Kafka name and message
 *   and the stream goes on, as a unary Produce would have failed only that call.
 * - A refusal that `endsStream` names (the stream's token expired, KIP-368) is not answered, nor is
 *   any later message, and none of them is appended; once the requests taken before it are answered
 *   the stream ends with that error, which the client reads as the refusal of every request the
 *   stream left unanswered. So nothing acknowledged is lost and nothing refused was written.
 */
import { toGrpcStatus, type ServerErrorReporter } from '@sluice/proto';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type {
  ItemError,
  ProduceRequest__Output,
  ProduceResponse,
  ProduceStreamRequest__Output,
  ProduceStreamResponse,
} from '@sluice/proto';
import { ApiError, isApiErrorName } from '@sluice/protocol';

/** Default bound on one stream's unanswered requests (a producer sends at most 5 per broker). */
export const DEFAULT_PRODUCE_STREAM_MAX_IN_FLIGHT = 8;

export interface ProduceStreamOptions {
  /** Must sequence the request in the logs before returning; the promise settles when acks allow. */
  readonly append: (request: ProduceRequest__Output) => Promise<ProduceResponse>;
  readonly maxInFlightRequests?: number;
  readonly report?: ServerErrorReporter;
  /** Whether a refusal from `append` ends the stream (an expired credential); default none does. */
  readonly endsStream?: (error: unknown) => boolean;
}

/** Kafka's name and message for a whole-request failure; other errors are reported and hidden. */
function namedError(error: unknown, report: ServerErrorReporter | undefined): Required<ItemError> {
  if (error instanceof ApiError) return { errorName: error.errorName, errorMessage: error.message };
  const status = toGrpcStatus(error, report);
  return { errorName: 'UNKNOWN_SERVER_ERROR', errorMessage: status.details ?? 'internal error' };
}

function firstPartitionError(response: ProduceResponse): ApiError | null {
  for (const topic of response.topics ?? []) {
    for (const partition of topic.partitions ?? []) {
      const name = partition.errorName ?? '';
      if (name === '' || name === 'NONE') continue;
      const message = `acks=0 produce to ${topic.name}-${partition.partition} failed: ${name} ${partition.errorMessage}`;
      return new ApiError(isApiErrorName(name) && name !== 'NONE' ? name : 'UNKNOWN_SERVER_ERROR', message);
    }
  }
  return null;
}

export type ProduceStreamCall = ServerDuplexStream<ProduceStreamRequest__Output, ProduceStreamResponse>;

export function checkedMaxInFlight(maxInFlightRequests: number | undefined): number {
  const maxInFlight = maxInFlightRequests ?? DEFAULT_PRODUCE_STREAM_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1)
    throw new RangeError(`ProduceStream max in-flight requests must be an integer >= 1, got ${maxInFlight}`);
  return maxInFlight;
}

/**
 * Serves one ProduceStream call until it ends; the promise settles once the stream is closed
 * (ended by us, failed, or cancelled by the client) and never rejects.
 */
export function serveProduceStream(call: ProduceStreamCall, options: ProduceStreamOptions): Promise<void> {
  const maxInFlight = checkedMaxInFlight(options.maxInFlightRequests);
  return new Promise<void>((streamClosed) => {
    let inFlight = 0;
    let clientDone = false;
    let closed = false;
    /** The refusal that ends the stream once nothing is unanswered; later messages get it too. */
    let ending: ApiError | null = null;

    const close = (error: ApiError | null): void => {
      if (closed) return;
      closed = true;
      if (error === null) call.end();
      else call.emit('error', toGrpcStatus(error, options.report));
      streamClosed();
    };
    const settle = (): void => {
      inFlight--;
      if (inFlight < maxInFlight && call.isPaused() && !closed) call.resume();
      if (inFlight === 0 && ending !== null) close(ending);
      if (clientDone && inFlight === 0) close(null);
    };
    const reply = (answer: ProduceStreamResponse): void => {
      if (closed) return settle();
      call.write(answer, () => settle());
    };

    call.on('data', (message: ProduceStreamRequest__Output) => {
      if (closed) return;
      inFlight++;
      if (inFlight >= maxInFlight) call.pause();
      const correlationId = message.correlationId;
      const request = message.request;
      let answered: Promise<ProduceResponse>;
      try {
        if (request === null || request === undefined)
          throw new ApiError(
            'INVALID_REQUEST',
            `ProduceStream request ${String(correlationId)} carries no ProduceRequest`,
          );
        if (ending !== null) throw ending;
        answered = options.append(request);
      } catch (error) {
        if (ending === null && error instanceof ApiError && options.endsStream?.(error) === true) ending = error;
        answered = Promise.reject(error);
      }
      const acksZero = request?.acks === 0;
      answered.then(
        (response) => {
          if (!acksZero) return reply({ correlationId, response, errorName: '', errorMessage: '' });
          const failed = firstPartitionError(response);
          if (failed !== null) close(failed);
          settle();
        },
        (error: unknown) => {
          if (error instanceof ApiError && options.endsStream?.(error) === true) {
            // Not answered: the stream's end carries the refusal to every request it did not answer.
            ending ??= error;
            return settle();
          }
          if (!acksZero) return reply({ correlationId, response: null, ...namedError(error, options.report) });
          close(
            error instanceof ApiError
              ? error
              : new ApiError('UNKNOWN_SERVER_ERROR', namedError(error, options.report).errorMessage),
          );
          settle();
        },
      );
    });
    call.on('end', () => {
      clientDone = true;
      if (inFlight === 0) close(ending);
    });
    // A cancelled or broken stream: answers still pending have nowhere to go.
    call.on('cancelled', () => {
      closed = true;
      streamClosed();
    });
    call.on('error', () => {
      closed = true;
      streamClosed();
    });
  });
}
