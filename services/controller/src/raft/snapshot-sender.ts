/**
 * The sending side of `RaftPeer/SendSnapshot`: a Raft InstallSnapshot message, encoded once and
 * streamed to one peer in chunks of `chunkBytes`, written as fast as HTTP/2 flow control lets
 * them go. Beside the `Send` path, so heartbeats and appends to that peer keep flowing while a
 * snapshot of hundreds of MiB is on its way (one gRPC message of it could not exceed 64 MiB).
 *
 * Raft's leader offers the snapshot again every election timeout until the follower answers,
 * which a large snapshot (transfer plus restore) easily outlasts. So per peer: one transfer at
 * a time (offers meanwhile are dropped), and an offer of the snapshot just delivered is dropped
 * for `resendAfterMs`, the time the follower gets to install it and answer; after that, or for
 * a newer snapshot, it goes again. A failed transfer is forgotten at once (the next offer goes).
 */
import { Metadata } from '@grpc/grpc-js';
import type { RaftPeerClient } from '@sluice/proto';
import type { InstallSnapshot } from '@sluice/raft';
import { encodeRaftMessage } from './message-codec';
import type { RaftLogger } from './raft-driver';

export interface SnapshotSenderOptions {
  readonly nodeId: number;
  readonly clusterId: string;
  /** Bytes of message data per chunk. Default 1 MiB. */
  readonly chunkBytes?: number;
  /** Bound on one whole transfer. Default 120 s. */
  readonly transferTimeoutMs?: number;
  /** How long a delivered snapshot is not sent again to the same peer. Default 30 s. */
  readonly resendAfterMs?: number;
  readonly logger?: RaftLogger;
  readonly clock?: () => number;
}

export const SNAPSHOT_SENDER_DEFAULTS = Object.freeze({
  chunkBytes: 1024 * 1024,
  transferTimeoutMs: 120_000,
  resendAfterMs: 30_000,
});

export interface SnapshotSenderStats {
  readonly transfersStarted: number;
  readonly transfersDelivered: number;
  readonly transfersFailed: number;
  readonly chunksSent: number;
  readonly bytesSent: number;
  /** Offers dropped because a transfer to that peer was running or had just delivered the same snapshot. */
  readonly offersDropped: number;
  readonly lastTransferMs: number | null;
}

interface PeerTransfers {
  inFlight: { index: number; term: number; cancel: () => void } | null;
  delivered: { index: number; term: number; atMs: number } | null;
}

export class SnapshotSender {
  private readonly peers = new Map<number, PeerTransfers>();
  private readonly chunkBytes: number;
  private readonly transferTimeoutMs: number;
  private readonly resendAfterMs: number;
  private readonly clock: () => number;
  private closed = false;
  private counters = {
    transfersStarted: 0,
    transfersDelivered: 0,
    transfersFailed: 0,
    chunksSent: 0,
    bytesSent: 0,
    offersDropped: 0,
    lastTransferMs: null as number | null,
  };

  constructor(private readonly options: SnapshotSenderOptions) {
    this.chunkBytes = options.chunkBytes ?? SNAPSHOT_SENDER_DEFAULTS.chunkBytes;
    this.transferTimeoutMs = options.transferTimeoutMs ?? SNAPSHOT_SENDER_DEFAULTS.transferTimeoutMs;
    this.resendAfterMs = options.resendAfterMs ?? SNAPSHOT_SENDER_DEFAULTS.resendAfterMs;
    this.clock = options.clock ?? Date.now;
    if (!Number.isSafeInteger(this.chunkBytes) || this.chunkBytes < 1)
      throw new RangeError(`snapshot chunkBytes must be a positive integer, got ${this.chunkBytes}`);
  }

  stats(): SnapshotSenderStats {
    return { ...this.counters };
  }

  /** Starts streaming `message` to its peer through `client`, unless the rules above drop it. Never throws. */
  offer(message: InstallSnapshot, client: RaftPeerClient): void {
    if (this.closed) return;
    const { index, term } = message.snapshot.metadata;
    let peer = this.peers.get(message.to);
    if (peer === undefined) this.peers.set(message.to, (peer = { inFlight: null, delivered: null }));
    const nowMs = this.clock();
    const justDelivered =
      peer.delivered !== null &&
      peer.delivered.index === index &&
      peer.delivered.term === term &&
      nowMs - peer.delivered.atMs < this.resendAfterMs;
    if (peer.inFlight !== null || justDelivered) {
      this.counters.offersDropped++;
      return;
    }
    this.start(peer, message, client, nowMs);
  }

  /** Cancels every running transfer. */
  close(): void {
    this.closed = true;
    for (const peer of this.peers.values()) peer.inFlight?.cancel();
  }

  private start(peer: PeerTransfers, message: InstallSnapshot, client: RaftPeerClient, startedMs: number): void {
    const { index, term } = message.snapshot.metadata;
    const bytes = encodeRaftMessage(message);
    this.counters.transfersStarted++;
    const log = this.options.logger;
    log?.info({ peer: message.to, index, term, sizeBytes: bytes.length }, 'streaming raft snapshot to peer');
    let settled = false;
    const call = client.SendSnapshot(
      new Metadata(),
      { deadline: new Date(startedMs + this.transferTimeoutMs) },
      (error) => {
        settled = true;
        peer.inFlight = null;
        if (error !== null) {
          this.counters.transfersFailed++;
          log?.warn(
            { peer: message.to, index, err: error },
            'raft snapshot transfer failed; the leader offers it again',
          );
          return;
        }
        const doneMs = this.clock();
        this.counters.transfersDelivered++;
        this.counters.lastTransferMs = doneMs - startedMs;
        peer.delivered = { index, term, atMs: doneMs };
        log?.info({ peer: message.to, index, durationMs: doneMs - startedMs }, 'raft snapshot delivered to peer');
      },
    );
    peer.inFlight = { index, term, cancel: () => call.cancel() };
    let position = 0;
    const writeMore = (): void => {
      while (!settled && position < bytes.length) {
        const end = Math.min(bytes.length, position + this.chunkBytes);
        const more = call.write({
          clusterId: this.options.clusterId,
          fromNodeId: this.options.nodeId,
          toNodeId: message.to,
          totalBytes: bytes.length,
          position,
          data: bytes.subarray(position, end),
        });
        this.counters.chunksSent++;
        this.counters.bytesSent += end - position;
        position = end;
        // Flow control: wait for the transport to take what is buffered.
        if (!more && position < bytes.length) {
          call.once('drain', writeMore);
          return;
        }
      }
      if (!settled && position === bytes.length) call.end();
    };
    // A failed call ends the stream: writes after it are dropped by grpc-js, and 'error' is
    // reported through the callback above; listen so it is never an unhandled event.
    call.on('error', () => undefined);
    writeMore();
  }
}
