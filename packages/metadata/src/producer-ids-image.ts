/** The producer-id allocation high-water mark (Kafka's ProducerIdsImage). */
import { ProducerIdRegressionError } from './errors';
import type { ProducerIdsRecord } from './records';

export class ProducerIdsImage {
  /** -1: no block handed out yet, as Kafka's ProducerIdsImage.EMPTY. */
  static readonly EMPTY = new ProducerIdsImage(-1);

  constructor(
    /** The first producer id not yet handed to any broker. */
    readonly nextProducerId: number,
  ) {}

  get isEmpty(): boolean {
    return this.nextProducerId === -1;
  }
}

export class ProducerIdsDelta {
  private next: number | undefined;

  constructor(readonly image: ProducerIdsImage) {}

  get nextProducerId(): number {
    return this.next ?? this.image.nextProducerId;
  }

  replay(record: ProducerIdsRecord): void {
    // Handing out a block below the mark would give two producers the same id.
    if (!Number.isSafeInteger(record.nextProducerId) || record.nextProducerId <= this.nextProducerId) {
      throw new ProducerIdRegressionError(
        `next producer id ${record.nextProducerId} from broker ${record.brokerId} is not above ${this.nextProducerId}`,
      );
    }
    this.next = record.nextProducerId;
  }

  get isEmpty(): boolean {
    return this.next === undefined;
  }

  apply(): ProducerIdsImage {
    return this.next === undefined ? this.image : new ProducerIdsImage(this.next);
  }
}
