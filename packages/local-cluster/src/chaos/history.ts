/**
 * The history checker shared by the fault tests (kill -9, network faults, overlapping failures):
 * what an idempotent producer was told and what consumers saw while the faults ran, against
 * what the log holds once they are over. Pure: the workload (workload.ts) records, this judges.
 *
 * Every record's value is `r<index>`, its index in send order, so a value names its send. The
 * verdict, each list capped at `MAX_EXAMPLES` examples with the full count beside it:
 * - lost: an acknowledged record is not at the partition and offset send() reported, with its value;
 * - duplicated: a value is in the log more than once (a retry written twice);
 * - out of order: within a partition, indexes do not increase with the offset (send order broken);
 * - rolled back: a consumer saw a record at an offset that now holds something else or nothing
 *   (it read past what was committed, and that was truncated away);
 * - out of sequence: a consumer's offsets in a partition skipped or repeated (from offset 0);
 * - foreign: a value in the log that the producer never sent;
 * - unresolved: a send with neither an acknowledgement nor an error (the workload waits for all).
 */

/** Examples kept per kind of violation; the counts are exact. */
export const MAX_EXAMPLES = 10;

export interface AckedRecord {
  readonly index: number;
  readonly partition: number;
  readonly offset: number;
}

export interface FailedRecord {
  readonly index: number;
  /** The error's Kafka name when it has one (NOT_ENOUGH_REPLICAS), else its message. */
  readonly error: string;
}

export interface LoggedRecord {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

export interface ObservedRecord extends LoggedRecord {
  /** Which consumer saw it. */
  readonly consumer: string;
}

export interface History {
  /** Records handed to send(), indexes 0..sent-1. */
  readonly sent: number;
  readonly acked: readonly AckedRecord[];
  readonly failed: readonly FailedRecord[];
  /** What the consumers saw while the faults ran, each consumer's in the order it saw them. */
  readonly observed: readonly ObservedRecord[];
  /** Everything the log holds at the end, read from offset 0 of every partition. */
  readonly log: readonly LoggedRecord[];
}

export interface Violations {
  readonly count: number;
  readonly examples: readonly string[];
  /** The send indexes involved, where a violation names one (lost, duplicated): to attribute them to faults. */
  readonly indexes: readonly number[];
}

export interface Verdict {
  readonly sent: number;
  readonly acknowledged: number;
  readonly failed: number;
  /** Failures by error name. */
  readonly failures: ReadonlyMap<string, number>;
  /** Records in the final log. */
  readonly logged: number;
  readonly observed: number;
  readonly lost: Violations;
  readonly duplicated: Violations;
  readonly outOfOrder: Violations;
  readonly rolledBack: Violations;
  readonly outOfSequence: Violations;
  readonly foreign: Violations;
  readonly unresolved: Violations;
  /** No violation of any kind. */
  readonly ok: boolean;
}

class Collector {
  count = 0;
  readonly examples: string[] = [];
  readonly indexes: number[] = [];
  add(example: () => string, index?: number): void {
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(example());
    if (index !== undefined) this.indexes.push(index);
    this.count++;
  }
  done(): Violations {
    return { count: this.count, examples: this.examples, indexes: this.indexes };
  }
}

export function recordValue(index: number): string {
  return `r${index}`;
}

/** The send index a value names, or undefined when it is not one of ours. */
export function indexOfValue(value: string): number | undefined {
  if (!/^r(0|[1-9]\d*)$/.test(value)) return undefined;
  const index = Number(value.slice(1));
  return Number.isSafeInteger(index) ? index : undefined;
}

const position = (partition: number, offset: number): string => `${partition}/${offset}`;

export function checkHistory(history: History): Verdict {
  const byPosition = new Map<string, string>();
  for (const record of history.log) byPosition.set(position(record.partition, record.offset), record.value);

  const lost = new Collector();
  for (const acked of history.acked) {
    const found = byPosition.get(position(acked.partition, acked.offset));
    if (found !== recordValue(acked.index))
      lost.add(
        () =>
          `r${acked.index} acknowledged at ${position(acked.partition, acked.offset)}, found ${found ?? 'nothing'} there`,
        acked.index,
      );
  }

  const duplicated = new Collector();
  const foreign = new Collector();
  const seenAt = new Map<string, string>();
  for (const record of history.log) {
    const where = position(record.partition, record.offset);
    const index = indexOfValue(record.value);
    if (index === undefined || index >= history.sent)
      foreign.add(() => `${JSON.stringify(record.value)} at ${where} was never sent`);
    const first = seenAt.get(record.value);
    if (first !== undefined) duplicated.add(() => `${record.value} at ${first} and ${where}`, index);
    else seenAt.set(record.value, where);
  }

  const outOfOrder = new Collector();
  const byPartition = new Map<number, LoggedRecord[]>();
  for (const record of history.log) {
    const list = byPartition.get(record.partition) ?? [];
    list.push(record);
    byPartition.set(record.partition, list);
  }
  for (const [partition, records] of [...byPartition].sort(([a], [b]) => a - b)) {
    records.sort((a, b) => a.offset - b.offset);
    let previous: LoggedRecord | undefined;
    for (const record of records) {
      const index = indexOfValue(record.value);
      const before = previous === undefined ? undefined : indexOfValue(previous.value);
      if (index !== undefined && before !== undefined && index <= before)
        outOfOrder.add(
          () =>
            `partition ${partition}: ${record.value} at offset ${record.offset} after ${previous!.value} at ${previous!.offset}`,
        );
      if (index !== undefined) previous = record;
    }
  }

  const rolledBack = new Collector();
  const outOfSequence = new Collector();
  const nextOffset = new Map<string, number>();
  for (const seen of history.observed) {
    const where = position(seen.partition, seen.offset);
    const now = byPosition.get(where);
    if (now !== seen.value)
      rolledBack.add(() => `${seen.consumer} saw ${seen.value} at ${where}, the log now has ${now ?? 'nothing'} there`);
    const key = `${seen.consumer}/${seen.partition}`;
    const expected = nextOffset.get(key) ?? 0;
    if (seen.offset !== expected)
      outOfSequence.add(
        () => `${seen.consumer} in partition ${seen.partition}: expected offset ${expected}, got ${seen.offset}`,
      );
    nextOffset.set(key, seen.offset + 1);
  }

  const failures = new Map<string, number>();
  for (const failed of history.failed) failures.set(failed.error, (failures.get(failed.error) ?? 0) + 1);

  const unresolved = new Collector();
  const outcomes = new Uint8Array(history.sent);
  for (const { index } of [...history.acked, ...history.failed])
    if (index >= 0 && index < history.sent) outcomes[index] = (outcomes[index] ?? 0) + 1;
  outcomes.forEach((count, index) => {
    if (count !== 1) unresolved.add(() => `r${index} has ${count} outcomes`);
  });

  const verdict = {
    sent: history.sent,
    acknowledged: history.acked.length,
    failed: history.failed.length,
    failures,
    logged: history.log.length,
    observed: history.observed.length,
    lost: lost.done(),
    duplicated: duplicated.done(),
    outOfOrder: outOfOrder.done(),
    rolledBack: rolledBack.done(),
    outOfSequence: outOfSequence.done(),
    foreign: foreign.done(),
    unresolved: unresolved.done(),
  };
  const ok = [
    verdict.lost,
    verdict.duplicated,
    verdict.outOfOrder,
    verdict.rolledBack,
    verdict.outOfSequence,
    verdict.foreign,
    verdict.unresolved,
  ].every((violations) => violations.count === 0);
  return { ...verdict, ok };
}

/** One line: the counts, then the first examples of whatever failed. */
export function describeVerdict(verdict: Verdict): string {
  const kinds: [string, Violations][] = [
    ['lost', verdict.lost],
    ['duplicated', verdict.duplicated],
    ['out of order', verdict.outOfOrder],
    ['rolled back', verdict.rolledBack],
    ['out of sequence', verdict.outOfSequence],
    ['foreign', verdict.foreign],
    ['unresolved', verdict.unresolved],
  ];
  const failures = [...verdict.failures].map(([error, count]) => `${error} x${count}`).join(', ');
  const head =
    `${verdict.ok ? 'PASS' : 'FAIL'}: ${verdict.sent} sent, ${verdict.acknowledged} acknowledged, ` +
    `${verdict.failed} failed${failures === '' ? '' : ` (${failures})`}, ${verdict.logged} in the log, ` +
    `${verdict.observed} seen by consumers; ` +
    kinds.map(([name, violations]) => `${violations.count} ${name}`).join(', ');
  const examples = kinds
    .filter(([, violations]) => violations.count > 0)
    .map(([name, violations]) => `\n  ${name}: ${violations.examples.join('; ')}`)
    .join('');
  return head + examples;
}
