/**
 * Reading records and offsets: Fetch (consumers and follower replicas; a long poll), the
 * followers' ReplicaFetchStream (their Fetch on one long-lived stream, see
 * node/replica-fetch-stream.ts), the consumers' FetchStream (node/consumer-fetch-stream.ts), FetchRecords for plain gRPC clients, ListOffsets (by timestamp
 * too) and the followers' OffsetForLeaderEpoch.
 *
 * ReplicaFetchStream takes the raw call (`@GrpcStreamCall`): the guard authorizes the stream once
 * (CLUSTER_ACTION, what a follower's Fetch needs); each message is counted through RpcMetrics and,
 * when tracing is on, gets its own server span, as a unary Fetch would. FetchStream likewise, with
 * each message authorized as a consumer's Fetch (READ on its topics) by the handler.
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall, Payload } from '@nestjs/microservices';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context as otelContext, trace } from '@opentelemetry/api';
import type * as pb from '@sluice/proto';
import {
  CountsEachMessage,
  peerHostOf,
  RPC_ACCESS_CONTROL,
  RpcCall,
  checkStreamCredential,
  rpcCallContextOfCall,
  streamCallerOf,
  RpcMetrics,
  type RpcAccessControl,
  type RpcCallContext,
} from '@sluice/service-common';
import { activeTracer } from '@sluice/tracing';
import type { ConsumerFetchStreams, FetchStreamCall } from '../node/consumer-fetch-stream';
import type { ReplicaFetchStreamCall, ReplicaFetchStreams } from '../node/replica-fetch-stream';
import type { BrokerRequests } from './broker-requests';
import { BROKER_REQUESTS, CONSUMER_FETCH_STREAMS, REPLICA_FETCH_STREAMS } from './tokens';

@Controller()
export class FetchController {
  constructor(
    @Inject(BROKER_REQUESTS) private readonly broker: BrokerRequests,
    @Inject(REPLICA_FETCH_STREAMS) private readonly replicaStreams: ReplicaFetchStreams,
    @Inject(CONSUMER_FETCH_STREAMS) private readonly consumerStreams: ConsumerFetchStreams,
    private readonly metrics: RpcMetrics,
    @Inject(RPC_ACCESS_CONTROL) private readonly access: RpcAccessControl | null,
  ) {}

  /** Consumers' reads of segment files are read by the answer's serializer into its frame (fetch-path.ts). */
  @GrpcMethod('Broker', 'Fetch')
  fetch(@Payload() request: pb.FetchRequest__Output, @RpcCall() call: RpcCallContext): Promise<pb.FetchAnswer> {
    return this.broker.fetchAnswer(request, call.phases);
  }

  @GrpcStreamCall('Broker', 'ReplicaFetchStream')
  @CountsEachMessage()
  replicaFetchStream(call: ReplicaFetchStreamCall): Promise<void> {
    const peer = peerHostOf(call.getPeer());
    // Followers authenticate with certificates (no expiry here); a token's stream holds until its exp.
    const authenticated = rpcCallContextOfCall(call);
    return this.replicaStreams.serve(call, {
      refuseStream: () => checkStreamCredential(authenticated, 'ReplicaFetchStream', this.access),
      fetch: (request, hold) =>
        this.metrics.measure('ReplicaFetchStream', (phases) =>
          traced('ReplicaFetchStream', peer, () => this.broker.fetchAnswer(request, phases, hold)),
        ),
    });
  }

  /** A consumer's Fetches on one stream (node/consumer-fetch-stream.ts); each message authorized and counted alone. */
  @GrpcStreamCall('Broker', 'FetchStream')
  @CountsEachMessage()
  fetchStream(call: FetchStreamCall): Promise<void> {
    // The guards authenticated the stream once; each message is a Fetch of its own and is
    // authorized on its own (READ on its topics; an ACL removed mid-stream refuses the next one).
    const caller = streamCallerOf(call, this.access?.enabled === true, 'FetchStream');
    const peer = peerHostOf(call.getPeer());
    // KIP-368: a message past the token's exp ends the stream (the consumer reopens with a fresh token).
    const authenticated = rpcCallContextOfCall(call);
    return this.consumerStreams.serve(call, {
      refuseStream: () => checkStreamCredential(authenticated, 'FetchStream', this.access),
      fetch: (request) =>
        this.metrics.measure('FetchStream', (phases) =>
          traced('FetchStream', peer, () => {
            if (caller !== undefined) this.access?.checkFetch(caller, request);
            return this.broker.fetchAnswer(request, phases);
          }),
        ),
    });
  }

  @GrpcMethod('Broker', 'FetchRecords')
  fetchRecords(
    @Payload() request: pb.FetchRecordsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.FetchRecordsResponse> {
    return this.broker.fetchRecords(request, call.phases);
  }

  @GrpcMethod('Broker', 'ListOffsets')
  listOffsets(
    @Payload() request: pb.ListOffsetsRequest__Output,
  ): pb.ListOffsetsResponse | Promise<pb.ListOffsetsResponse> {
    return this.broker.listOffsets(request);
  }

  @GrpcMethod('Broker', 'OffsetForLeaderEpoch')
  offsetForLeaderEpoch(
    @Payload() request: pb.OffsetForLeaderEpochRequest__Output,
  ): pb.OffsetForLeaderEpochResponse | Promise<pb.OffsetForLeaderEpochResponse> {
    return this.broker.offsetForLeaderEpoch(request);
  }
}

/** One stream message as a server span (when tracing is on), as the interceptor makes for a unary Fetch. */
async function traced<T>(method: string, peer: string, handle: () => Promise<T>): Promise<T> {
  const tracer = activeTracer('sluice-broker');
  if (tracer === undefined) return handle();
  const span = tracer.startSpan(
    `sluice.v1.Broker/${method}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': 'sluice.v1.Broker',
        'rpc.method': method,
        'network.peer.address': peer,
      },
    },
    ROOT_CONTEXT,
  );
  try {
    return await otelContext.with(trace.setSpan(ROOT_CONTEXT, span), handle);
  } catch (error) {
    const errorName = (error as { errorName?: string }).errorName ?? 'UNKNOWN_SERVER_ERROR';
    span.setAttribute('error.type', errorName);
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorName });
    throw error;
  } finally {
    span.end();
  }
}
