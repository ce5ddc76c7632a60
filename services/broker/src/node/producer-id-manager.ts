/**
 * Hands out producer ids for InitProducerId (Kafka's RPCProducerIdManager): the controller
 * allocates blocks of ids to a broker through the metadata log (AllocateProducerIds), and the
 * broker gives them out one at a time. Concurrent requests for a new block share one call.
 *
 * An existing producer asking again with its id and epoch gets the same id with the next epoch
 * (KIP-360): its sequences restart at 0 and the leaders fence the old epoch. At the last epoch it
 * gets a new id instead.
 */
import { ApiError } from '@sluice/protocol';

export interface ProducerIdBlock {
  readonly start: number;
  readonly length: number;
}

export interface ProducerIdentityAnswer {
  readonly producerId: number;
  readonly producerEpoch: number;
}

/** Kafka's producer epoch is an int16. */
export const MAX_PRODUCER_EPOCH = 32_767;

export class ProducerIdManager {
  private next = 0;
  private end = 0;
  private pending: Promise<void> | null = null;

  constructor(private readonly allocateBlock: () => Promise<ProducerIdBlock>) {}

  async initProducerId(current: { producerId: number; producerEpoch: number }): Promise<ProducerIdentityAnswer> {
    const { producerId, producerEpoch } = current;
    if (producerId === -1 && producerEpoch === -1) return { producerId: await this.nextId(), producerEpoch: 0 };
    if (
      !Number.isSafeInteger(producerId) ||
      producerId < 0 ||
      !Number.isInteger(producerEpoch) ||
      producerEpoch < 0 ||
      producerEpoch > MAX_PRODUCER_EPOCH
    ) {
      throw new ApiError(
        'INVALID_REQUEST',
        `producer id ${producerId} / epoch ${producerEpoch} is not a valid identity (-1/-1 asks for a new one)`,
      );
    }
    if (producerEpoch === MAX_PRODUCER_EPOCH) return { producerId: await this.nextId(), producerEpoch: 0 };
    return { producerId, producerEpoch: producerEpoch + 1 };
  }

  private async nextId(): Promise<number> {
    // Bounded: a block always holds at least one id, so each round either returns or fetches.
    for (let attempt = 0; attempt < 100; attempt++) {
      if (this.next < this.end) return this.next++;
      this.pending ??= this.allocateBlock()
        .then((block) => {
          if (
            !Number.isSafeInteger(block.start) ||
            block.start < 0 ||
            !Number.isInteger(block.length) ||
            block.length < 1
          ) {
            throw new ApiError(
              'UNKNOWN_SERVER_ERROR',
              `the controller handed out a bad producer id block ${block.start}+${block.length}`,
            );
          }
          this.next = block.start;
          this.end = block.start + block.length;
        })
        .finally(() => {
          this.pending = null;
        });
      await this.pending;
    }
    throw new ApiError('UNKNOWN_SERVER_ERROR', 'could not obtain a producer id block');
  }
}
