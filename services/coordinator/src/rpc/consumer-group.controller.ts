/**
 * Consumer groups (KIP-848) as members see them: finding the coordinator, heartbeats (join,
 * reconcile, leave) and committed offsets. Thin: CoordinatorApi turns each request into
 * operations of the owning group shard.
 */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload, RpcException } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import type * as pb from '@sluice/proto';
import {
  onStreamCredentialExpiry,
  RPC_ACCESS_CONTROL,
  RpcCall,
  type RpcAccessControl,
  type RpcCallContext,
} from '@sluice/service-common';
import type { CoordinatorApi } from '../node/coordinator-api';
import { COORDINATOR_API } from './tokens';

/** gRPC's status code 8 (grpc-js is not a dependency of this service; the code is fixed by gRPC). */
const GRPC_RESOURCE_EXHAUSTED = 8;

@Controller()
export class ConsumerGroupController {
  constructor(
    @Inject(COORDINATOR_API) private readonly api: CoordinatorApi,
    @Inject(RPC_ACCESS_CONTROL) private readonly access: RpcAccessControl | null,
  ) {}

  @GrpcMethod('Coordinator', 'FindCoordinator')
  findCoordinator(@Payload() request: pb.FindCoordinatorRequest__Output): pb.FindCoordinatorResponse {
    return this.api.findCoordinator(request);
  }

  @GrpcMethod('Coordinator', 'ConsumerGroupHeartbeat')
  heartbeat(
    @Payload() request: pb.ConsumerGroupHeartbeatRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.ConsumerGroupHeartbeatResponse> {
    return this.api.heartbeat(request, call.phases);
  }

  /**
   * A member's wake-up stream (see member-wakeups.ts); refused streams are RESOURCE_EXHAUSTED. A
   * stream opened with a token ends at the token's exp (KIP-368) with SASL_AUTHENTICATION_FAILED;
   * the member reopens it with a fresh token.
   */
  @GrpcMethod('Coordinator', 'ConsumerGroupWakeups')
  wakeups(
    @Payload() request: pb.ConsumerGroupWakeupsRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Observable<pb.ConsumerGroupWakeupsResponse> {
    return new Observable<pb.ConsumerGroupWakeupsResponse>((subscriber) => {
      try {
        const close = this.api.openWakeups(request, {
          send: (wakeup) => subscriber.next(wakeup),
          end: () => subscriber.complete(),
        });
        if (close === null) {
          subscriber.error(
            new RpcException({
              code: GRPC_RESOURCE_EXHAUSTED,
              message: 'this coordinator holds its maximum of wake-up streams; heartbeat on the interval',
            }),
          );
          return undefined;
        }
        // The timer is cleared when the stream ends any other way (teardown below).
        const clearExpiry = onStreamCredentialExpiry(call, 'ConsumerGroupWakeups', this.access, (refusal) => {
          close();
          subscriber.error(refusal);
        });
        return () => {
          clearExpiry();
          close();
        };
      } catch (error) {
        subscriber.error(error);
        return undefined;
      }
    });
  }

  @GrpcMethod('Coordinator', 'OffsetCommit')
  offsetCommit(
    @Payload() request: pb.OffsetCommitRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.OffsetCommitResponse> {
    return this.api.offsetCommit(request, call.phases);
  }

  @GrpcMethod('Coordinator', 'OffsetFetch')
  offsetFetch(
    @Payload() request: pb.OffsetFetchRequest__Output,
    @RpcCall() call: RpcCallContext,
  ): Promise<pb.OffsetFetchResponse> {
    return this.api.offsetFetch(request, call.phases);
  }
}
