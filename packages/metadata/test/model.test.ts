import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import {
  MetadataDelta,
  MetadataImage,
  MetadataValidationError,
  imageRecords,
  type MetadataRecord,
} from '@sluice/metadata';
import { arbModelRecord } from './arbitraries';
import { emptyModel, modelApply, modelRecords, steer, type Model } from './model';

type Step = { kind: 'record'; record: MetadataRecord; steer: number } | { kind: 'apply' };

const arbSteps = fc.array(
  fc.oneof(
    {
      arbitrary: fc.record({ kind: fc.constant('record' as const), record: arbModelRecord, steer: fc.nat() }),
      weight: 12,
    },
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
      propertyOptions({ numRuns: 200 }),
    );
    // The generator must exercise both paths substantially.
    expect(valid).toBeGreaterThan(1000);
    expect(rejected).toBeGreaterThan(1000);
    for (const type of ['Topic', 'RemoveTopic', 'Partition', 'PartitionChange', 'BrokerRegistration', 'Config']) {
      expect(validByType.get(type) ?? 0).toBeGreaterThan(100);
    }
  });
});
