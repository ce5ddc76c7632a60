/**
 * `GrpcRaftTransport`: Raft messages to peers over `sluice.v1.RaftPeer/Send`.
 *
 * One channel per peer; one call in flight per peer, carrying everything queued for it (so
 * messages to a peer stay in order and bursts are batched); a bounded queue per peer (messages
 * beyond it are dropped: Raft retries through heartbeats, probes and timeouts). `send` only
 * encodes and enqueues, so it never blocks the Ready loop. A failed call drops its batch.
 * InstallSnapshot messages take their own path, `SendSnapshot` streams (snapshot-sender.ts).
 *
 * It also watches each peer's channel: when an established connection closes (READY -> anything
 * else; a peer killed with -9 has its sockets closed by the kernel at once) it tells the
 * listener registered with `onPeerConnectionLost`, which is how followers learn of a dead leader
 * within milliseconds instead of an election timeout of silence.
 */
import { connectivityState } from '@grpc/grpc-js';
import type { ChannelOptions } from '@grpc/grpc-js';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import type { RaftPeerClient, RaftPeerSendRequest } from '@sluice/proto';
import type { Message } from '@sluice/raft';
import type { ApiError } from '@sluice/protocol';
import { encodeRaftMessage } from './message-codec';
import type { RaftLogger, RaftTransport } from './raft-driver';
import { SnapshotSender, type SnapshotSenderOptions, type SnapshotSenderStats } from './snapshot-sender';

export interface GrpcRaftTransportOptions {
  readonly nodeId: number;
  /** Peer id -> `host:port`; this node's own entry, if present, is ignored. */
  readonly peers: ReadonlyMap<number, string>;
  /** Sent in every envelope; receivers of another cluster refuse it. '' = unchecked. */
  readonly clusterId?: string;
  /** Deadline of one Send call. Default 1,000 ms (`controller.quorum.request.timeout.ms`). */
  readonly requestTimeoutMs?: number;
  /** Default 1,024 messages. */
  readonly maxQueuedMessagesPerPeer?: number;
  /** Default 32 MiB. */
  readonly maxQueuedBytesPerPeer?: number;
  /** Bytes per Send call (a single larger message still goes alone). Default 8 MiB. */
  readonly maxCallBytes?: number;
  /** Snapshots go by SendSnapshot in chunks (see snapshot-sender.ts); its chunk size, timeout, resend pause. */
  readonly snapshot?: Omit<SnapshotSenderOptions, 'nodeId' | 'clusterId' | 'logger'>;
  readonly channelOptions?: ChannelOptions;
  readonly logger?: RaftLogger;
}

export const GRPC_RAFT_TRANSPORT_DEFAULTS = Object.freeze({
  requestTimeoutMs: 1_000,
  maxQueuedMessagesPerPeer: 1_024,
  maxQueuedBytesPerPeer: 32 * 1024 * 1024,
  maxCallBytes: 8 * 1024 * 1024,
});

/** Repeated failures to one peer are logged at most this often. */
const FAILURE_LOG_INTERVAL_MS = 5_000;

interface PeerChannel {
  readonly id: number;
  readonly address: string;
  readonly client: RaftPeerClient;
  queue: Buffer[];
  queuedBytes: number;
  inFlight: boolean;
  lastFailureLogMs: number;
}

export interface GrpcRaftTransportStats {
  readonly sentMessages: number;
  /** Established connections to peers that closed (each reported to the lost-connection listener). */
  readonly connectionsLost: number;
  readonly droppedQueueFull: number;
  readonly droppedUnknownPeer: number;
  readonly droppedFailedCall: number;
  readonly failedCalls: number;
}

export class GrpcRaftTransport implements RaftTransport {
  private readonly peers = new Map<number, PeerChannel>();
  private readonly requestTimeoutMs: number;
  private readonly maxQueuedMessages: number;
  private readonly maxQueuedBytes: number;
  private readonly maxCallBytes: number;
  private readonly snapshots: SnapshotSender;
  private closed = false;
  private connectionLostListener: ((peerId: number) => void) | null = null;
  private counters = {
    sentMessages: 0,
    connectionsLost: 0,
    droppedQueueFull: 0,
    droppedUnknownPeer: 0,
    droppedFailedCall: 0,
    failedCalls: 0,
  };

  constructor(private readonly options: GrpcRaftTransportOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? GRPC_RAFT_TRANSPORT_DEFAULTS.requestTimeoutMs;
    this.maxQueuedMessages = options.maxQueuedMessagesPerPeer ?? GRPC_RAFT_TRANSPORT_DEFAULTS.maxQueuedMessagesPerPeer;
    this.maxQueuedBytes = options.maxQueuedBytesPerPeer ?? GRPC_RAFT_TRANSPORT_DEFAULTS.maxQueuedBytesPerPeer;
    this.maxCallBytes = options.maxCallBytes ?? GRPC_RAFT_TRANSPORT_DEFAULTS.maxCallBytes;
    this.snapshots = new SnapshotSender({
      ...options.snapshot,
      nodeId: options.nodeId,
      clusterId: options.clusterId ?? '',
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    for (const [id, address] of options.peers) {
      if (id === options.nodeId) continue;
      const client = createGrpcClient('RaftPeer', address, options.channelOptions);
      const peer: PeerChannel = {
        id,
        address,
        client,
        queue: [],
        queuedBytes: 0,
        inFlight: false,
        lastFailureLogMs: 0,
      };
      this.peers.set(id, peer);
      this.watchConnectivity(peer, client.getChannel().getConnectivityState(false));
    }
  }

  onPeerConnectionLost(listener: (peerId: number) => void): void {
    this.connectionLostListener = listener;
  }

  /** Reports READY -> not READY transitions of `peer`'s channel, until the transport closes. */
  private watchConnectivity(peer: PeerChannel, current: connectivityState): void {
    if (this.closed) return;
    const channel = peer.client.getChannel();
    // No deadline: no timer to keep the process alive; closing the channel (SHUTDOWN) ends the watch.
    channel.watchConnectivityState(current, Infinity, () => {
      if (this.closed) return;
      const next = channel.getConnectivityState(false);
      if (current === connectivityState.READY && next !== connectivityState.READY) {
        this.counters.connectionsLost++;
        this.connectionLostListener?.(peer.id);
      }
      this.watchConnectivity(peer, next);
    });
  }

  send(messages: readonly Message[]): void {
    if (this.closed) return;
    const touched = new Set<PeerChannel>();
    for (const message of messages) {
      const peer = this.peers.get(message.to);
      if (peer === undefined) {
        this.counters.droppedUnknownPeer++;
        continue;
      }
      if (message.type === 'snapshot') {
        // Streamed in chunks beside the Send path, never queued behind (or in front of) it.
        this.snapshots.offer(message, peer.client);
        continue;
      }
      const bytes = encodeRaftMessage(message);
      // One message larger than the byte bound still goes when the queue is empty; otherwise it
      // could never be delivered.
      const overBytes = peer.queue.length > 0 && peer.queuedBytes + bytes.length > this.maxQueuedBytes;
      if (peer.queue.length >= this.maxQueuedMessages || overBytes) {
        this.counters.droppedQueueFull++;
        this.warnRateLimited(peer, 'raft send queue to peer full; dropping (raft retries)', {
          queued: peer.queue.length,
          queuedBytes: peer.queuedBytes,
        });
        continue;
      }
      peer.queue.push(bytes);
      peer.queuedBytes += bytes.length;
      touched.add(peer);
    }
    for (const peer of touched) this.flush(peer);
  }

  stats(): GrpcRaftTransportStats {
    return { ...this.counters };
  }

  /** The snapshot streams' counters (transfers, chunks, bytes, offers dropped, last duration). */
  snapshotStats(): SnapshotSenderStats {
    return this.snapshots.stats();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.snapshots.close();
    for (const peer of this.peers.values()) {
      peer.queue = [];
      peer.queuedBytes = 0;
      peer.client.close();
    }
  }

  private warnRateLimited(peer: PeerChannel, message: string, fields: object): void {
    const nowMs = Date.now();
    if (nowMs - peer.lastFailureLogMs < FAILURE_LOG_INTERVAL_MS) return;
    peer.lastFailureLogMs = nowMs;
    this.options.logger?.warn({ peer: peer.id, address: peer.address, ...fields }, message);
  }

  private flush(peer: PeerChannel): void {
    if (this.closed || peer.inFlight || peer.queue.length === 0) return;
    let batchBytes = 0;
    let count = 0;
    while (count < peer.queue.length) {
      const size = (peer.queue[count] as Buffer).length;
      if (count > 0 && batchBytes + size > this.maxCallBytes) break;
      batchBytes += size;
      count++;
    }
    const batch = peer.queue.splice(0, count);
    peer.queuedBytes -= batchBytes;
    peer.inFlight = true;
    const envelope: RaftPeerSendRequest = {
      clusterId: this.options.clusterId ?? '',
      fromNodeId: this.options.nodeId,
      toNodeId: peer.id,
      messages: batch,
    };
    unaryCall(peer.client, 'Send', envelope, { timeoutMs: this.requestTimeoutMs }).then(
      () => {
        this.counters.sentMessages += batch.length;
        peer.inFlight = false;
        this.flush(peer);
      },
      (error: ApiError) => {
        this.counters.failedCalls++;
        this.counters.droppedFailedCall += batch.length;
        peer.inFlight = false;
        this.warnRateLimited(peer, 'raft send to peer failed; dropping (raft retries)', { error: error.message });
        // Do not spin on a dead peer: what is queued now is retried by the next Ready's send.
        if (!this.closed) setImmediate(() => this.flush(peer));
      },
    );
  }
}
