/**
 * Test support: a ShareStatePersister in memory, folding writes with @sluice/protocol's
 * `initializeShareState` / `applyShareStateUpdate` as the share coordinator does, and fencing an
 * older leader epoch (FENCED_LEADER_EPOCH). `mode` makes reads and writes fail
 * (COORDINATOR_NOT_AVAILABLE) or hang until `settleHung` is called.
 */
import type { ShareStateKey, ShareStatePersister } from '@sluice/client';
import { shareStateKeyString } from '@sluice/client';
import {
  ApiError,
  applyShareStateUpdate,
  initializeShareState,
  type ShareStateSnapshot,
  type ShareStateUpdate,
} from '@sluice/protocol';

export type PersisterMode = 'ok' | 'fail' | 'hang';

export class InMemoryShareStatePersister implements ShareStatePersister {
  mode: PersisterMode = 'ok';
  readonly states = new Map<string, ShareStateSnapshot>();
  private readonly leaderEpochs = new Map<string, number>();
  private hung: ((outcome: 'apply' | 'fail') => void)[] = [];
  reads = 0;
  writes = 0;

  state(key: ShareStateKey): ShareStateSnapshot | undefined {
    return this.states.get(shareStateKeyString(key));
  }

  get hungWrites(): number {
    return this.hung.length;
  }

  /** Settles every hung write: applied as if it had only been slow, or failed. */
  settleHung(outcome: 'apply' | 'fail'): void {
    const hung = this.hung;
    this.hung = [];
    for (const settle of hung) settle(outcome);
  }

  read(key: ShareStateKey, leaderEpoch: number): Promise<ShareStateSnapshot | null> {
    this.reads++;
    if (this.mode === 'fail')
      return Promise.reject(new ApiError('COORDINATOR_NOT_AVAILABLE', 'the in-memory persister is set to fail'));
    const k = shareStateKeyString(key);
    const fenced = this.fence(k, leaderEpoch);
    if (fenced !== null) return Promise.reject(fenced);
    return Promise.resolve(this.states.get(k) ?? null);
  }

  write(
    key: ShareStateKey,
    leaderEpoch: number,
    state: ShareStateSnapshot | ShareStateUpdate,
    kind: 'snapshot' | 'update',
  ): Promise<void> {
    this.writes++;
    if (this.mode === 'fail')
      return Promise.reject(new ApiError('COORDINATOR_NOT_AVAILABLE', 'the in-memory persister is set to fail'));
    const apply = (): void => {
      const k = shareStateKeyString(key);
      const fenced = this.fence(k, leaderEpoch);
      if (fenced !== null) throw fenced;
      const stored = this.states.get(k) ?? null;
      let result;
      if (kind === 'snapshot') result = initializeShareState(stored, state);
      else if (stored === null) throw new ApiError('INVALID_REQUEST', `no state stored for ${k}: initialize it first`);
      else result = applyShareStateUpdate(stored, state);
      if (!result.ok) throw result.error;
      this.states.set(k, result.snapshot);
    };
    if (this.mode === 'hang') {
      return new Promise<void>((resolve, reject) => {
        this.hung.push((outcome) => {
          if (outcome === 'fail') return reject(new ApiError('COORDINATOR_NOT_AVAILABLE', 'the hung write failed'));
          try {
            apply();
            resolve();
          } catch (error) {
            reject(error as Error);
          }
        });
      });
    }
    try {
      apply();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private fence(key: string, leaderEpoch: number): ApiError | null {
    if (leaderEpoch < 0) return null;
    const known = this.leaderEpochs.get(key) ?? -1;
    if (leaderEpoch < known)
      return new ApiError('FENCED_LEADER_EPOCH', `leader epoch ${leaderEpoch} is older than ${known}`);
    this.leaderEpochs.set(key, leaderEpoch);
    return null;
  }
}
