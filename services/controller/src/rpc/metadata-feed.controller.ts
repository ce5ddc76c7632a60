/**
 * FetchMetadata: brokers, coordinators and tools follow `__cluster_metadata` as a server stream.
 * The handler writes the stream itself, reading the next item from the feed only once the
 * previous one is accepted by the call (gRPC flow control bounds what is buffered); the Observable
 * it returns completes or fails when the stream does, and its teardown (the caller went away)
 * stops the feed. A stream opened with a bearer token ends at the token's exp (KIP-368) with
 * SASL_AUTHENTICATION_FAILED; the services follow it with certificates, which keep no expiry here.
 */
import { Controller, Inject, Optional } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type { ServerWritableStream } from '@grpc/grpc-js';
import type * as pb from '@sluice/proto';
import {
  GrpcCall,
  onStreamCredentialExpiry,
  RPC_ACCESS_CONTROL,
  RpcCall,
  type RpcAccessControl,
  type RpcCallContext,
} from '@sluice/service-common';
import { Observable } from 'rxjs';
import { int64 } from '../api/controller-api';
import type { FeedItem, MetadataFeed } from '../feed/metadata-feed';
import { CONTROLLER_RPC_OPTIONS, METADATA_FEED, type ControllerRpcOptions } from './tokens';

type FetchMetadataCall = ServerWritableStream<pb.FetchMetadataRequest__Output, pb.FetchMetadataResponse>;

function toWire(item: FeedItem): pb.FetchMetadataResponse {
  return item.kind === 'batch'
    ? {
        batch: {
          offset: String(item.batch.offset),
          epoch: item.batch.epoch,
          records: item.batch.frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)),
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
}

/** Resolves once the call can take more (or the stream is being torn down). */
function drained(call: FetchMetadataCall, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done);
  });
}

@Controller()
export class MetadataFeedController {
  constructor(
    @Inject(METADATA_FEED) private readonly feed: MetadataFeed,
    @Inject(CONTROLLER_RPC_OPTIONS) private readonly options: ControllerRpcOptions,
    @Optional() @Inject(RPC_ACCESS_CONTROL) private readonly access: RpcAccessControl | null = null,
  ) {}

  @GrpcMethod('Controller', 'FetchMetadata')
  fetchMetadata(
    @Payload() request: pb.FetchMetadataRequest__Output,
    @GrpcCall() call: FetchMetadataCall,
    @RpcCall() caller: RpcCallContext,
  ): Observable<never> {
    return new Observable<never>((subscriber) => {
      const abort = new AbortController();
      this.options.onStream?.(1);
      const clearExpiry = onStreamCredentialExpiry(caller, 'FetchMetadata', this.access, (refusal) => {
        subscriber.error(refusal);
        abort.abort();
      });
      const stream = async (): Promise<void> => {
        const fromOffset = int64(request.fromOffset, 'fromOffset');
        for await (const item of this.feed.follow(fromOffset, abort.signal)) {
          if (!call.write(toWire(item))) await drained(call, abort.signal);
        }
      };
      stream().then(
        () => subscriber.complete(),
        (error: unknown) => (abort.signal.aborted ? subscriber.complete() : subscriber.error(error)),
      );
      return () => {
        clearExpiry();
        abort.abort();
        this.options.onStream?.(-1);
      };
    });
  }
}
