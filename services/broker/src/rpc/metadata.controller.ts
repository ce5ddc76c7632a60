/** The broker's view of the cluster (brokers, topics, leaders) as clients bootstrap from it. */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import type { BrokerRequests } from './broker-requests';
import { BROKER_REQUESTS } from './tokens';

@Controller()
export class MetadataController {
  constructor(@Inject(BROKER_REQUESTS) private readonly broker: BrokerRequests) {}

  @GrpcMethod('Broker', 'Metadata')
  metadata(@Payload() request: pb.MetadataRequest__Output): pb.MetadataResponse | Promise<pb.MetadataResponse> {
    return this.broker.metadata(request);
  }
}
