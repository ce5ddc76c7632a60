/**
 * The client's connection to the controller quorum: a bootstrap list of `host:port` addresses,
 * one grpc-js channel per address, and calls that go to the active controller.
 *
 * - NOT_CONTROLLER names the leader's address in its detail (`leaderAddress`): the channel goes
 *   there at once. Without a known leader it moves to the next bootstrap address after a backoff.
 * - Unreachable nodes, timeouts and other retriable errors are retried on the next address with
 *   exponential backoff (base doubling up to a cap, with jitter), all within `timeoutMs`.
 * - Non-retriable errors reject at once with the server's ApiError.
 * - Reads (`leaderRead`) are served by the active controller too: followers answer from their own
 *   image, which can lag the leader's, so a topic just created could look missing there (a newly
 *   elected leader answers only once it has activated, with every earlier term's commits).
 *
 * A reimplementation of services/controller's ControllerClient redirect loop over @sluice/proto
 * (a client package does not import a service).
 */
import { ApiError } from '@sluice/protocol';
import { GrpcClientPool, fromGrpcError, unaryCall, type ClientSecurity } from '@sluice/proto';
import type { ControllerClient, UnaryMethodName, UnaryRequest, UnaryResponse } from '@sluice/proto';
import { NoControllerReachableError } from './errors';

type ControllerMethod = UnaryMethodName<ControllerClient>;

export interface ControllerChannelOptions {
  /** TLS and bearer token; default: the process default (plaintext unless set). */
  readonly security?: ClientSecurity;
  /** Overall bound on one call including redirects and retries. Default 30 s. */
  readonly timeoutMs?: number;
  /** Bound on one attempt against one node. Default 5 s. */
  readonly attemptTimeoutMs?: number;
  /** First retry pause; doubles per consecutive failure. Default 50 ms. */
  readonly retryBackoffMs?: number;
  /** Cap on the retry pause. Default 1 s. */
  readonly maxRetryBackoffMs?: number;
}

interface ResolvedOptions {
  readonly timeoutMs: number;
  readonly attemptTimeoutMs: number;
  readonly retryBackoffMs: number;
  readonly maxRetryBackoffMs: number;
}

/** Retriable in Kafka's table but final for an admin call: waiting will not create the topic. */
const NEVER_RETRIED = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID']);

/** Last errors that mean no node could serve the call (rather than a node refusing it). */
const UNREACHABLE = new Set(['NETWORK_EXCEPTION', 'REQUEST_TIMED_OUT', 'NOT_CONTROLLER']);

/** `host:port,host:port` -> addresses; throws RangeError on an empty list or a malformed entry. */
export function parseBootstrap(bootstrap: string | readonly string[]): string[] {
  const entries = (typeof bootstrap === 'string' ? bootstrap.split(',') : [...bootstrap])
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new RangeError('the bootstrap list is empty (expected host:port[,host:port...])');
  for (const entry of entries) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(entry);
    if (match === null || Number(match[2]) < 1 || Number(match[2]) > 65_535)
      throw new RangeError(`bad bootstrap address ${JSON.stringify(entry)} (expected host:port)`);
  }
  return entries;
}

export class ControllerChannel {
  readonly bootstrap: readonly string[];
  private readonly options: ResolvedOptions;
  private readonly clients: GrpcClientPool<'Controller'>;
  private preferred: string | undefined;
  /** True once `preferred` answered as the active controller (a write succeeded or DescribeCluster said so). */
  private preferredIsLeader = false;
  private nextBootstrap = 0;
  private closed = false;
  /** Redirects followed and retries made (tests read these). */
  redirects = 0;
  retries = 0;

  constructor(bootstrap: string | readonly string[], options: ControllerChannelOptions = {}) {
    this.bootstrap = parseBootstrap(bootstrap);
    this.clients = new GrpcClientPool('Controller', {
      ...(options.security === undefined ? {} : { security: options.security }),
    });
    this.options = {
      timeoutMs: options.timeoutMs ?? 30_000,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 5_000,
      retryBackoffMs: options.retryBackoffMs ?? 50,
      maxRetryBackoffMs: options.maxRetryBackoffMs ?? 1_000,
    };
  }

  /** The address the next call goes to. */
  get target(): string {
    return this.preferred ?? (this.bootstrap[this.nextBootstrap % this.bootstrap.length] as string);
  }

  private client(address: string): ControllerClient {
    if (this.closed) throw new ApiError('NETWORK_EXCEPTION', 'the client is closed');
    return this.clients.client(address);
  }

  /** A write (or anything only the active controller answers): follows NOT_CONTROLLER. */
  async call<M extends ControllerMethod>(
    method: M,
    request: UnaryRequest<ControllerClient, M>,
  ): Promise<UnaryResponse<ControllerClient, M>> {
    const deadline = Date.now() + this.options.timeoutMs;
    const response = await this.loop(method, request, deadline);
    this.preferredIsLeader = true;
    return response;
  }

  /** A read any controller could answer, sent to the active controller so it sees every committed write. */
  async leaderRead<M extends ControllerMethod>(
    method: M,
    request: UnaryRequest<ControllerClient, M>,
  ): Promise<UnaryResponse<ControllerClient, M>> {
    const deadline = Date.now() + this.options.timeoutMs;
    while (!this.preferredIsLeader) {
      const answer = await this.loop('DescribeCluster', {}, deadline);
      const answered = this.target;
      if (answer.controllerId === answer.nodeId) {
        this.preferredIsLeader = true;
      } else if (answer.controllerAddress !== '' && answer.controllerAddress !== answered) {
        this.preferred = answer.controllerAddress;
        this.redirects++;
      } else {
        // This node knows no leader yet: move on after a pause.
        this.preferred = undefined;
        this.nextBootstrap++;
        if (!(await this.backoff(1, deadline)))
          throw new NoControllerReachableError(
            this.bootstrap,
            this.options.timeoutMs,
            new ApiError('NOT_CONTROLLER', 'no node knows the active controller'),
          );
      }
    }
    return this.loop(method, request, deadline);
  }

  private async loop<M extends ControllerMethod>(
    method: M,
    request: UnaryRequest<ControllerClient, M>,
    deadline: number,
  ): Promise<UnaryResponse<ControllerClient, M>> {
    let lastError: ApiError | undefined;
    let failures = 0;
    let redirectsInARow = 0;
    while (Date.now() < deadline) {
      const address = this.target;
      const attemptMs = Math.max(1, Math.min(this.options.attemptTimeoutMs, deadline - Date.now()));
      try {
        const response = await unaryCall(this.client(address), method, request, { timeoutMs: attemptMs });
        this.preferred = address;
        return response;
      } catch (error) {
        const apiError = error instanceof ApiError ? error : fromGrpcError(error);
        // An attempt the overall deadline cut short says only that time ran out; the error before
        // it (say, connection refused) is the one worth reporting.
        const cutByDeadline = attemptMs < this.options.attemptTimeoutMs && apiError.errorName === 'REQUEST_TIMED_OUT';
        if (!cutByDeadline || lastError === undefined) lastError = apiError;
        if (this.closed) throw apiError;
        if (apiError.errorName === 'NOT_CONTROLLER') {
          const leaderAddress = apiError.detail.leaderAddress ?? '';
          // Follow a named leader at once, but not forever: two nodes pointing at each other would spin.
          if (leaderAddress !== '' && leaderAddress !== address && redirectsInARow < this.bootstrap.length + 1) {
            this.preferred = leaderAddress;
            this.preferredIsLeader = false;
            this.redirects++;
            redirectsInARow++;
            continue;
          }
        } else if (!apiError.retriable || NEVER_RETRIED.has(apiError.errorName)) {
          throw apiError;
        }
        redirectsInARow = 0;
        this.preferred = undefined;
        this.preferredIsLeader = false;
        this.nextBootstrap++;
        this.retries++;
        failures++;
        if (!(await this.backoff(failures, deadline))) break;
      }
    }
    if (lastError === undefined || UNREACHABLE.has(lastError.errorName))
      throw new NoControllerReachableError(this.bootstrap, this.options.timeoutMs, lastError);
    throw lastError;
  }

  /** Sleeps the backoff for the n-th consecutive failure; false when the deadline leaves no room. */
  private async backoff(failures: number, deadline: number): Promise<boolean> {
    const base = Math.min(
      this.options.maxRetryBackoffMs,
      this.options.retryBackoffMs * 2 ** Math.min(20, failures - 1),
    );
    const pause = Math.min(base / 2 + Math.random() * (base / 2), deadline - Date.now());
    if (pause <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
    return Date.now() < deadline;
  }

  close(): void {
    this.closed = true;
    this.clients.close();
  }
}
