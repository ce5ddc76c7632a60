/**
 * A coordinator finder with its own gRPC clients, for members and persisters that talk to one
 * coordinator at a time: FindCoordinator through coordinator-lookup.ts (GROUP or SHARE keys),
 * starting at the next bootstrap address each time so one dead address is not always asked
 * first, plus the error classes their retry loops share.
 */
import { GrpcClientPool, fromGrpcError, type CoordinatorClient, type ClientSecurity } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { findCoordinator } from './coordinator-lookup';
import { parseBootstrap } from './controller-channel';

/** Errors after which the same request may go to a (re-)found coordinator. Fencing is never among them. */
export const COORDINATOR_RETRIABLE_ERRORS: ReadonlySet<string> = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NETWORK_EXCEPTION',
  'REQUEST_TIMED_OUT',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
]);

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : fromGrpcError(error);
}

export class CoordinatorLocator {
  readonly bootstrap: readonly string[];
  private readonly clients: GrpcClientPool<'Coordinator'>;
  private nextBootstrap = 0;

  constructor(
    coordinators: string | readonly string[],
    private readonly requestTimeoutMs: number,
    security?: ClientSecurity,
  ) {
    this.bootstrap = parseBootstrap(coordinators);
    this.clients = new GrpcClientPool('Coordinator', security === undefined ? {} : { security });
  }

  client(address: string): CoordinatorClient {
    return this.clients.client(address);
  }

  /** The address of the coordinator for `key`; rejects with the key's error or the last transport error. */
  find(key: string, keyType: 'GROUP' | 'SHARE'): Promise<string> {
    const startAt = this.nextBootstrap++ % this.bootstrap.length;
    return findCoordinator(key, {
      bootstrap: this.bootstrap,
      client: (address) => this.client(address),
      timeoutMs: this.requestTimeoutMs,
      startAt,
      keyType,
    });
  }

  close(): void {
    this.clients.close();
  }
}
