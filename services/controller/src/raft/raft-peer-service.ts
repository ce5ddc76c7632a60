/**
 * The receiving side of `sluice.v1.RaftPeer` (proto/sluice/v1/raft.proto), as a plain object so
 * it can be registered on a raw grpc-js server (`raftPeerServiceRegistration`) or called from a
 * NestJS `@GrpcMethod('RaftPeer', 'Send')` controller (`RaftPeerHandler.send`).
 *
 * An envelope is checked as a whole (cluster, addressee, every message decodes and names the
 * envelope's sender and receiver) before any of its messages reaches Raft: a bad envelope
 * changes nothing.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ApiError } from '@sluice/protocol';
import type { Message } from '@sluice/raft';
import { loadProtos, serviceDefinition, unaryHandler } from '@sluice/runtime';
import type { GrpcServiceRegistration } from '@sluice/runtime';
import { decodeRaftMessage, RaftCodecError } from './message-codec';
import type { RaftLogger } from './raft-driver';

export const RAFT_PROTO_FILE = 'sluice/v1/raft.proto';
export const RAFT_PEER_SERVICE_NAME = 'sluice.v1.RaftPeer';

/** `RaftEnvelope` as proto-loader presents it (camelCase fields, bytes as Buffer). */
export interface RaftEnvelope {
  clusterId: string;
  fromNodeId: number;
  toNodeId: number;
  messages: Uint8Array[];
}

export type RaftAck = Record<string, never>;

/** Bound on messages in one envelope; the sender batches far fewer. */
export const MAX_MESSAGES_PER_ENVELOPE = 4_096;

let cachedPackage: PackageDefinition | null = null;

export function raftPackageDefinition(): PackageDefinition {
  cachedPackage ??= loadProtos([RAFT_PROTO_FILE]);
  return cachedPackage;
}

export function raftPeerServiceDefinition(): ServiceDefinition {
  return serviceDefinition(raftPackageDefinition(), RAFT_PEER_SERVICE_NAME);
}

export interface RaftPeerHandlerOptions {
  readonly nodeId: number;
  /** '' or undefined: do not check. */
  readonly clusterId?: string;
  /** Where decoded messages go, typically `driver.receive`. Called synchronously, in order. */
  readonly receive: (message: Message) => void;
  readonly logger?: RaftLogger;
}

export interface RaftPeerHandler {
  /** Validates and delivers one envelope; throws an ApiError for a bad one. */
  send(envelope: RaftEnvelope): RaftAck;
}

export function createRaftPeerHandler(options: RaftPeerHandlerOptions): RaftPeerHandler {
  return {
    send(envelope: RaftEnvelope): RaftAck {
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
}

/** For a raw grpc-js server (`startGrpcServer({ services: [raftPeerServiceRegistration(handler)] })`). */
export function raftPeerServiceRegistration(handler: RaftPeerHandler, logger?: RaftLogger): GrpcServiceRegistration {
  return {
    definition: raftPeerServiceDefinition(),
    implementation: {
      Send: unaryHandler<RaftEnvelope, RaftAck>(
        (envelope) => handler.send(envelope),
        (error, referenceId) => logger?.error({ err: error, referenceId }, 'RaftPeer/Send failed'),
      ),
    },
  };
}
