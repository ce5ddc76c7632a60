/**
 * FetchMetadata: how brokers, coordinators and tools follow `__cluster_metadata`. From a
 * requested offset the feed sends, in order, a snapshot of the current image (only when that
 * offset is older than the batches still held in memory), then committed batches, then each new
 * batch as it commits. Every controller serves it, leader or not: it only ever sends what is
 * committed and applied locally.
 */
import { snapshotChunks, type MetadataImage } from '@sluice/metadata';
import type { AppliedBatch, MetadataStateMachine } from '../state/metadata-state-machine';

export type FeedItem =
  | { readonly kind: 'batch'; readonly batch: AppliedBatch }
  | {
      readonly kind: 'snapshot';
      readonly lastContainedOffset: number;
      readonly lastContainedEpoch: number;
      readonly position: number;
      readonly data: Uint8Array;
      readonly last: boolean;
    };

export interface FeedOptions {
  /** Batches read from memory per step (bounds each burst). */
  readonly maxBatchesPerStep: number;
  /** Bytes of snapshot per message. */
  readonly snapshotMessageBytes: number;
}

export const DEFAULT_FEED_OPTIONS: FeedOptions = Object.freeze({
  maxBatchesPerStep: 256,
  snapshotMessageBytes: 256 * 1024,
});

export class MetadataFeed {
  constructor(
    private readonly stateMachine: MetadataStateMachine,
    private readonly options: FeedOptions = DEFAULT_FEED_OPTIONS,
  ) {}

  /** Items from `fromOffset` until `signal` aborts. */
  async *follow(fromOffset: number, signal: AbortSignal): AsyncGenerator<FeedItem> {
    let next = Math.max(1, fromOffset);
    while (!signal.aborted) {
      const batches = this.stateMachine.batchesFrom(next, this.options.maxBatchesPerStep);
      if (batches === 'snapshot') {
        const image = this.stateMachine.image;
        yield* this.snapshotItems(image);
        next = image.provenance.lastContainedOffset + 1;
        continue;
      }
      if (batches.length > 0) {
        for (const batch of batches) yield { kind: 'batch', batch };
        next = (batches[batches.length - 1] as AppliedBatch).offset + 1;
        continue;
      }
      await this.nextApply(signal);
    }
  }

  private *snapshotItems(image: MetadataImage): Generator<FeedItem> {
    const { lastContainedOffset, lastContainedEpoch } = image.provenance;
    let position = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = (last: boolean): FeedItem => {
      const data = Buffer.concat(pending);
      const item: FeedItem = { kind: 'snapshot', lastContainedOffset, lastContainedEpoch, position, data, last };
      position += data.length;
      pending = [];
      pendingBytes = 0;
      return item;
    };
    for (const chunk of snapshotChunks(image, Math.min(this.options.snapshotMessageBytes, 1024 * 1024))) {
      if (pendingBytes > 0 && pendingBytes + chunk.length > this.options.snapshotMessageBytes) yield flush(false);
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
    yield flush(true);
  }

  private nextApply(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        unsubscribe();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const unsubscribe = this.stateMachine.onApply(done);
      signal.addEventListener('abort', done);
    });
  }
}
