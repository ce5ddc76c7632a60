/**
 * Per-member deadlines (session or rebalance timeouts) of a shard's groups, by group and then by
 * member. Every heartbeat moves its member's session deadline, so the entry is found by the ids
 * the request already carries instead of a `group\0member` string built, flattened and hashed
 * anew on each heartbeat.
 */
export class MemberDeadlines {
  private readonly byGroup = new Map<string, Map<string, number>>();

  set(groupId: string, memberId: string, deadlineMs: number): void {
    let members = this.byGroup.get(groupId);
    if (members === undefined) this.byGroup.set(groupId, (members = new Map()));
    members.set(memberId, deadlineMs);
  }

  has(groupId: string, memberId: string): boolean {
    return this.byGroup.get(groupId)?.has(memberId) ?? false;
  }

  delete(groupId: string, memberId: string): void {
    const members = this.byGroup.get(groupId);
    if (members === undefined || !members.delete(memberId)) return;
    if (members.size === 0) this.byGroup.delete(groupId);
  }

  /** The entries due at nowMs (deadline <= nowMs), removed, in insertion order within each group. */
  takeDue(nowMs: number): { groupId: string; memberId: string }[] {
    const due: { groupId: string; memberId: string }[] = [];
    for (const [groupId, members] of this.byGroup) {
      for (const [memberId, deadlineMs] of members) if (deadlineMs <= nowMs) due.push({ groupId, memberId });
    }
    for (const { groupId, memberId } of due) this.delete(groupId, memberId);
    return due;
  }

  /** The earliest deadline; null when there is none. */
  earliestMs(): number | null {
    let earliest: number | null = null;
    for (const members of this.byGroup.values())
      for (const deadlineMs of members.values()) if (earliest === null || deadlineMs < earliest) earliest = deadlineMs;
    return earliest;
  }
}
