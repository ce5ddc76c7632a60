/**
 * The gRPC face of the controller: thin handlers that hand each request to ControllerApi and
 * map ApiErrors onto gRPC status + Kafka-named trailers (@sluice/proto's mapping). FetchMetadata is
 * a server stream fed by the MetadataFeed, written with backpressure.
 */
import type { ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { serviceRegistration, toGrpcStatus } from '@sluice/proto';
import type * as pb from '@sluice/proto';
import type { GrpcServiceRegistration, ServerErrorReporter } from '@sluice/proto';
import { unaryHandler } from '@sluice/runtime';
import type { MetadataFeed } from '../feed/metadata-feed';
import { int64, type ControllerApi } from './controller-api';

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
  const handlers: pb.ControllerHandlers = {
    RegisterBroker: unary((r, p) => api.registerBroker(r, p)),
    BrokerHeartbeat: unary((r, p) => api.brokerHeartbeat(r, p)),
    ControlledShutdown: unary((r, p) => api.controlledShutdown(r, p)),
    AlterPartition: unary((r, p) => api.alterPartition(r, p)),
    AllocateProducerIds: unary((r, p) => api.allocateProducerIds(r, p)),
    CreateTopics: unary((r, p) => api.createTopics(r, p)),
    DeleteTopics: unary((r, p) => api.deleteTopics(r, p)),
    CreatePartitions: unary((r, p) => api.createPartitions(r, p)),
    DescribeCluster: unary(() => api.describeCluster(deps.clusterId)),
    DescribeTopics: unary((r) => api.describeTopics(r)),
    AlterConfigs: unary((r, p) => api.alterConfigs(r, p)),
    ElectLeaders: unary((r, p) => api.electLeaders(r, p)),
    FetchMetadata: (call) => {
      void streamMetadata(call, deps);
    },
  };
  return serviceRegistration('Controller', handlers);
}

async function streamMetadata(
  call: ServerWritableStream<pb.FetchMetadataRequest__Output, pb.FetchMetadataResponse>,
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
