/**
 * One share group's state as the coordinator holds it in memory (KIP-932): the group epoch (the
 * target assignment is computed synchronously, so it is always at this epoch), each member's
 * subscription and the assignment it was last given, and each member's target. Changed only by
 * `replay(record)`, like ConsumerGroup: operations emit records and replay them at once, and a
 * coordinator taking over replays `__consumer_offsets`, so both arrive at the same state.
 */
import type { ShareGroupMemberValue, ShareGroupRecord } from './group-records';
import { fromList, type TopicPartitions } from './topic-partitions';

export type ShareGroupState = 'EMPTY' | 'STABLE';

export class ShareGroup {
  groupEpoch = 0;
  topicPartitionCounts: Readonly<Record<string, number>> = {};
  /** Whether a ShareGroupMetadata record exists. */
  hasMetadataRecord = false;
  readonly members = new Map<string, ShareGroupMemberValue>();
  readonly targets = new Map<string, TopicPartitions>();

  constructor(readonly groupId: string) {}

  get memberCount(): number {
    return this.members.size;
  }

  /** Nothing left of it: the shard forgets the group. */
  get isGone(): boolean {
    return !this.hasMetadataRecord && this.members.size === 0 && this.targets.size === 0;
  }

  state(): ShareGroupState {
    return this.members.size === 0 ? 'EMPTY' : 'STABLE';
  }

  replay(record: ShareGroupRecord): void {
    switch (record.type) {
      case 'ShareGroupMetadata':
        this.groupEpoch = record.value?.epoch ?? 0;
        this.topicPartitionCounts = record.value?.topicPartitionCounts ?? {};
        this.hasMetadataRecord = record.value !== null;
        return;
      case 'ShareGroupMember':
        if (record.value === null) this.members.delete(record.memberId);
        else this.members.set(record.memberId, record.value);
        return;
      case 'ShareGroupTargetMember':
        if (record.value === null) this.targets.delete(record.memberId);
        else this.targets.set(record.memberId, fromList(record.value.partitions));
        return;
    }
  }
}
