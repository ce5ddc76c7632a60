/**
 * What `sluice share` prints, computed purely: records as `sluice consume` prints them (--json adds
 * the delivery count), and kafka-share-groups style tables for `share list` and `share describe`
 * (per partition the share start offset, the log end offset and the lag between them).
 */
import type { GroupListing, ShareConsumerRecord, ShareGroupDescription, SharePartitionOffset } from '@sluice/client';
import { formatRecord } from './consume-command';
import { formatTable } from './group-format';

export interface RecordFormat {
  readonly json: boolean;
  readonly printKey: boolean;
  readonly base64: boolean;
}

/** As `sluice consume` prints a record; the JSON object carries `deliveryCount` too (1: first delivery). */
export function formatShareRecord(record: ShareConsumerRecord, format: RecordFormat): string {
  if (!format.json) return formatRecord(record, format);
  const text = (bytes: Buffer | null): string | null =>
    bytes === null ? null : bytes.toString(format.base64 ? 'base64' : 'utf8');
  return `${JSON.stringify({
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: text(record.key),
    value: text(record.value),
    headers: record.headers.map((header) => ({ key: header.key, value: text(header.value) })),
    deliveryCount: record.deliveryCount,
  })}\n`;
}

export interface SharePartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The share partition start offset; null: not initialized yet (no member fetched from it). */
  readonly startOffset: number | null;
  /** High watermark; null: unknown (the topic is gone). */
  readonly logEndOffset: number | null;
  /** logEnd - start (as kafka-share-groups shows it), never below 0; null when either is unknown. */
  readonly lag: number | null;
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** One row per share partition, in the order given; `logEnds` holds the high watermark by `topic\0partition`. */
export function sharePartitionLags(
  offsets: readonly SharePartitionOffset[],
  logEnds: ReadonlyMap<string, number>,
): SharePartitionLag[] {
  return offsets.map((o) => {
    const logEndOffset = logEnds.get(key(o.topic, o.partition)) ?? null;
    const lag = logEndOffset === null || o.startOffset === null ? null : Math.max(0, logEndOffset - o.startOffset);
    return { topic: o.topic, partition: o.partition, startOffset: o.startOffset, logEndOffset, lag };
  });
}

function formatPartitions(list: readonly { topic: string; partition: number }[]): string {
  const byTopic = new Map<string, number[]>();
  for (const tp of list) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return byTopic.size === 0
    ? '-'
    : [...byTopic].map(([topic, partitions]) => `${topic}:${partitions.join(',')}`).join(' ');
}

/** `share list`: one row per share group. */
export function formatShareList(groups: readonly GroupListing[]): string {
  return groups.length === 0
    ? ''
    : formatTable(
        ['GROUP', 'STATE', 'MEMBERS'],
        groups.map((g) => [g.groupId, g.state, g.members]),
      );
}

/** `share describe`: a header line, the members, then per share partition its start offset, log end and lag. */
export function formatShareDescription(group: ShareGroupDescription, lags: readonly SharePartitionLag[]): string {
  const header = `Group: ${group.groupId}\tState: ${group.state}\tGroupEpoch: ${group.groupEpoch}\tAssignmentEpoch: ${group.assignmentEpoch}\tMembers: ${group.members.length}\n`;
  const members =
    group.members.length === 0
      ? 'The group has no active members.\n'
      : formatTable(
          ['MEMBER-ID', 'CLIENT-ID', 'EPOCH', 'SUBSCRIPTION', 'ASSIGNED'],
          group.members.map((m) => [
            m.memberId,
            m.clientId,
            m.memberEpoch,
            m.subscribedTopicNames.join(','),
            formatPartitions(m.assigned),
          ]),
        );
  const partitions =
    lags.length === 0
      ? 'No assigned partitions (name topics with --topic).\n'
      : formatTable(
          ['TOPIC', 'PARTITION', 'START-OFFSET', 'LOG-END-OFFSET', 'LAG'],
          lags.map((l) => [l.topic, l.partition, l.startOffset, l.logEndOffset, l.lag]),
        );
  return `${header}\n${members}\n${partitions}`;
}

/** `share describe --json`. */
export function shareDescriptionJson(group: ShareGroupDescription, lags: readonly SharePartitionLag[]): object {
  return {
    group: group.groupId,
    state: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    members: group.members,
    partitions: lags,
  };
}
