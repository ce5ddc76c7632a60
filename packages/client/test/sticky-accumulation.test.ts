import { decodeRecordBatch, type RecordInput } from '@sluice/protocol';
import { RecordAccumulator } from '../src/accumulator';
import { Partitioner, type PartitionAvailability } from '../src/partitioner';

const T = 1_700_000_000_000;

/** The producer's KIP-480 loop: sticky partition, abort on a new batch, move, append again. */
function send(
  acc: RecordAccumulator,
  partitioner: Partitioner,
  partitions: PartitionAvailability[],
  record: RecordInput,
): number {
  let partition = partitioner.partition({ topic: 't', key: record.key }, partitions);
  let result = acc.append({ topic: 't', partition }, record, T, { abortOnNewBatch: record.key === null });
  if (result.kind === 'abort-for-new-batch') {
    partition = partitioner.onNewBatch('t', partitions, partition);
    result = acc.append({ topic: 't', partition }, record, T);
  }
  if (result.kind !== 'appended') throw new Error(result.kind);
  return partition;
}

describe('sticky partitioner with the accumulator (KIP-480)', () => {
  it('fills one batch per partition before moving on, so keyless batches are full', () => {
    let seed = 11;
    const partitioner = new Partitioner({ nextInt: () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) | 0) });
    const acc = new RecordAccumulator({ batchSizeBytes: 2_048, lingerMs: 1_000 });
    const partitions = Array.from({ length: 4 }, (_, partition) => ({ partition, hasLeader: true }));
    const choices = Array.from({ length: 40 }, (_, i) =>
      send(acc, partitioner, partitions, { key: null, value: Buffer.alloc(200, i), timestamp: T }),
    );
    // Runs of the same partition, each the size of a batch (61 + 8 x 236 upper-bound bytes fit 2,048; a ninth does not).
    const runs: number[] = [];
    choices.forEach((p, i) => {
      if (i > 0 && choices[i - 1] === p) runs[runs.length - 1]! += 1;
      else runs.push(1);
    });
    expect(runs.slice(0, -1).every((n) => n === 8)).toBe(true);
    const drained = acc.drain(acc.ready(T + 1_000).readyPartitions);
    for (const batch of drained) expect(decodeRecordBatch(batch.bytes).records.length).toBe(8);
    // Keyed records never abort: they go where murmur2 says, batch or no batch.
    const keyed = send(acc, partitioner, partitions, { key: Buffer.from('foobar'), value: null, timestamp: T });
    expect(keyed).toBe((-790332482 & 0x7fffffff) % 4);
  });
});
