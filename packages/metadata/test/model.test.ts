import fc from 'fast-check';
import { MetadataDelta, MetadataImage, MetadataValidationError, imageRecords, type MetadataRecord } from '@sluice/metadata';
import { arbModelRecord } from './arbitraries';
import { emptyModel, modelApply, modelRecords, type Model } from './model';

type Step = { kind: 'record'; record: MetadataRecord; steer: number } | { kind: 'apply' };

const arbSteps = fc.array(
  fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('record' as const), record: arbModelRecord, steer: fc.nat() }), weight: 12 },
    { arbitrary: fc.constant<Step>({ kind: 'apply' }), weight: 1 },
  ),
  { minLength: 10, maxLength: 120, size: 'max' },
);

describe('MetadataDelta against a naive model (property)', () => {
  it('accepts and rejects exactly what the model does, and ends in the same state', () => {
    let valid = 0;
    const validByType = new Map<string, number>();
    let rejected = 0;
    fc.assert(
      fc.property(arbSteps, (steps) => {
        let model: Model = emptyModel();
        let image = MetadataImage.EMPTY;
        let delta = new MetadataDelta(image);
        let offset = 0;
        // Every image produced, with the records it had: later deltas must never change them.
        const history: [MetadataImage, MetadataRecord[]][] = [];
        for (const step of steps) {
          if (step.kind === 'apply') {
            image = delta.apply();
            expect([...imageRecords(image)]).toEqual(modelRecords(model));
            history.push([image, modelRecords(model)]);
            delta = new MetadataDelta(image);
            continue;
          }
          const record = steer(model, step.record, step.steer);
          const expected = modelApply(model, record);
          let thrown: unknown;
          try {
            delta.replay(record, { offset, epoch: 1 });
          } catch (error) {
            thrown = error;
          }
          if (typeof expected === 'string') {
            rejected++;
            expect(thrown).toBeInstanceOf(MetadataValidationError);
            expect((thrown as Error).name).toBe(expected);
          } else {
            valid++;
            validByType.set(record.type, (validByType.get(record.type) ?? 0) + 1);
            expect(thrown).toBeUndefined();
            model = expected;
          }
          offset++;
        }
        image = delta.apply();
        expect([...imageRecords(image)]).toEqual(modelRecords(model));
        for (const [old, records] of history) expect([...imageRecords(old)]).toEqual(records);
      }),
      { numRuns: 200 },
    );
    // The generator must exercise both paths substantially.
    expect(valid).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
    for (const type of ['Topic', 'RemoveTopic', 'Partition', 'PartitionChange', 'BrokerRegistration', 'Config']) {
      expect(validByType.get(type) ?? 0).toBeGreaterThan(100);
    }
  });
});

/**
 * Three times in four, bends a random record towards the model's current state (right epoch,
 * next partition id, an existing partition) so that long valid histories are common; the
 * fourth time the record stays as generated and is often invalid.
 */
function steer(model: Model, record: MetadataRecord, seed: number): MetadataRecord {
  if (seed % 4 === 0) return record;
  switch (record.type) {
    case 'BrokerRegistration':
      return { ...record, brokerEpoch: (model.brokers.get(record.brokerId)?.brokerEpoch ?? 0) + 1 + (seed % 3) };
    case 'FenceBroker':
    case 'UnfenceBroker':
    case 'UnregisterBroker':
      return { ...record, brokerEpoch: model.brokers.get(record.brokerId)?.brokerEpoch ?? record.brokerEpoch };
    case 'Partition': {
      const topic = model.topics.get(record.topicId);
      return { ...record, partitionId: topic?.partitions.length ?? record.partitionId };
    }
    case 'PartitionChange': {
      const topic = model.topics.get(record.topicId);
      const count = topic?.partitions.length ?? 0;
      if (topic === undefined || count === 0) return record;
      const partitionId = seed % count;
      const current = topic.partitions[partitionId];
      if (current === undefined) return record;
      // Keep the new ISR inside the replicas and the leader inside the ISR.
      const replicas = record.replicas !== undefined && record.replicas.length > 0 ? record.replicas : current.replicas;
      const isr = (record.isr ?? current.isr).filter((id) => replicas.includes(id));
      const leader = record.leader === undefined ? undefined : isr.includes(record.leader) ? record.leader : (isr[0] ?? -1);
      const keepLeader = leader === undefined && current.leader !== -1 && !isr.includes(current.leader);
      return {
        type: 'PartitionChange',
        topicId: record.topicId,
        partitionId,
        ...(record.replicas !== undefined ? { replicas } : {}),
        isr,
        ...(leader !== undefined ? { leader } : keepLeader ? { leader: isr[0] ?? -1 } : {}),
        ...(seed % 3 === 0 ? { eligibleLeaderReplicas: replicas.filter((id) => !isr.includes(id)).slice(0, 1) } : {}),
      };
    }
    case 'ProducerIds':
      return { ...record, nextProducerId: Math.max(model.nextProducerId, 0) + 1 + (seed % 1000) };
    default:
      return record;
  }
}
