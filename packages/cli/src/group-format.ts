/**
 * What `sluice group` prints: kafka-consumer-groups style tables (columns padded, `-` for
 * unknown) and the rows of `group describe`, computed purely from the group's description, its
 * committed offsets and the partitions' log ends.
 */
import type { GroupDescription, GroupOffset } from '@sluice/client';
import type { PlannedReset } from './group-reset-plan';

/** Columns separated by at least two spaces, each as wide as its widest cell. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null ? '-' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return (
    cells
      .map((row) =>
        row
          .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd((widths[column] as number) + 2)))
          .join('')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** Committed offset; null: none. */
  readonly currentOffset: number | null;
  /** null: unknown (the topic is gone). */
  readonly logEndOffset: number | null;
  /** logEnd - current, never below 0; null when either is unknown. */
  readonly lag: number | null;
  /** The member that owns the partition now; null: none. */
  readonly memberId: string | null;
  readonly clientId: string | null;
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * One row per partition the group has committed or a member owns, sorted by topic and partition.
 * `logEnds` holds the high watermark by `topic\0partition`.
 */
export function partitionLags(
  group: Pick<GroupDescription, 'members'>,
  committed: readonly GroupOffset[],
  logEnds: ReadonlyMap<string, number>,
): PartitionLag[] {
  const rows = new Map<
    string,
    { topic: string; partition: number; currentOffset: number | null; memberId: string | null; clientId: string | null }
  >();
  for (const o of committed)
    rows.set(key(o.topic, o.partition), {
      topic: o.topic,
      partition: o.partition,
      currentOffset: o.offset,
      memberId: null,
      clientId: null,
    });
  for (const member of group.members) {
    for (const tp of member.assigned) {
      const row = rows.get(key(tp.topic, tp.partition)) ?? {
        topic: tp.topic,
        partition: tp.partition,
        currentOffset: null,
        memberId: null,
        clientId: null,
      };
      rows.set(key(tp.topic, tp.partition), { ...row, memberId: member.memberId, clientId: member.clientId });
    }
  }
  return [...rows.values()]
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
    .map((row) => {
      const logEndOffset = logEnds.get(key(row.topic, row.partition)) ?? null;
      const lag =
        logEndOffset === null || row.currentOffset === null ? null : Math.max(0, logEndOffset - row.currentOffset);
      return { ...row, logEndOffset, lag };
    });
}

function formatPartitions(list: readonly { topic: string; partition: number }[]): string {
  const byTopic = new Map<string, number[]>();
  for (const tp of list) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return byTopic.size === 0
    ? '-'
    : [...byTopic].map(([topic, partitions]) => `${topic}:${partitions.join(',')}`).join(' ');
}

/** `group describe`: a header line, the members, then per partition offsets and lag. */
export function formatDescription(group: GroupDescription, lags: readonly PartitionLag[]): string {
  const header = `Group: ${group.groupId}\tState: ${group.state}\tGroupEpoch: ${group.groupEpoch}\tAssignmentEpoch: ${group.assignmentEpoch}\tAssignor: ${group.assignor}\tMembers: ${group.members.length}\n`;
  const members =
    group.members.length === 0
      ? 'The group has no active members.\n'
      : formatTable(
          ['MEMBER-ID', 'INSTANCE-ID', 'CLIENT-ID', 'EPOCH', 'STATE', 'SUBSCRIPTION', 'ASSIGNED'],
          group.members.map((m) => [
            m.memberId,
            m.instanceId ?? null,
            m.clientId,
            m.memberEpoch,
            m.state,
            m.subscribedTopicRegex !== undefined ? `/${m.subscribedTopicRegex}/` : m.subscribedTopicNames.join(','),
            formatPartitions(m.assigned),
          ]),
        );
  const partitions =
    lags.length === 0
      ? 'No committed or assigned partitions.\n'
      : formatTable(
          ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'MEMBER-ID', 'CLIENT-ID'],
          lags.map((l) => [l.topic, l.partition, l.currentOffset, l.logEndOffset, l.lag, l.memberId, l.clientId]),
        );
  return `${header}\n${members}\n${partitions}`;
}

/** `group reset-offsets`: the plan, one row per partition. */
export function formatResetPlan(groupId: string, plan: readonly PlannedReset[]): string {
  return formatTable(
    ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'],
    plan.map((p) => [groupId, p.topic, p.partition, p.currentOffset, p.newOffset]),
  );
}
