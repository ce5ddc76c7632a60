/**
 * A small TypeScript client for the Controller gRPC service that follows NOT_CONTROLLER: it
 * sends to the leader it last heard of, and on NOT_CONTROLLER goes to the address in the
 * error's detail (or, when no leader is known yet, tries the next bootstrap address after a
 * short backoff). Every call is bounded by `timeoutMs` overall.
 */
import { randomBytes } from 'node:crypto';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { ZERO_UUID, uuidFromRandom } from '@sluice/metadata';
import { GrpcClientPool, fromGrpcError, unaryCall } from '@sluice/proto';
import type {
  CreateTopicsRequest,
  ControllerClient as GrpcControllerClient,
  FetchMetadataResponse__Output,
  UnaryMethodName,
  UnaryRequest,
  UnaryResponse,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';

/** The Controller service's unary RPCs, by their proto names. */
export type ControllerMethod = UnaryMethodName<GrpcControllerClient>;

export interface ControllerClientOptions {
  /** Overall bound on one call including redirects and retries. */
  readonly timeoutMs: number;
  /** Bound on one attempt against one node. */
  readonly attemptTimeoutMs: number;
  /** Pause before retrying when no leader is known or a node is unreachable. */
  readonly retryBackoffMs: number;
}

export const DEFAULT_CLIENT_OPTIONS: ControllerClientOptions = Object.freeze({
  timeoutMs: 10_000,
  attemptTimeoutMs: 2_000,
  retryBackoffMs: 50,
});

export class ControllerClient {
  private readonly clients = new GrpcClientPool('Controller');
  private preferred: string | undefined;
  private nextBootstrap = 0;
  /** Redirects followed and retries made over the client's life (tests and benchmarks read these). */
  redirects = 0;
  retries = 0;

  constructor(
    private readonly bootstrap: readonly string[],
    private readonly options: ControllerClientOptions = DEFAULT_CLIENT_OPTIONS,
  ) {
    if (bootstrap.length === 0) throw new RangeError('ControllerClient needs at least one bootstrap address');
  }

  /** The address the client currently sends to. */
  get target(): string {
    return this.preferred ?? (this.bootstrap[this.nextBootstrap % this.bootstrap.length] as string);
  }

  private client(address: string): GrpcControllerClient {
    return this.clients.client(address);
  }

  /** One call to one node, no redirects; rejects with the ApiError the node answered. */
  callNode<M extends ControllerMethod>(
    address: string,
    method: M,
    request: UnaryRequest<GrpcControllerClient, M>,
    timeoutMs = this.options.attemptTimeoutMs,
  ): Promise<UnaryResponse<GrpcControllerClient, M>> {
    return unaryCall(this.client(address), method, request, { timeoutMs });
  }

  /** Calls the active controller, following NOT_CONTROLLER redirects within `timeoutMs`. */
  async call<M extends ControllerMethod>(
    method: M,
    request: UnaryRequest<GrpcControllerClient, M>,
  ): Promise<UnaryResponse<GrpcControllerClient, M>> {
    const deadline = Date.now() + this.options.timeoutMs;
    // Every attempt sends the same ids, so a retry after a lost answer finds its own topic.
    const sent = method === 'CreateTopics' ? withTopicIds(request as CreateTopicsRequest) : request;
    let lastError: ApiError | undefined;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const address = this.target;
      const remainingMs = Math.max(1, Math.min(this.options.attemptTimeoutMs, deadline - Date.now()));
      try {
        const response = await this.callNode(address, method, sent as typeof request, remainingMs);
        this.preferred = address;
        return response;
      } catch (error) {
        const apiError = error instanceof ApiError ? error : fromGrpcError(error);
        lastError = apiError;
        if (apiError.errorName === 'NOT_CONTROLLER') {
          const leaderAddress = apiError.detail.leaderAddress ?? '';
          if (leaderAddress !== '' && leaderAddress !== address) {
            this.preferred = leaderAddress;
            this.redirects++;
            continue;
          }
        } else if (apiError.errorName !== 'NETWORK_EXCEPTION' && apiError.errorName !== 'REQUEST_TIMED_OUT') {
          throw apiError;
        }
        // No leader known here, or the node is unreachable: try the next bootstrap address.
        this.preferred = undefined;
        this.nextBootstrap++;
        this.retries++;
        await sleep(Math.min(this.options.retryBackoffMs, Math.max(0, deadline - Date.now())));
      }
    }
    throw (
      lastError ??
      new ApiError('REQUEST_TIMED_OUT', `no active controller answered ${method} within ${this.options.timeoutMs} ms`)
    );
  }

  /** Follows the metadata log of one node from `fromOffset` (server stream). */
  fetchMetadata(
    address: string,
    fromOffset: number,
    observer = 'client',
  ): ClientReadableStream<FetchMetadataResponse__Output> {
    return this.client(address).FetchMetadata({ fromOffset: String(fromOffset), observer });
  }

  close(): void {
    this.clients.close();
  }
}

/**
 * The request with a client-chosen id on each topic that has none (validateOnly allocates no
 * id). The call retries on REQUEST_TIMED_OUT and NOT_CONTROLLER, whose attempt may have
 * committed: with the id, the controller answers that retry with success, not
 * TOPIC_ALREADY_EXISTS (see services/controller/src/core/create-topic-retry.ts).
 */
function withTopicIds(request: CreateTopicsRequest): CreateTopicsRequest {
  if (request.validateOnly === true) return request;
  return {
    ...request,
    topics: (request.topics ?? []).map((topic) =>
      topic.topicId !== undefined && topic.topicId !== '' ? topic : { ...topic, topicId: newTopicId() },
    ),
  };
}

function newTopicId(): string {
  for (;;) {
    const topicId = uuidFromRandom((count) => randomBytes(count));
    if (topicId !== ZERO_UUID) return topicId;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
