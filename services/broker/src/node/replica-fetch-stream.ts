/**
 * The leader's side of `ReplicaFetchStream`: a follower broker's fetches on one long-lived stream
 * instead of one unary Fetch (one HTTP/2 stream, headers, deadline and teardown) per round.
 *
 * - Each message is a follower Fetch handed to the same fetch path as a unary Fetch (fencing,
 *   divergence, ISR and high watermark, the leader side of the replication throttle), so the
 *   stream changes the transport, not what replication decides.
 * - One request at a time: the stream is paused while a request is unanswered and resumed once
 *   its answer was taken by the transport, so grpc-js stops reading and HTTP/2 flow control
 *   pushes back on a follower that sends ahead. What one stream holds is one answer (the
 *   request's max_bytes) plus the transport's window.
 * - The answer leaves out partitions with nothing new (core/fetch-session.ts, KIP-227), and an
 *   answer whose only news is a moved high watermark waits for records or the max wait (`answer`).
 * - A whole-request refusal (no request, not a replica) is answered with its Kafka name and the
 *   stream goes on, as a unary Fetch would have failed only that call.
 * - Disabled (`replica.fetch.stream.enable=false`): the stream is refused with UNIMPLEMENTED, as a
 *   broker without the RPC would, and the follower falls back to unary Fetch.
 * - `closeAll` ends every open stream (a stopping broker), so followers reconnect elsewhere
 *   instead of holding the server's shutdown for its grace period.
 * The stream's life (credit of one, the refusal past it, the disabled answer, `closeAll`) is
 * request-streams.ts, shared with the consumers' FetchStream.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { ServerErrorReporter } from '@sluice/proto';
import type {
  FetchAnswer,
  FetchRequest__Output,
  ReplicaFetchStreamRequest__Output,
  ReplicaFetchStreamResponse,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { FetchSession, indexAsks, type AskIndex, type SessionAnswer, type SessionAsk } from '../core/fetch-session';
import type { AnsweredPartition, FollowerHold } from './fetch-path';
import { namedError, RequestStreams } from './request-streams';

export type ReplicaFetchStreamCall = ServerDuplexStream<ReplicaFetchStreamRequest__Output, ReplicaFetchStreamResponse>;

/** One message's answer before its correlation id: a ReplicaFetchStreamResponse whose reads may be located. */
type StreamAnswer = Omit<ReplicaFetchStreamResponse, 'correlationId' | 'response'> & { response: FetchAnswer | null };

export interface ReplicaFetchStreamOptions {
  /**
   * The leader's fetch path (what a unary Fetch runs), with the session's hold. Its reads may be
   * located (pb.RecordsSource): the stream's serializer reads them into the answer's frame when the
   * answer is written, right after the fetch resolves (fetch-path.ts `fetchAnswer`).
   */
  readonly fetch: (request: FetchRequest__Output, hold: FollowerHold) => Promise<FetchAnswer>;
  readonly report?: ServerErrorReporter;
  /** Throws the refusal of the stream itself as a message arrives (its token expired); see request-streams.ts. */
  readonly refuseStream?: () => void;
}

/** The open streams of one broker, and whether it serves them at all. */
export class ReplicaFetchStreams {
  private readonly streams: RequestStreams;

  constructor(readonly enabled: boolean) {
    this.streams = new RequestStreams(enabled);
  }

  get openCount(): number {
    return this.streams.openCount;
  }

  /** Serves one call until it closes; the promise settles then and never rejects. */
  serve(call: ReplicaFetchStreamCall, options: ReplicaFetchStreamOptions): Promise<void> {
    const session = new FetchSession();
    // The serializer takes located reads (services/common record-answer-serializers.ts): the
    // call's declared answer type is the protobufjs one, the written one may hold located reads.
    return this.streams.serve(
      call as ServerDuplexStream<ReplicaFetchStreamRequest__Output, StreamAnswer & { correlationId: string }>,
      {
        rpcName: 'ReplicaFetchStream',
        maxInFlight: 1,
        disabledDetails: 'ReplicaFetchStream is disabled on this broker (replica.fetch.stream.enable=false); use Fetch',
        report: options.report,
        refuseStream: options.refuseStream,
        answer: (message) => answer(message.request, session, options),
      },
    );
  }

  /** Ends every open stream (the broker is stopping). */
  closeAll(): void {
    this.streams.closeAll();
  }
}

/**
 * One message's answer: the trimmed response, or the request's refusal. Never rejects.
 *
 * An answer whose only news is a moved high watermark (core/fetch-session.ts `mustAnswer`) is not
 * sent: the fetch path holds the request for the rest of its max wait (`FollowerHold`), so the
 * high watermark rides on the next records. With acks=all each batch moves the high watermark once
 * the slower follower has fetched past it, which wakes the faster follower's long poll; answering
 * that cost a round trip of both brokers per batch (a fifth of the messages with 16 KiB batches),
 * and the follower's next request then waited at the leader anyway. The follower's high watermark
 * lags by at most the max wait (Kafka's followers learn it the same way: their delayed fetch
 * completes on new records only). What decides the acks (the followers' fetch offsets) reaches
 * the leader with each request as before. The hold lives in the fetch path's long poll, so a
 * wake-up re-reads and looks at only the partitions that changed (at thousands of partitions a
 * fresh pass over all of them per wake-up was most of the leader's CPU).
 */
async function answer(
  request: FetchRequest__Output | null | undefined,
  session: FetchSession,
  options: ReplicaFetchStreamOptions,
): Promise<StreamAnswer> {
  try {
    if (request === null || request === undefined)
      throw new ApiError('INVALID_REQUEST', 'ReplicaFetchStream message carries no FetchRequest');
    if (request.replicaId < 0)
      throw new ApiError(
        'INVALID_REQUEST',
        `ReplicaFetchStream is for follower brokers (replica_id >= 0), got replica_id ${request.replicaId}`,
      );
    const asked = indexAsks(asksOf(request));
    const response = await options.fetch(request, (answered) =>
      session.mustAnswerAsked(asked, answered.map(sessionAnswerOf)),
    );
    return { response: trimmed(asked, response, session), errorName: '', errorMessage: '' };
  } catch (error) {
    return { response: null, ...namedError(error, options.report) };
  }
}

function asksOf(request: FetchRequest__Output): SessionAsk[] {
  const asks: SessionAsk[] = [];
  for (const topic of request.topics)
    for (const p of topic.partitions)
      asks.push({
        topic: topic.name,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        currentLeaderEpoch: p.currentLeaderEpoch,
      });
  return asks;
}

function sessionAnswerOf({ topic, result: p }: AnsweredPartition): SessionAnswer {
  return {
    topic,
    partition: p.partition ?? 0,
    errorName: p.errorName ?? '',
    recordBytes: p.records?.length ?? 0,
    diverging: p.divergingEpoch !== null && p.divergingEpoch !== undefined,
    highWatermark: String(p.highWatermark ?? 0),
    logStartOffset: String(p.logStartOffset ?? 0),
    leaderEpoch: p.leaderEpoch ?? 0,
  };
}

function answersOf(response: FetchAnswer): SessionAnswer[] {
  const answers: SessionAnswer[] = [];
  for (const topic of response.topics ?? [])
    for (const result of topic.partitions ?? []) answers.push(sessionAnswerOf({ topic: topic.name ?? '', result }));
  return answers;
}

/** `response` without the partitions the session says have nothing new. */
function trimmed(asked: AskIndex, response: FetchAnswer, session: FetchSession): FetchAnswer {
  const sent = session.step(asked, answersOf(response));
  let index = 0;
  const topics = [];
  for (const topic of response.topics ?? []) {
    const partitions = (topic.partitions ?? []).filter(() => sent[index++] === true);
    if (partitions.length > 0) topics.push({ ...topic, partitions });
  }
  return { topics };
}
