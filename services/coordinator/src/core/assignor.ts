/**
 * Server-side partition assignors of the KIP-848 consumer group protocol. The coordinator hands
 * an assignor the group's members (their subscriptions and current target assignment, for
 * stickiness) and the subscribed topics' partition counts; the assignor answers the new target
 * assignment. Pure and deterministic: the same spec gives the same answer.
 */

export interface AssignmentMemberSpec {
  readonly memberId: string;
  /** group.instance.id of a static member, else null. */
  readonly instanceId: string | null;
  readonly rackId: string | null;
  /** Topic names the member subscribes to (a regex is already resolved to names). */
  readonly subscribedTopics: ReadonlySet<string>;
  /** The member's current target assignment, topic -> partitions (what stickiness keeps). */
  readonly currentAssignment: ReadonlyMap<string, ReadonlySet<number>>;
}

export interface AssignmentSpec {
  /** Members by member id. */
  readonly members: ReadonlyMap<string, AssignmentMemberSpec>;
  /** Partition counts of the subscribed topics that exist, by topic name. */
  readonly topics: ReadonlyMap<string, number>;
}

/** member id -> topic -> partitions. Every member of the spec has an entry (possibly empty). */
export type GroupAssignment = Map<string, Map<string, Set<number>>>;

export type AssignorName = 'uniform' | 'range';

export interface PartitionAssignor {
  readonly name: AssignorName;
  assign(spec: AssignmentSpec): GroupAssignment;
}
