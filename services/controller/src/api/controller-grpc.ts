/**
 * The gRPC face of the controller: thin handlers that hand each request to ControllerApi and
 * map ApiErrors onto gRPC status + Kafka-named trailers (runtime's mapping). FetchMetadata is
 * a server stream fed by the MetadataFeed, written with backpressure.
 */
import type {
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  loadProtos,
  serviceDefinition,
  toGrpcStatus,
  unaryHandler,
  type GrpcServiceRegistration,
  type ServerErrorReporter,
} from '@sluice/runtime';
import { CONTROLLER_PROTO_FILES } from '../client/controller-client';
import type { MetadataFeed } from '../feed/metadata-feed';
import { int64, type ControllerApi } from './controller-api';
import type * as pb from './proto-types';

let cachedDefinition: ServiceDefinition | undefined;

export function controllerServiceDefinition(): ServiceDefinition {
  cachedDefinition ??= serviceDefinition(loadProtos(CONTROLLER_PROTO_FILES), 'sluice.v1.Controller');
  return cachedDefinition;
}

export interface ControllerGrpcDeps {
  readonly api: ControllerApi;
  readonly feed: MetadataFeed;
  readonly clusterId: string;
  readonly report: ServerErrorReporter;
  /** Counts open FetchMetadata streams (metrics). */
  readonly onStream?: (delta: 1 | -1) => void;
}

function principalOf(call: { getPeer(): string }): string {
  try {
    return call.getPeer();
  } catch {
    return 'unknown';
  }
}

export function controllerService(deps: ControllerGrpcDeps): GrpcServiceRegistration {
  const { api, report } = deps;
  const unary = <Req, Res>(handle: (request: Req, principal: string) => Promise<Res> | Res) =>
    unaryHandler<Req, Res>((request, call: ServerUnaryCall<Req, Res>) => handle(request, principalOf(call)), report);
  const implementation: UntypedServiceImplementation = {
    RegisterBroker: unary((r: pb.RegisterBrokerRequest, p) => api.registerBroker(r, p)),
    BrokerHeartbeat: unary((r: pb.BrokerHeartbeatRequest, p) => api.brokerHeartbeat(r, p)),
    ControlledShutdown: unary((r: pb.ControlledShutdownRequest, p) => api.controlledShutdown(r, p)),
    AlterPartition: unary((r: pb.AlterPartitionRequest, p) => api.alterPartition(r, p)),
    AllocateProducerIds: unary((r: pb.AllocateProducerIdsRequest, p) => api.allocateProducerIds(r, p)),
    CreateTopics: unary((r: pb.CreateTopicsRequest, p) => api.createTopics(r, p)),
    DeleteTopics: unary((r: pb.DeleteTopicsRequest, p) => api.deleteTopics(r, p)),
    CreatePartitions: unary((r: pb.CreatePartitionsRequest, p) => api.createPartitions(r, p)),
    DescribeCluster: unary(() => api.describeCluster(deps.clusterId)),
    DescribeTopics: unary((r: pb.DescribeTopicsRequest) => api.describeTopics(r)),
    AlterConfigs: unary((r: pb.AlterConfigsRequest, p) => api.alterConfigs(r, p)),
    ElectLeaders: unary((r: pb.ElectLeadersRequest, p) => api.electLeaders(r, p)),
    FetchMetadata: (call: ServerWritableStream<pb.FetchMetadataRequest, pb.FetchMetadataResponse>) => {
      void streamMetadata(call, deps);
    },
  };
  return { definition: controllerServiceDefinition(), implementation };
}

async function streamMetadata(
  call: ServerWritableStream<pb.FetchMetadataRequest, pb.FetchMetadataResponse>,
  deps: ControllerGrpcDeps,
): Promise<void> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
  deps.onStream?.(1);
  try {
    const fromOffset = int64(call.request.fromOffset, 'fromOffset');
    for await (const item of deps.feed.follow(fromOffset, abort.signal)) {
      const message: pb.FetchMetadataResponse =
        item.kind === 'batch'
          ? {
              batch: {
                offset: String(item.batch.offset),
                epoch: item.batch.epoch,
                records: item.batch.frames.map((frame) =>
                  Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength),
                ),
              },
            }
          : {
              snapshotChunk: {
                lastContainedOffset: String(item.lastContainedOffset),
                lastContainedEpoch: item.lastContainedEpoch,
                position: String(item.position),
                data: Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength),
                last: item.last,
              },
            };
      if (!call.write(message)) {
        // Bounded buffering: wait for the client to drain (or go away) before reading further.
        await new Promise<void>((resolve) => {
          const done = (): void => {
            call.off('drain', done);
            abort.signal.removeEventListener('abort', done);
            resolve();
          };
          call.on('drain', done);
          abort.signal.addEventListener('abort', done);
        });
      }
    }
    call.end();
  } catch (error) {
    if (!abort.signal.aborted) call.emit('error', toGrpcStatus(error, deps.report));
  } finally {
    deps.onStream?.(-1);
    abort.abort();
  }
}
