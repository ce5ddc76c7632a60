/**
 * FindCoordinator, shared by a group member (GroupMembership) and the Admin's group operations:
 * any coordinator answers it for any group id (the owner of the group's `__consumer_offsets`
 * partition). The bootstrap list is tried in turn, starting at `startAt`, until one answers.
 */
import { fromGrpcError, unaryCall, type CoordinatorClient } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { apiErrorFromName } from './errors';

export interface CoordinatorLookup {
  /** Coordinator addresses to ask (any of them answers for every group). */
  readonly bootstrap: readonly string[];
  /** The (cached) gRPC client for an address. */
  client(address: string): CoordinatorClient;
  readonly timeoutMs: number;
  /** Index into `bootstrap` to ask first (callers rotate it so one dead address is not always first). */
  readonly startAt?: number;
  /** 'GROUP' (default): keys are group ids; 'SHARE': share-state keys `group:topic:partition`. */
  readonly keyType?: 'GROUP' | 'SHARE';
}

/** Per group id: the coordinator's address, or the error FindCoordinator answered for it. */
export type CoordinatorAnswer = { readonly address: string } | { readonly error: ApiError };

/**
 * Asks one bootstrap coordinator after another until one answers; each group's entry is its
 * coordinator's address or its own error (COORDINATOR_NOT_AVAILABLE while its partition has no
 * leader, ...). Rejects with the last error when no coordinator answered at all.
 */
export async function findCoordinators(
  groupIds: readonly string[],
  lookup: CoordinatorLookup,
): Promise<Map<string, CoordinatorAnswer>> {
  if (lookup.bootstrap.length === 0) throw new ApiError('INVALID_CONFIG', 'no coordinator addresses to ask');
  let lastError: ApiError | undefined;
  const startAt = lookup.startAt ?? 0;
  for (let attempt = 0; attempt < lookup.bootstrap.length; attempt++) {
    const address = lookup.bootstrap[(startAt + attempt) % lookup.bootstrap.length] as string;
    try {
      const answer = await unaryCall(
        lookup.client(address),
        'FindCoordinator',
        { groupIds: [...groupIds], keyType: lookup.keyType ?? '' },
        { timeoutMs: lookup.timeoutMs },
      );
      const result = new Map<string, CoordinatorAnswer>();
      for (const entry of answer.coordinators) {
        result.set(
          entry.groupId,
          entry.errorName === '' || entry.errorName === 'NONE'
            ? { address: entry.address }
            : { error: apiErrorFromName(entry.errorName, entry.errorMessage) },
        );
      }
      for (const groupId of groupIds)
        if (!result.has(groupId))
          result.set(groupId, {
            error: new ApiError(
              'COORDINATOR_NOT_AVAILABLE',
              `FindCoordinator at ${address} answered nothing for group ${groupId}`,
            ),
          });
      return result;
    } catch (error) {
      lastError = error instanceof ApiError ? error : fromGrpcError(error);
    }
  }
  throw (
    lastError ?? new ApiError('COORDINATOR_NOT_AVAILABLE', `no coordinator answered at ${lookup.bootstrap.join(',')}`)
  );
}

/** One group's coordinator address; rejects with the group's error or the last transport error. */
export async function findCoordinator(groupId: string, lookup: CoordinatorLookup): Promise<string> {
  const answer = (await findCoordinators([groupId], lookup)).get(groupId);
  if (answer === undefined)
    throw new ApiError('COORDINATOR_NOT_AVAILABLE', `FindCoordinator answered nothing for group ${groupId}`);
  if ('error' in answer) throw answer.error;
  return answer.address;
}
