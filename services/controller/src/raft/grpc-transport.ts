/**
 * `GrpcRaftTransport`: Raft messages to peers over `sluice.v1.RaftPeer`.
 *
 * One channel per peer and, on it, one long-lived `Stream` call carrying every envelope for that
 * peer (so messages to a peer stay in order and a heartbeat costs one HTTP/2 DATA frame, not a
 * call: the unary call per batch with its headers, trailers, deadline timer and the receiver's
 * per-call work was most of an idle controller's CPU). Everything queued for a peer goes as one
 * envelope while the stream takes writes; when it pushes back (HTTP/2 flow control) the queue
 * waits for 'drain', and a stream that does not drain within the request timeout is cancelled
 * (a hung peer). A bounded queue per peer (messages beyond it are dropped: Raft retries through
 * heartbeats, probes and timeouts). `send` only encodes and enqueues, so it never blocks the
 * Ready loop. A broken stream drops what was written to it; the next send opens a new one.
 * A peer that answers `Stream` with UNIMPLEMENTED (an older controller) gets unary `Send` calls,
 * one in flight at a time, until `streamRetryMs` later. InstallSnapshot messages take their own
 * path, `SendSnapshot` streams (snapshot-sender.ts).
 *
 * It also watches each peer's channel: when an established connection closes (READY -> anything
 * else; a peer killed with -9 has its sockets closed by the kernel at once) it tells the
 * listener registered with `onPeerConnectionLost`, which is how followers learn of a dead leader
 * within milliseconds instead of an election timeout of silence.
 */
import { connectivityState, status as GrpcStatus } from '@grpc/grpc-js';
import type { ChannelOptions, ClientWritableStream, ServiceError } from '@grpc/grpc-js';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import type { RaftPeerClient, RaftPeerSendRequest, RaftPeerStreamRequest } from '@sluice/proto';
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
  /**
   * Deadline of one Send call, and how long a stream may hold back writes (not drain) before it
   * is cancelled. Default 1,000 ms (`controller.quorum.request.timeout.ms`).
   */
  readonly requestTimeoutMs?: number;
  /** false: unary Send calls only (as before Stream existed). Default true. */
  readonly useStream?: boolean;
  /** After a peer answered Stream with UNIMPLEMENTED, Send is used this long before Stream is tried again. Default 30 s. */
  readonly streamRetryMs?: number;
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
  streamRetryMs: 30_000,
});

/** Repeated failures to one peer are logged at most this often. */
const FAILURE_LOG_INTERVAL_MS = 5_000;

interface PeerChannel {
  readonly id: number;
  readonly address: string;
  readonly client: RaftPeerClient;
  queue: Buffer[];
  queuedBytes: number;
  /** A unary Send call is in flight (the fallback path). */
  inFlight: boolean;
  /** The open Stream call, if any. */
  stream: ClientWritableStream<RaftPeerStreamRequest> | null;
  /** The stream pushed back: nothing more is written until it drains. */
  awaitingDrain: boolean;
  /** Cancels the stream if it has not drained within the request timeout. */
  drainTimer: ReturnType<typeof setTimeout> | null;
  /** Stream is not tried before this time (the peer answered UNIMPLEMENTED). */
  streamRetryAtMs: number;
  lastFailureLogMs: number;
}

export interface GrpcRaftTransportStats {
  /** Messages written to a stream, or answered on a Send call. */
  readonly sentMessages: number;
  readonly streamsOpened: number;
  /** Streams that ended with an error (a refused envelope, a broken connection, a cancelled stall). */
  readonly streamsFailed: number;
  /** Streams cancelled because they did not drain within the request timeout. */
  readonly streamsStalled: number;
  /** Times a peer answered Stream with UNIMPLEMENTED and got Send calls instead. */
  readonly streamFallbacks: number;
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
  private readonly useStream: boolean;
  private readonly streamRetryMs: number;
  private readonly snapshots: SnapshotSender;
  private closed = false;
  private connectionLostListener: ((peerId: number) => void) | null = null;
  private counters = {
    sentMessages: 0,
    streamsOpened: 0,
    streamsFailed: 0,
    streamsStalled: 0,
    streamFallbacks: 0,
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
    this.useStream = options.useStream ?? true;
    this.streamRetryMs = options.streamRetryMs ?? GRPC_RAFT_TRANSPORT_DEFAULTS.streamRetryMs;
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
        stream: null,
        awaitingDrain: false,
        drainTimer: null,
        streamRetryAtMs: 0,
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
        // The stream lived on that connection: end it here, so the next send opens one on the
        // next connection. (A peer shutting down sends GOAWAY and waits for open calls to end;
        // a stream kept open would hold its shutdown for the whole grace period.)
        this.endStream(peer);
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
      this.endStream(peer);
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
    if (this.closed || peer.queue.length === 0) return;
    // A unary call in flight (fallback) finishes first, so messages to a peer stay in order.
    if (peer.inFlight) return;
    if (this.useStream && Date.now() >= peer.streamRetryAtMs) this.flushToStream(peer);
    else this.flushByCall(peer);
  }

  /** Takes the next envelope's worth of queued messages (at least one, up to maxCallBytes). */
  private takeBatch(peer: PeerChannel): Buffer[] {
    let batchBytes = 0;
    let count = 0;
    while (count < peer.queue.length) {
      const size = (peer.queue[count] as Buffer).length;
      if (count > 0 && batchBytes + size > this.maxCallBytes) break;
      batchBytes += size;
      count++;
    }
    peer.queuedBytes -= batchBytes;
    return peer.queue.splice(0, count);
  }

  private flushToStream(peer: PeerChannel): void {
    if (peer.awaitingDrain) return;
    const stream = peer.stream ?? this.openStream(peer);
    while (peer.queue.length > 0) {
      const batch = this.takeBatch(peer);
      const envelope: RaftPeerStreamRequest = {
        clusterId: this.options.clusterId ?? '',
        fromNodeId: this.options.nodeId,
        toNodeId: peer.id,
        messages: batch,
      };
      const more = stream.write(envelope);
      this.counters.sentMessages += batch.length;
      if (!more) {
        // HTTP/2 flow control: the peer is not reading as fast as we write. Queue (bounded) until
        // it drains; a peer that stays stuck has its stream cancelled (the next send reopens).
        peer.awaitingDrain = true;
        peer.drainTimer = setTimeout(() => {
          if (peer.stream !== stream) return;
          this.counters.streamsStalled++;
          this.warnRateLimited(peer, 'raft stream to peer did not drain; cancelling it (raft retries)', {
            timeoutMs: this.requestTimeoutMs,
          });
          stream.cancel();
        }, this.requestTimeoutMs);
        stream.once('drain', () => {
          if (peer.stream !== stream) return;
          this.clearDrainWait(peer);
          this.flush(peer);
        });
        return;
      }
    }
  }

  private openStream(peer: PeerChannel): ClientWritableStream<RaftPeerStreamRequest> {
    this.counters.streamsOpened++;
    // No deadline: the stream lives as long as the connection (stalls are caught by the drain timer).
    const stream = peer.client.Stream((error: ServiceError | null) => {
      if (peer.stream === stream) {
        peer.stream = null;
        this.clearDrainWait(peer);
      }
      if (error === null || this.closed) return;
      this.counters.streamsFailed++;
      if (error.code === GrpcStatus.UNIMPLEMENTED) {
        // An older controller: Send calls until streamRetryMs from now.
        this.counters.streamFallbacks++;
        peer.streamRetryAtMs = Date.now() + this.streamRetryMs;
        this.options.logger?.info(
          { peer: peer.id, address: peer.address, retryMs: this.streamRetryMs },
          'raft peer has no Stream; sending by Send calls',
        );
      } else {
        this.warnRateLimited(peer, 'raft stream to peer ended; dropping what it held (raft retries)', {
          error: error.message,
        });
      }
      // What queued behind a stall goes on the next stream (or Send); do not spin on a dead peer:
      // each attempt takes the whole queue, so this ends when the queue is empty.
      if (peer.queue.length > 0) setImmediate(() => this.flush(peer));
    });
    // Errors are reported through the callback above; listen so one is never an unhandled event.
    stream.on('error', () => undefined);
    peer.stream = stream;
    return stream;
  }

  private clearDrainWait(peer: PeerChannel): void {
    peer.awaitingDrain = false;
    if (peer.drainTimer !== null) clearTimeout(peer.drainTimer);
    peer.drainTimer = null;
  }

  private endStream(peer: PeerChannel): void {
    const stream = peer.stream;
    if (stream === null) return;
    peer.stream = null;
    this.clearDrainWait(peer);
    stream.cancel();
  }

  private flushByCall(peer: PeerChannel): void {
    const batch = this.takeBatch(peer);
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
