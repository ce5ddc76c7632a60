/** What the coordinator wrote: the batches of __consumer_offsets-0, read from the broker's log. */
import { unaryCall } from '@sluice/proto';
import type * as wire from '@sluice/proto';
import { RecordBatchView } from '@sluice/protocol';
import { OFFSETS_TOPIC } from '../../src/node/coordinator-node';

const MAX_BYTES = 64 * 1024 * 1024;

/** The batches of __consumer_offsets-0, from its start to the high watermark. */
export async function offsetsBatches(broker: wire.BrokerClient): Promise<RecordBatchView[]> {
  const response = await unaryCall(
    broker,
    'Fetch',
    {
      replicaId: -1,
      replicaEpoch: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: MAX_BYTES,
      topics: [
        {
          name: OFFSETS_TOPIC,
          partitions: [
            {
              partition: 0,
              fetchOffset: 0,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: MAX_BYTES,
            },
          ],
        },
      ],
    },
    { timeoutMs: 10_000 },
  );
  const result = response.topics[0]!.partitions[0]!;
  if (result.errorName !== '')
    throw new Error(`reading ${OFFSETS_TOPIC}-0: ${result.errorName} ${result.errorMessage}`);
  const views: RecordBatchView[] = [];
  for (let at = 0; at < result.records.length;) {
    const view = RecordBatchView.at(result.records, at);
    views.push(view);
    at += view.sizeBytes;
  }
  return views;
}
