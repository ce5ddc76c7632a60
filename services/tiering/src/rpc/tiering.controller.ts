/** sluice.v1.Tiering: the tiered partitions' status and the scrub on request. */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import type { TieringApi } from '../node/tiering-api';
import { TIERING_API } from './tokens';

@Controller()
export class TieringController {
  constructor(@Inject(TIERING_API) private readonly api: TieringApi) {}

  @GrpcMethod('Tiering', 'DescribeTieredPartitions')
  describeTieredPartitions(
    @Payload() request: pb.DescribeTieredPartitionsRequest__Output,
  ): Promise<pb.DescribeTieredPartitionsResponse> {
    return this.api.describeTieredPartitions(request);
  }

  @GrpcMethod('Tiering', 'ScrubRemoteStorage')
  scrubRemoteStorage(@Payload() request: pb.ScrubRemoteStorageRequest__Output): Promise<pb.ScrubRemoteStorageResponse> {
    return this.api.scrubRemoteStorage(request);
  }
}
