/**
 * Writing records: unary Produce, the ordered ProduceStream producers keep one of per broker,
 * ProduceRecords for plain gRPC clients, and the idempotent producer's InitProducerId.
 *
 * ProduceStream is a bidirectional stream whose messages are requests of their own: the handler
 * takes the raw call (`@GrpcStreamCall`) because order and backpressure are the point (see
 * produce-stream.ts), counts each message through RpcMetrics, and resolves when the stream
 * closes. Nest's per-call work (guard, interceptors) runs once per stream, not per batch.
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, GrpcStreamCall, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import {
  CountsEachMessage,
  RPC_ACCESS_CONTROL,
  RpcCall,
  checkStreamCredential,
  isStreamCredentialExpired,
  rpcCallContextOfCall,
  streamCallerOf,
  RpcMetrics,
  type RpcAccessControl,
  type RpcCallContext,
} from '@sluice/service-common';
import { serveProduceStream, type ProduceStreamCall } from '../node/produce-stream';
import type { BrokerRequests } from './broker-requests';
import { BROKER_REQUESTS, PRODUCE_STREAM_SETTINGS, type ProduceStreamSettings } from './tokens';

@Controller()
export class ProduceController {
  constructor(
    @Inject(BROKER_REQUESTS) private readonly broker: BrokerRequests,
    @Inject(PRODUCE_STREAM_SETTINGS) private readonly streamSettings: ProduceStreamSettings,
    private readonly metrics: RpcMetrics,
    @Inject(RPC_ACCESS_CONTROL) private readonly access: RpcAccessControl | null,
  ) {}

  @GrpcMethod('Broker', 'Produce')
  produce(@Payload() request: pb.ProduceRequest__Output, @RpcCall() call: RpcCallContext): Promise<pb.ProduceResponse> {
    return this.broker.produce(request, call.phases);
  }

  @GrpcStreamCall('Broker', 'ProduceStream')
  @CountsEachMessage()
  produceStream(call: ProduceStreamCall): Promise<void> {
    // The guards authenticated the stream once; each message is a request of its own and is
    // authorized on its own (an ACL removed mid-stream refuses the next message).
    // A token's stream holds until the token's exp (KIP-368): a later message is refused, changing
    // nothing, and serveProduceStream ends the stream once what it had taken is answered.
    const caller = streamCallerOf(call, this.access?.enabled === true, 'ProduceStream');
    const authenticated = rpcCallContextOfCall(call);
    return serveProduceStream(call, {
      ...this.streamSettings,
      // measure() calls appendProduce synchronously, so the stream's arrival order holds.
      endsStream: isStreamCredentialExpired,
      append: (request) => {
        // Synchronously, so the refusal ends the stream before the next message is looked at.
        checkStreamCredential(authenticated, 'ProduceStream', this.access);
        return this.metrics.measure('ProduceStream', (phases) => {
          if (caller !== undefined) this.access?.checkProduce(caller, request);
          return this.broker.appendProduce(request, phases);
        });
      },
    });
  }

  @GrpcMethod('Broker', 'ProduceRecords')
  produceRecords(
    @Payload() request: pb.ProduceRecordsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ProduceRecordsResponse> {
    return this.broker.produceRecords(request, call.phases);
  }

  @GrpcMethod('Broker', 'InitProducerId')
  initProducerId(@Payload() request: pb.InitProducerIdRequest__Output): Promise<pb.InitProducerIdResponse> {
    return this.broker.initProducerId(request);
  }
}
