/** Registered brokers and their fencing state (Kafka's ClusterImage / ClusterDelta). */
import { StaleBrokerEpochError, UnknownBrokerError } from './errors';
import { PersistentMap } from './persistent-map';
import type {
  BrokerRegistrationRecord,
  FenceBrokerRecord,
  Listener,
  UnfenceBrokerRecord,
  UnregisterBrokerRecord,
} from './records';

export interface BrokerRegistration {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly incarnationId: string;
  readonly listeners: readonly Listener[];
  readonly rack: string | null;
  /** A fenced broker leads nothing and is not counted in the ISR; it must unfence first. */
  readonly fenced: boolean;
  /** KIP-858 directory ids of its log directories, when it reported them. */
  readonly logDirs?: readonly string[];
  /** Registered without a log directory it had before, and not unfenced since (see BrokerRegistrationRecord). */
  readonly replicasLost?: true;
}

export class ClusterImage {
  static readonly EMPTY = new ClusterImage(PersistentMap.empty());

  constructor(private readonly brokersById: PersistentMap<number, BrokerRegistration>) {}

  get size(): number {
    return this.brokersById.size;
  }

  broker(brokerId: number): BrokerRegistration | undefined {
    return this.brokersById.get(brokerId);
  }

  isFenced(brokerId: number): boolean {
    return this.brokersById.get(brokerId)?.fenced ?? true;
  }

  /** Brokers ordered by id. */
  brokers(): BrokerRegistration[] {
    return [...this.brokersById.values()].sort((a, b) => a.brokerId - b.brokerId);
  }

  /** For ClusterDelta only. */
  editBrokers(): ReturnType<PersistentMap<number, BrokerRegistration>['edit']> {
    return this.brokersById.edit();
  }
}

export interface BrokerChange {
  readonly brokerId: number;
  readonly previous: BrokerRegistration | undefined;
  /** undefined when the broker was unregistered. */
  readonly current: BrokerRegistration | undefined;
}

export class ClusterDelta {
  /** Pending state per touched broker; null = unregistered. */
  private readonly changed = new Map<number, BrokerRegistration | null>();

  constructor(readonly image: ClusterImage) {}

  /** The broker as of the records replayed so far. */
  broker(brokerId: number): BrokerRegistration | undefined {
    const pending = this.changed.get(brokerId);
    if (pending !== undefined) return pending ?? undefined;
    return this.image.broker(brokerId);
  }

  replayRegistration(record: BrokerRegistrationRecord): void {
    const existing = this.broker(record.brokerId);
    if (existing !== undefined && record.brokerEpoch <= existing.brokerEpoch) {
      throw new StaleBrokerEpochError(
        `broker ${record.brokerId} re-registration epoch ${record.brokerEpoch} is not above ${existing.brokerEpoch}`,
      );
    }
    const { brokerId, brokerEpoch, incarnationId, listeners, rack, fenced, logDirs, replicasLost } = record;
    this.changed.set(brokerId, {
      brokerId,
      brokerEpoch,
      incarnationId,
      listeners: Object.freeze(listeners.map((listener) => Object.freeze({ ...listener }))),
      rack,
      fenced,
      ...(logDirs === undefined ? {} : { logDirs: Object.freeze([...logDirs]) }),
      ...(replicasLost === true ? { replicasLost } : {}),
    });
  }

  private current(brokerId: number, brokerEpoch: number, action: string): BrokerRegistration {
    const existing = this.broker(brokerId);
    if (existing === undefined) throw new UnknownBrokerError(`cannot ${action} unknown broker ${brokerId}`);
    if (existing.brokerEpoch !== brokerEpoch) {
      throw new StaleBrokerEpochError(
        `cannot ${action} broker ${brokerId}: epoch ${brokerEpoch} does not match registered epoch ${existing.brokerEpoch}`,
      );
    }
    return existing;
  }

  replayFence(record: FenceBrokerRecord | UnfenceBrokerRecord): void {
    const fenced = record.type === 'FenceBroker';
    const existing = this.current(record.brokerId, record.brokerEpoch, fenced ? 'fence' : 'unfence');
    // Unfenced, it has left every ISR and ELR its lost replicas were in: what it joins from now on it holds.
    if (!fenced && existing.replicasLost === true) {
      const { replicasLost: _cleared, ...rest } = existing;
      this.changed.set(record.brokerId, { ...rest, fenced });
    } else if (existing.fenced !== fenced) this.changed.set(record.brokerId, { ...existing, fenced });
  }

  replayUnregister(record: UnregisterBrokerRecord): void {
    this.current(record.brokerId, record.brokerEpoch, 'unregister');
    this.changed.set(record.brokerId, null);
  }

  /** Brokers whose registration, fencing or existence changed, ordered by id. */
  changes(): BrokerChange[] {
    const result: BrokerChange[] = [];
    for (const [brokerId, pending] of this.changed) {
      const previous = this.image.broker(brokerId);
      const current = pending ?? undefined;
      if (previous !== current) result.push({ brokerId, previous, current });
    }
    return result.sort((a, b) => a.brokerId - b.brokerId);
  }

  apply(): ClusterImage {
    if (this.changed.size === 0) return this.image;
    const editor = this.image.editBrokers();
    for (const [brokerId, pending] of this.changed) {
      if (pending === null) editor.delete(brokerId);
      else editor.set(brokerId, Object.freeze(pending));
    }
    return new ClusterImage(editor.build());
  }
}
