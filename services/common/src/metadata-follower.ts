/**
 * Follows `__cluster_metadata` from the controller quorum as an observer (FetchMetadata) into a
 * local MetadataImage: brokers (everything) and coordinators (the ACLs they enforce). Any
 * controller serves the feed (it only sends what it committed); on a broken stream the follower
 * resumes from its next offset on the next address after a pause.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { FetchMetadataResponse__Output } from '@sluice/proto';
import { decodeRecord, loadSnapshot, MetadataDelta, MetadataImage } from '@sluice/metadata';
import type { Logger } from '@sluice/runtime';

/** Opens the FetchMetadata stream at `address` from `fromOffset`. */
export interface MetadataFeedSource {
  fetchMetadata(address: string, fromOffset: number, observer: string): ClientReadableStream<unknown>;
}

export interface MetadataFollowerOptions {
  readonly client: MetadataFeedSource;
  /** Called with an error applying the feed before the follower reconnects (a broker halts on a broken invariant). */
  readonly onApplyError?: (error: unknown) => void;
  readonly addresses: readonly string[];
  readonly observer: string;
  readonly log: Logger;
  /** Called after every applied batch or loaded snapshot, with the new image. */
  readonly onImage: (image: MetadataImage) => void;
  readonly reconnectBackoffMs?: number;
}

/** Upper bound on a snapshot being assembled from chunks (the gRPC message cap is 64 MiB each). */
const MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024;

export class MetadataFollower {
  private imageValue: MetadataImage = MetadataImage.EMPTY;
  private stream: ClientReadableStream<unknown> | undefined;
  private stopped = false;
  private nextAddress = 0;
  private snapshotChunks: Buffer[] = [];
  private snapshotBytes = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Serialises snapshot loads with later batches. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: MetadataFollowerOptions) {}

  get image(): MetadataImage {
    return this.imageValue;
  }

  /** The last metadata offset applied (-1: nothing yet). */
  get appliedOffset(): number {
    return this.imageValue.provenance.lastContainedOffset;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
  }

  private connect(): void {
    if (this.stopped) return;
    const address = this.options.addresses[this.nextAddress % this.options.addresses.length] as string;
    const from = this.appliedOffset + 1;
    this.snapshotChunks = [];
    this.snapshotBytes = 0;
    const stream = this.options.client.fetchMetadata(address, from, this.options.observer);
    this.stream = stream;
    let failed = false;
    const retry = (reason: string): void => {
      if (failed || this.stopped || this.stream !== stream) return;
      failed = true;
      stream.cancel();
      this.nextAddress++;
      this.options.log.debug({ address, reason }, 'metadata feed interrupted; reconnecting');
      this.retryTimer = setTimeout(() => this.connect(), this.options.reconnectBackoffMs ?? 200);
    };
    stream.on('data', (message: FetchMetadataResponse__Output) => {
      this.queue = this.queue
        .then(() => this.onMessage(message))
        .catch((error: unknown) => {
          // A broken invariant while applying the image is not a feed problem a reconnect fixes.
          this.options.onApplyError?.(error);
          this.options.log.error({ err: error }, 'metadata feed message could not be applied');
          retry('apply failed');
        });
    });
    stream.on('error', (error: Error) => retry(error.message));
    stream.on('end', () => retry('stream ended'));
  }

  private async onMessage(message: FetchMetadataResponse__Output): Promise<void> {
    if (message.batch !== undefined && message.batch !== null) {
      const offset = Number(message.batch.offset);
      if (offset <= this.appliedOffset) return;
      const delta = new MetadataDelta(this.imageValue);
      for (const frame of message.batch.records) delta.replay(decodeRecord(frame).record);
      this.publish(delta.apply({ lastContainedOffset: offset, lastContainedEpoch: message.batch.epoch }));
      return;
    }
    const chunk = message.snapshotChunk;
    if (chunk === undefined || chunk === null) return;
    this.snapshotBytes += chunk.data.length;
    if (this.snapshotBytes > MAX_SNAPSHOT_BYTES)
      throw new Error(`metadata snapshot larger than ${MAX_SNAPSHOT_BYTES} bytes`);
    this.snapshotChunks.push(chunk.data);
    if (!chunk.last) return;
    const image = await loadSnapshot(Buffer.concat(this.snapshotChunks));
    this.snapshotChunks = [];
    this.snapshotBytes = 0;
    this.publish(image);
  }

  private publish(image: MetadataImage): void {
    this.imageValue = image;
    this.options.onImage(image);
  }
}
