/** Kafka's DescribeLogDirs: the broker's log directory, its space, and its replicas' sizes and lags. */
import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import type * as pb from '@sluice/proto';
import type { BrokerRequests } from './broker-requests';
import { BROKER_REQUESTS } from './tokens';

@Controller()
export class LogDirsController {
  constructor(@Inject(BROKER_REQUESTS) private readonly broker: BrokerRequests) {}

  @GrpcMethod('Broker', 'DescribeLogDirs')
  describeLogDirs(@Payload() request: pb.DescribeLogDirsRequest__Output): Promise<pb.DescribeLogDirsResponse> {
    return this.broker.describeLogDirs(request);
  }
}
