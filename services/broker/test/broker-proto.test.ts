import { loadProtos, serviceDefinition } from '@sluice/runtime';

describe('proto/sluice/v1/broker.proto', () => {
  it('loads and defines the Broker service with bytes records on the data path', () => {
    const definition = serviceDefinition(loadProtos(['sluice/v1/common.proto', 'sluice/v1/broker.proto']), 'sluice.v1.Broker');
    expect(Object.keys(definition).sort()).toEqual(['Fetch', 'InitProducerId', 'ListOffsets', 'Metadata', 'OffsetForLeaderEpoch', 'Produce']);
    const produce = definition.Produce!;
    const encoded = produce.requestSerialize({ acks: -1, timeoutMs: 1000, topics: [{ name: 't', partitions: [{ partition: 0, records: Buffer.from([1, 2, 3]) }] }] });
    const decoded = produce.requestDeserialize(encoded) as { topics: { partitions: { records: Buffer }[] }[] };
    expect(Buffer.isBuffer(decoded.topics[0]!.partitions[0]!.records)).toBe(true);
    expect([...decoded.topics[0]!.partitions[0]!.records]).toEqual([1, 2, 3]);
  });
});
