/**
 * How a broker gets its share state persister from `share.coordinator.addresses`: by default the
 * client's CoordinatorShareStatePersister, which talks to the coordinator service
 * (ReadShareGroupState / WriteShareGroupState). With no addresses there is none and share requests
 * answer COORDINATOR_NOT_AVAILABLE saying so. Tests inject their own factory (an in-memory persister).
 */
import { CoordinatorShareStatePersister, type ShareStatePersister } from '@sluice/client';

export interface OpenedShareStatePersister {
  readonly persister: ShareStatePersister;
  close(): void;
}

/** null: no persister for these addresses (the broker answers COORDINATOR_NOT_AVAILABLE). */
export type ShareStatePersisterFactory = (coordinatorAddresses: readonly string[]) => OpenedShareStatePersister | null;

export const defaultShareStatePersisterFactory: ShareStatePersisterFactory = (coordinatorAddresses) => {
  if (coordinatorAddresses.length === 0) return null;
  const persister = new CoordinatorShareStatePersister({ coordinators: coordinatorAddresses });
  return { persister, close: () => persister.close() };
};

/** Why share groups are unavailable, for the COORDINATOR_NOT_AVAILABLE message. */
export function shareUnavailableReason(coordinatorAddresses: readonly string[]): string {
  return coordinatorAddresses.length === 0
    ? 'share groups are not available on this broker: share.coordinator.addresses is empty'
    : `share groups are not available on this broker: no share state persister for share.coordinator.addresses=${coordinatorAddresses.join(',')}`;
}
