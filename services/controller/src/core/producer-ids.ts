/** AllocateProducerIds (Kafka's ProducerIdControlManager): hands a broker the next block of ids. */
import type { ProducerIdsRecord } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { registeredBroker } from './cluster-control';
import type { CoreContext } from './context';
import { PRODUCER_ID_BLOCK_SIZE } from './limits';
import type { ControllerResult } from './result';

export interface AllocateProducerIdsRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
}

export interface AllocateProducerIdsResponse {
  /** First id of the block. */
  readonly producerIdStart: number;
  readonly producerIdLen: number;
}

export function allocateProducerIds(
  ctx: CoreContext,
  request: AllocateProducerIdsRequest,
): ControllerResult<AllocateProducerIdsResponse> {
  registeredBroker(ctx, request.brokerId, request.brokerEpoch);
  // The image holds -1 until the first block is handed out.
  const start = Math.max(0, ctx.image.producerIds.nextProducerId);
  const next = start + PRODUCER_ID_BLOCK_SIZE;
  // Ids travel as int64 but records hold JS numbers; stop at 2^53 rather than lose precision.
  if (!Number.isSafeInteger(next)) throw new ApiError('UNKNOWN_SERVER_ERROR', 'producer ids are exhausted');
  const record: ProducerIdsRecord = {
    type: 'ProducerIds',
    brokerId: request.brokerId,
    brokerEpoch: request.brokerEpoch,
    nextProducerId: next,
  };
  return {
    records: [record],
    response: { producerIdStart: start, producerIdLen: PRODUCER_ID_BLOCK_SIZE },
    summary: `producer ids ${start}..${next - 1} allocated to broker ${request.brokerId}`,
  };
}
