/**
 * The receiving side of `RaftPeer/SendSnapshot`: one streamed InstallSnapshot message, its
 * encoded bytes reassembled from in-order chunks, checked as a whole, then handed to Raft like
 * any message from `Send`.
 *
 * Bounds: one transfer per sender at a time; at most `maxSnapshotBytes` per transfer (the
 * buffer is allocated once, at the size the first chunk announces, so a peer cannot make this
 * node grow a buffer piece by piece). A stream that breaks off, skips or overlaps bytes, changes
 * its envelope midway or ends short delivers nothing: the leader sends the snapshot again.
 */
import { ApiError } from '@sluice/protocol';
import type { RaftPeerSendSnapshotRequest__Output } from '@sluice/proto';
import type { Message } from '@sluice/raft';
import { decodeRaftMessage, RaftCodecError } from './message-codec';

/** Default bound on one streamed snapshot message (a 2M-partition image is about 130 MiB). */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024;

export interface SnapshotReceiverOptions {
  readonly nodeId: number;
  /** '' or undefined: do not check. */
  readonly clusterId?: string;
  readonly maxSnapshotBytes?: number;
  /** The voters this node accepts a snapshot from (the configured quorum); undefined: any other node. */
  readonly voterIds?: ReadonlySet<number>;
  /** Where the decoded message goes (the driver's receive). */
  readonly receive: (message: Message) => void;
}

export class SnapshotReceiver {
  private readonly receiving = new Set<number>();
  private readonly maxSnapshotBytes: number;

  constructor(private readonly options: SnapshotReceiverOptions) {
    this.maxSnapshotBytes = options.maxSnapshotBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES;
  }

  /** Consumes one stream; resolves once its message is delivered, throws an ApiError for a bad one. */
  async receive(chunks: AsyncIterable<RaftPeerSendSnapshotRequest__Output>): Promise<void> {
    let buffer: Buffer | undefined;
    let first: RaftPeerSendSnapshotRequest__Output | undefined;
    let received = 0;
    try {
      for await (const chunk of chunks) {
        if (first === undefined) {
          this.checkEnvelope(chunk);
          const total = this.totalBytes(chunk);
          if (this.receiving.has(chunk.fromNodeId))
            throw new ApiError(
              'INVALID_REQUEST',
              `a snapshot from node ${chunk.fromNodeId} is already being received; one at a time`,
            );
          this.receiving.add(chunk.fromNodeId);
          first = chunk;
          buffer = Buffer.allocUnsafe(total);
        } else if (
          chunk.fromNodeId !== first.fromNodeId ||
          chunk.toNodeId !== first.toNodeId ||
          chunk.clusterId !== first.clusterId ||
          String(chunk.totalBytes) !== String(first.totalBytes)
        ) {
          throw new ApiError('INVALID_REQUEST', 'the envelope of a snapshot stream changed midway');
        }
        const position = Number(chunk.position);
        const data = chunk.data ?? Buffer.alloc(0);
        if (position !== received)
          throw new ApiError('INVALID_REQUEST', `snapshot chunk at byte ${chunk.position}, expected ${received}`);
        if (received + data.length > (buffer as Buffer).length)
          throw new ApiError(
            'INVALID_REQUEST',
            `snapshot chunks exceed the announced ${(buffer as Buffer).length} bytes`,
          );
        (buffer as Buffer).set(data, received);
        received += data.length;
      }
      if (first === undefined || buffer === undefined)
        throw new ApiError('INVALID_REQUEST', 'a snapshot stream with no chunk');
      if (received !== buffer.length)
        throw new ApiError('INVALID_REQUEST', `snapshot stream ended at byte ${received} of ${buffer.length}`);
      const message = this.decode(buffer, first);
      this.options.receive(message);
    } finally {
      if (first !== undefined) this.receiving.delete(first.fromNodeId);
    }
  }

  private checkEnvelope(chunk: RaftPeerSendSnapshotRequest__Output): void {
    const expectedCluster = this.options.clusterId ?? '';
    if (expectedCluster !== '' && chunk.clusterId !== expectedCluster)
      throw new ApiError(
        'INCONSISTENT_CLUSTER_ID',
        `raft snapshot from cluster ${JSON.stringify(chunk.clusterId)}, this is cluster ${expectedCluster}`,
      );
    if (chunk.toNodeId !== this.options.nodeId)
      throw new ApiError(
        'INVALID_REQUEST',
        `raft snapshot for node ${chunk.toNodeId} reached node ${this.options.nodeId}`,
      );
    const voters = this.options.voterIds;
    if (chunk.fromNodeId === this.options.nodeId || (voters !== undefined && !voters.has(chunk.fromNodeId)))
      throw new ApiError('INVALID_REQUEST', `node ${chunk.fromNodeId} is not another voter of this quorum`);
  }

  private totalBytes(chunk: RaftPeerSendSnapshotRequest__Output): number {
    const total = Number(chunk.totalBytes);
    if (!Number.isSafeInteger(total) || total <= 0 || total > this.maxSnapshotBytes)
      throw new ApiError(
        'INVALID_REQUEST',
        `snapshot of ${chunk.totalBytes} bytes: expected 1..${this.maxSnapshotBytes} bytes`,
      );
    return total;
  }

  private decode(buffer: Buffer, envelope: RaftPeerSendSnapshotRequest__Output): Message {
    let message: Message;
    try {
      message = decodeRaftMessage(buffer);
    } catch (error) {
      if (error instanceof RaftCodecError)
        throw new ApiError('CORRUPT_MESSAGE', `raft snapshot from node ${envelope.fromNodeId}: ${error.message}`);
      throw error;
    }
    if (message.type !== 'snapshot')
      throw new ApiError('INVALID_REQUEST', `SendSnapshot carried a ${message.type} message, not a snapshot`);
    if (message.from !== envelope.fromNodeId || message.to !== envelope.toNodeId)
      throw new ApiError(
        'INVALID_REQUEST',
        `raft snapshot is ${message.from}->${message.to}, envelope is ${envelope.fromNodeId}->${envelope.toNodeId}`,
      );
    return message;
  }
}
