/**
 * The receiving side of `sluice.v1.RaftPeer` (proto/sluice/v1/raft.proto), as a plain object the
 * NestJS `RaftPeerController` (`@GrpcMethod('RaftPeer', 'Send')`) delegates to.
 *
 * An envelope is checked as a whole (cluster, addressee, every message decodes and names the
 * envelope's sender and receiver) before any of its messages reaches Raft: a bad envelope
 * changes nothing. `Stream` carries the same envelopes on one long-lived call per sender; a
 * refused envelope ends that stream with its error (what came before it was delivered).
 */
import { ApiError } from '@sluice/protocol';
import type {
  RaftPeerSendRequest__Output,
  RaftPeerSendResponse,
  RaftPeerSendSnapshotRequest__Output,
  RaftPeerSendSnapshotResponse,
  RaftPeerStreamRequest__Output,
  RaftPeerStreamResponse,
} from '@sluice/proto';
import type { Message } from '@sluice/raft';
import { decodeRaftMessage, RaftCodecError } from './message-codec';
import type { RaftLogger } from './raft-driver';
import { SnapshotReceiver } from './snapshot-receiver';

/** Bound on messages in one envelope; the sender batches far fewer. */
export const MAX_MESSAGES_PER_ENVELOPE = 4_096;

export interface RaftPeerHandlerOptions {
  readonly nodeId: number;
  /** '' or undefined: do not check. */
  readonly clusterId?: string;
  /** Where decoded messages go, typically `driver.receive`. Called synchronously, in order. */
  readonly receive: (message: Message) => void;
  readonly logger?: RaftLogger;
  /** The quorum's voters: snapshots are taken only from another one of them (undefined: any other node, tests). */
  readonly voterIds?: ReadonlySet<number>;
  /** Bound on one streamed snapshot message; default DEFAULT_MAX_SNAPSHOT_BYTES. */
  readonly maxSnapshotBytes?: number;
}

/** The receiving side of one `Stream` call, as grpc-js's ServerReadableStream shows it. */
export interface RaftPeerStreamCall {
  on(event: 'data', listener: (envelope: RaftPeerStreamRequest__Output) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(event: 'data'): unknown;
  /** Stops reading what the sender still writes. */
  destroy(): unknown;
}

export interface RaftPeerHandler {
  /** Validates and delivers one envelope; throws an ApiError for a bad one. */
  send(envelope: RaftPeerSendRequest__Output): RaftPeerSendResponse;
  /**
   * Serves one `Stream` call: each envelope is validated and delivered as `send` does, in
   * arrival order. Resolves `{}` when the sender ends the stream; rejects with the first refused
   * envelope's ApiError (after stopping the stream) or NETWORK_EXCEPTION when the stream broke.
   */
  serveStream(call: RaftPeerStreamCall, checkCredential?: () => void): Promise<RaftPeerStreamResponse>;
  /** Reassembles, validates and delivers one streamed snapshot message; rejects with an ApiError. */
  sendSnapshot(chunks: AsyncIterable<RaftPeerSendSnapshotRequest__Output>): Promise<RaftPeerSendSnapshotResponse>;
}

export function createRaftPeerHandler(options: RaftPeerHandlerOptions): RaftPeerHandler {
  const snapshots = new SnapshotReceiver({
    nodeId: options.nodeId,
    ...(options.clusterId === undefined ? {} : { clusterId: options.clusterId }),
    ...(options.voterIds === undefined ? {} : { voterIds: options.voterIds }),
    ...(options.maxSnapshotBytes === undefined ? {} : { maxSnapshotBytes: options.maxSnapshotBytes }),
    receive: options.receive,
  });
  const handler: RaftPeerHandler = {
    async sendSnapshot(chunks): Promise<RaftPeerSendSnapshotResponse> {
      try {
        await snapshots.receive(chunks);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        // The stream itself failed (the peer cancelled, the connection broke): nothing delivered.
        options.logger?.warn({ err: error }, 'raft snapshot stream broke off; the leader sends it again');
        throw new ApiError(
          'NETWORK_EXCEPTION',
          `snapshot stream broke off: ${(error as Error)?.message ?? String(error)}`,
        );
      }
      return {};
    },
    serveStream(call: RaftPeerStreamCall, checkCredential?: () => void): Promise<RaftPeerStreamResponse> {
      return new Promise((resolve, reject) => {
        let settled = false;
        const settle = (error: ApiError | null): void => {
          if (settled) return;
          settled = true;
          if (error === null) {
            resolve({});
            return;
          }
          call.removeAllListeners('data');
          reject(error);
        };
        call.on('data', (envelope) => {
          if (settled) return;
          try {
            checkCredential?.();
            handler.send(envelope);
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            call.destroy();
            settle(error);
          }
        });
        call.on('end', () => settle(null));
        call.on('error', (error) => {
          // The sender cancelled or the connection broke: every envelope that arrived was delivered.
          settle(new ApiError('NETWORK_EXCEPTION', `raft stream broke off: ${error.message}`));
        });
      });
    },
    send(envelope: RaftPeerSendRequest__Output): RaftPeerSendResponse {
      const expectedCluster = options.clusterId ?? '';
      if (expectedCluster !== '' && envelope.clusterId !== '' && envelope.clusterId !== expectedCluster) {
        throw new ApiError(
          'INCONSISTENT_CLUSTER_ID',
          `raft message from cluster ${envelope.clusterId}, this is cluster ${expectedCluster}`,
        );
      }
      if (envelope.toNodeId !== options.nodeId) {
        throw new ApiError(
          'INVALID_REQUEST',
          `raft envelope for node ${envelope.toNodeId} reached node ${options.nodeId}`,
        );
      }
      // Only the quorum's other voters speak Raft to us: a stranger's vote request with a high
      // term would otherwise make this node's leader step down.
      const voters = options.voterIds;
      if (voters !== undefined && (envelope.fromNodeId === options.nodeId || !voters.has(envelope.fromNodeId))) {
        throw new ApiError('INVALID_REQUEST', `node ${envelope.fromNodeId} is not another voter of this quorum`);
      }
      const raw = envelope.messages ?? [];
      if (raw.length > MAX_MESSAGES_PER_ENVELOPE) {
        throw new ApiError(
          'INVALID_REQUEST',
          `raft envelope holds ${raw.length} messages, at most ${MAX_MESSAGES_PER_ENVELOPE}`,
        );
      }
      const messages: Message[] = [];
      raw.forEach((bytes, k) => {
        let message: Message;
        try {
          message = decodeRaftMessage(bytes);
        } catch (error) {
          if (error instanceof RaftCodecError)
            throw new ApiError(
              'CORRUPT_MESSAGE',
              `raft message ${k} from node ${envelope.fromNodeId}: ${error.message}`,
            );
          throw error;
        }
        if (message.from !== envelope.fromNodeId || message.to !== envelope.toNodeId) {
          throw new ApiError(
            'INVALID_REQUEST',
            `raft message ${k} is ${message.from}->${message.to}, envelope is ${envelope.fromNodeId}->${envelope.toNodeId}`,
          );
        }
        messages.push(message);
      });
      for (const message of messages) options.receive(message);
      return {};
    },
  };
  return handler;
}
