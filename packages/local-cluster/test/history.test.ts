/** The history checker on hand-made histories: a clean one passes, each kind of violation is named and counted. */
import {
  checkHistory,
  chaosRows,
  chaosTable,
  describeVerdict,
  faultSchedule,
  indexOfValue,
  type ChaosRun,
  type History,
  type LoggedRecord,
} from '@sluice/local-cluster';

/** r0..r5 sent, alternating partitions 0 and 1, all acknowledged and in the log; one consumer saw everything. */
function clean(): { -readonly [K in keyof History]: History[K] extends readonly (infer T)[] ? T[] : History[K] } {
  const log: LoggedRecord[] = [];
  const offsets = [0, 0];
  for (let index = 0; index < 6; index++) {
    const partition = index % 2;
    log.push({ partition, offset: offsets[partition]!++, value: `r${index}` });
  }
  return {
    sent: 6,
    acked: log.map((record) => ({
      index: indexOfValue(record.value)!,
      partition: record.partition,
      offset: record.offset,
    })),
    failed: [],
    observed: log.map((record) => ({ ...record, consumer: 'tail-0' })),
    log,
  };
}

describe('checkHistory', () => {
  it('passes a clean history and counts it', () => {
    const verdict = checkHistory(clean());
    expect(verdict).toMatchObject({ ok: true, sent: 6, acknowledged: 6, failed: 0, logged: 6, observed: 6 });
    expect(describeVerdict(verdict)).toMatch(/^PASS: 6 sent, 6 acknowledged, 0 failed, 6 in the log/);
  });

  it('names an acknowledged record missing from where send() said (lost)', () => {
    const history = clean();
    history.log = history.log.filter((record) => record.value !== 'r3');
    const verdict = checkHistory(history);
    expect(verdict.ok).toBe(false);
    expect(verdict.lost).toEqual({ count: 1, examples: ['r3 acknowledged at 1/1, found nothing there'], indexes: [3] });
    // The consumer saw r3 at 1/1, which is gone: a rollback as well.
    expect(verdict.rolledBack.count).toBe(1);
  });

  it('names a record written twice (duplicated) and one out of send order', () => {
    const history = clean();
    history.log.push({ partition: 0, offset: 3, value: 'r2' });
    const verdict = checkHistory(history);
    expect(verdict.duplicated).toEqual({ count: 1, examples: ['r2 at 0/1 and 0/3'], indexes: [2] });
    expect(verdict.outOfOrder.count).toBe(1);
    expect(verdict.outOfOrder.examples[0]).toMatch(/partition 0: r2 at offset 3 after r4 at 2/);
  });

  it('names what a consumer saw that the log no longer has (rolled back), and skipped or repeated offsets', () => {
    const history = clean();
    history.observed.push({ consumer: 'tail-1', partition: 0, offset: 0, value: 'r0' });
    history.observed.push({ consumer: 'tail-1', partition: 0, offset: 2, value: 'r9' });
    history.observed.push({ consumer: 'tail-1', partition: 0, offset: 2, value: 'r4' });
    const verdict = checkHistory(history);
    expect(verdict.rolledBack.examples).toEqual(['tail-1 saw r9 at 0/2, the log now has r4 there']);
    expect(verdict.outOfSequence.examples).toEqual([
      'tail-1 in partition 0: expected offset 1, got 2',
      'tail-1 in partition 0: expected offset 3, got 2',
    ]);
  });

  it('names values never sent and sends without exactly one outcome; failures are counted by name, not violations', () => {
    const history = clean();
    history.log.push({ partition: 1, offset: 3, value: 'garbage' });
    history.failed.push({ index: 5, error: 'NOT_ENOUGH_REPLICAS' });
    history.acked = history.acked.filter((acked) => acked.index !== 4);
    const verdict = checkHistory(history);
    expect(verdict.foreign.examples).toEqual(['"garbage" at 1/3 was never sent']);
    expect(verdict.unresolved.examples).toEqual(['r4 has 0 outcomes', 'r5 has 2 outcomes']);
    expect(verdict.failures).toEqual(new Map([['NOT_ENOUGH_REPLICAS', 1]]));

    const failedOnly = clean();
    failedOnly.acked = failedOnly.acked.filter((acked) => acked.index !== 5);
    failedOnly.failed.push({ index: 5, error: 'NOT_ENOUGH_REPLICAS' });
    expect(checkHistory(failedOnly).ok).toBe(true);
  });

  it('caps examples and keeps the counts exact', () => {
    const history = clean();
    history.sent = 1_000;
    history.acked = Array.from({ length: 1_000 }, (_, index) => ({ index, partition: 2, offset: index }));
    const verdict = checkHistory(history);
    expect(verdict.lost.count).toBe(1_000);
    expect(verdict.lost.examples).toHaveLength(10);
    expect(verdict.lost.indexes).toHaveLength(1_000);
  });
});

describe('chaosRows', () => {
  it('attributes acknowledgements, losses and duplicates to the fault during which they were sent', () => {
    const [first, second] = faultSchedule({ seed: 3, steps: 2, partitions: 1 });
    const history = clean();
    history.log = history.log.filter((record) => record.value !== 'r4');
    history.log.push({ partition: 1, offset: 3, value: 'r1' });
    const run: ChaosRun = {
      seed: 3,
      topic: 't',
      steps: [
        { fault: first!, target: 'x', during: 'y', firstIndex: 0, endIndex: 3, recoveryMs: 1 },
        { fault: second!, target: 'x', during: 'y', firstIndex: 3, endIndex: 6, recoveryMs: 1 },
      ],
      verdict: checkHistory(history),
      ackedIndexes: new Set(history.acked.map((acked) => acked.index)),
    };
    const rows = chaosRows([run]);
    expect(rows.find((row) => row.fault === first!.kind)).toMatchObject({
      runs: 1,
      seeds: [3],
      acknowledged: 3,
      lost: 0,
      duplicated: 1,
      verdict: 'FAIL',
    });
    expect(rows.find((row) => row.fault === second!.kind)).toMatchObject({ acknowledged: 3, lost: 1, duplicated: 0 });
    expect(rows.at(-1)).toMatchObject({
      fault: 'whole runs',
      acknowledged: 6,
      lost: 1,
      duplicated: 1,
      verdict: 'FAIL',
    });
    expect(chaosTable(rows).split('\n')[0]).toBe(
      '| fault | runs (seeds) | acknowledged | lost | duplicated | checker verdict |',
    );
  });
});
