/**
 * How a broker gets its share state persister from `share.coordinator.addresses`. The real one
 * talks to the coordinator service (ReadShareGroupState / WriteShareGroupState); until it is wired
 * here, the default factory builds none and share requests answer COORDINATOR_NOT_AVAILABLE saying
 * so. Tests inject their own factory (an in-memory persister).
 */
import type { ShareStatePersister } from '@sluice/client';

export interface OpenedShareStatePersister {
  readonly persister: ShareStatePersister;
  close(): void;
}

/** null: no persister for these addresses (the broker answers COORDINATOR_NOT_AVAILABLE). */
export type ShareStatePersisterFactory = (coordinatorAddresses: readonly string[]) => OpenedShareStatePersister | null;

export const defaultShareStatePersisterFactory: ShareStatePersisterFactory = () => null;

/** Why share groups are unavailable, for the COORDINATOR_NOT_AVAILABLE message. */
export function shareUnavailableReason(coordinatorAddresses: readonly string[]): string {
  return coordinatorAddresses.length === 0
    ? 'share groups are not available on this broker: share.coordinator.addresses is empty'
    : `share groups are not available on this broker: no share state persister is wired for share.coordinator.addresses=${coordinatorAddresses.join(',')}`;
}
