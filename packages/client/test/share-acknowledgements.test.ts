/**
 * PartitionAcknowledgements against the model it replaced (one entry per offset, the type given
 * last winning, sorted and merged into ranges when taken): in order, out of order, repeated
 * offsets, and ranges put back after a failed request.
 */
import fc from 'fast-check';
import { PartitionAcknowledgements, type AcknowledgementRange } from '../src/share-acknowledgements';
import type { ShareAcknowledgeType } from '../src/share-consumer';

type Op =
  | { readonly kind: 'add'; readonly offset: number; readonly type: ShareAcknowledgeType }
  | { readonly kind: 'take' }
  | { readonly kind: 'putBack' };

/** The old representation: offset -> type, taken as sorted maximal ranges. */
class Model {
  private offsets = new Map<number, ShareAcknowledgeType>();
  add(offset: number, type: ShareAcknowledgeType): void {
    this.offsets.set(offset, type);
  }
  take(): AcknowledgementRange[] {
    const out: AcknowledgementRange[] = [];
    for (const [offset, type] of [...this.offsets].sort((a, b) => a[0] - b[0])) {
      const last = out.at(-1);
      if (last !== undefined && last.lastOffset + 1 === offset && last.acknowledgeType === type)
        last.lastOffset = offset;
      else out.push({ firstOffset: offset, lastOffset: offset, acknowledgeType: type });
    }
    this.offsets = new Map();
    return out;
  }
}

const typeArb = fc.constantFrom<ShareAcknowledgeType>('ACCEPT', 'RELEASE', 'REJECT');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), offset: fc.nat(40), type: typeArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'take' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'putBack' as const }) },
);

describe('PartitionAcknowledgements', () => {
  it('merges acknowledgements in offset order into ranges as they come', () => {
    const acks = new PartitionAcknowledgements('t', 3);
    for (let offset = 100; offset < 600; offset++) acks.add(offset, 'ACCEPT');
    acks.add(600, 'REJECT');
    acks.add(602, 'REJECT');
    expect(acks.onlyAccepts()).toBe(false);
    expect(acks.take()).toEqual([
      { firstOffset: 100, lastOffset: 599, acknowledgeType: 'ACCEPT' },
      { firstOffset: 600, lastOffset: 600, acknowledgeType: 'REJECT' },
      { firstOffset: 602, lastOffset: 602, acknowledgeType: 'REJECT' },
    ]);
    expect(acks.take()).toEqual([]);
    expect(acks.onlyAccepts()).toBe(true);
  });

  it('sorts acknowledgements out of order; an offset given twice keeps the type given last', () => {
    const acks = new PartitionAcknowledgements('t', 0);
    acks.add(5, 'ACCEPT');
    acks.add(3, 'ACCEPT');
    acks.add(4, 'REJECT');
    acks.add(4, 'ACCEPT');
    acks.add(7, 'RELEASE');
    expect(acks.take()).toEqual([
      { firstOffset: 3, lastOffset: 5, acknowledgeType: 'ACCEPT' },
      { firstOffset: 7, lastOffset: 7, acknowledgeType: 'RELEASE' },
    ]);
  });

  it('merges a put-back range with the adjacent one of the same type added since', () => {
    const acks = new PartitionAcknowledgements('t', 0);
    acks.add(5, 'ACCEPT');
    const taken = acks.take();
    acks.add(4, 'ACCEPT');
    acks.addRanges(taken);
    expect(acks.take()).toEqual([{ firstOffset: 4, lastOffset: 5, acknowledgeType: 'ACCEPT' }]);
  });

  it('takes what the one-entry-per-offset model took, for any adds, takes and put-backs', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const acks = new PartitionAcknowledgements('t', 0);
        const model = new Model();
        let lastTaken: AcknowledgementRange[] = [];
        for (const op of ops) {
          if (op.kind === 'add') {
            acks.add(op.offset, op.type);
            model.add(op.offset, op.type);
          } else if (op.kind === 'take') {
            lastTaken = acks.take();
            expect(lastTaken).toEqual(model.take());
          } else {
            // A failed request's acknowledgements go back, after (and over) what was added since.
            acks.addRanges(lastTaken);
            for (const r of lastTaken)
              for (let offset = r.firstOffset; offset <= r.lastOffset; offset++) model.add(offset, r.acknowledgeType);
            lastTaken = [];
          }
        }
        expect(acks.take()).toEqual(model.take());
      }),
      { numRuns: 2000 },
    );
  });
});
