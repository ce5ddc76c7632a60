/**
 * The ACLs of a service that does not otherwise follow the metadata log (the tiering service):
 * a MetadataFollower on the controllers' FetchMetadata feed kept for its ACL records, and the
 * metadata offset the controllers had committed when the feed started. Until the feed has
 * applied that far the ACLs in hand may be an empty start, not those in force: `loaded` says
 * so, and RpcAccessControl answers a retriable error meanwhile rather than refusing everybody.
 */
import { MetadataImage, type AclsImage } from '@sluice/metadata';
import { GrpcClientPool } from '@sluice/proto';
import type { Logger } from '@sluice/runtime';
import { MetadataFollower } from '../metadata-follower';

export interface AclFeedOptions {
  readonly controllerAddresses: readonly string[];
  /** This node's name on the feed (`tiering-<id>`). */
  readonly observer: string;
  /** The controllers' committed metadata offset now (DescribeCluster's metadata_offset). */
  readonly committedOffset: () => Promise<number>;
  readonly log: Logger;
  /** Between attempts to learn the committed offset. Default 500. */
  readonly retryMs?: number;
}

/** The ACLs of a node that follows none (no authorizer, or before the feed exists). */
export const NO_ACLS: AclsImage = MetadataImage.EMPTY.acls;

export class AclFeed {
  private readonly controllers = new GrpcClientPool('Controller');
  private readonly follower: MetadataFollower;
  private targetOffset: number | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: AclFeedOptions) {
    this.follower = new MetadataFollower({
      client: {
        fetchMetadata: (address, fromOffset, observer) =>
          this.controllers.client(address).FetchMetadata({ fromOffset: String(fromOffset), observer }),
      },
      addresses: options.controllerAddresses,
      observer: options.observer,
      log: options.log,
      // The image is read per request (image); nothing else waits on it.
      onImage: () => undefined,
    });
  }

  start(): void {
    this.follower.start();
    this.learnTargetOffset();
  }

  /** The followed image's ACLs; none before the first records. */
  get acls(): AclsImage {
    return this.follower.image.acls;
  }

  /** The feed applied the metadata log up to what was committed when it started. */
  get loaded(): boolean {
    return this.targetOffset !== undefined && this.follower.appliedOffset >= this.targetOffset;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.follower.stop();
    this.controllers.close();
  }

  private learnTargetOffset(): void {
    this.options.committedOffset().then(
      (offset) => {
        this.targetOffset = offset;
      },
      (error: unknown) => {
        if (this.stopped) return;
        this.options.log.warn({ err: error }, 'metadata offset for the ACL feed not known yet; retrying');
        this.retryTimer = setTimeout(() => this.learnTargetOffset(), this.options.retryMs ?? 500);
        this.retryTimer.unref();
      },
    );
  }
}
