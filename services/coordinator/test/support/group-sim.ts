/** Test support: simulated KIP-848 clients driving a GroupShard, with the checks the tests share. */
import { ApiError } from '@sluice/protocol';
import type { AssignmentSpec, GroupAssignment, PartitionAssignor } from '../../src/core/assignor';
import {
  DEFAULT_GROUP_SHARD_CONFIG,
  GroupShard,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type TopicsView,
} from '../../src/core/group-shard';
import type { GroupRecord } from '../../src/core/group-records';

/** A plain, non-sticky assignor: sorted partitions dealt round-robin over sorted subscribers. Moves a lot, which is what the tests want. */
export const roundRobinAssignor: PartitionAssignor = {
  name: 'uniform',
  assign(spec: AssignmentSpec): GroupAssignment {
    const result: GroupAssignment = new Map([...spec.members.keys()].map((id) => [id, new Map<string, Set<number>>()]));
    for (const topic of [...spec.topics.keys()].sort()) {
      const subscribers = [...spec.members.values()]
        .filter((m) => m.subscribedTopics.has(topic))
        .map((m) => m.memberId)
        .sort();
      if (subscribers.length === 0) continue;
      for (let partition = 0; partition < spec.topics.get(topic)!; partition++) {
        const owner = subscribers[(partition + topic.length) % subscribers.length]!;
        const byTopic = result.get(owner)!;
        byTopic.set(topic, (byTopic.get(topic) ?? new Set()).add(partition));
      }
    }
    return result;
  },
};

export function topicsView(counts: Record<string, number>): TopicsView {
  return { partitionCount: (topic) => counts[topic], topicNames: () => Object.keys(counts) };
}

export function newShard(
  counts: Record<string, number>,
  assignors: readonly PartitionAssignor[] = [roundRobinAssignor],
  overrides: Partial<typeof DEFAULT_GROUP_SHARD_CONFIG> = {},
): { shard: GroupShard; log: GroupRecord[] } {
  let next = 0;
  const shard = new GroupShard(
    { ...DEFAULT_GROUP_SHARD_CONFIG, ...overrides, assignors },
    topicsView(counts),
    () => `generated-${next++}`,
  );
  return { shard, log: [] };
}

export function joinRequest(
  groupId: string,
  memberId: string,
  topics: readonly string[],
  extra: Partial<HeartbeatRequest> = {},
): HeartbeatRequest {
  return {
    groupId,
    memberId,
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    clientId: 'test',
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: topics,
    subscribedTopicRegex: null,
    serverAssignor: null,
    ownedPartitions: [],
    ...extra,
  };
}

/** A client as the protocol expects it to behave: reports what it owns, takes what it is given. */
export class SimClient {
  epoch = 0;
  owned = new Map<string, Set<number>>();
  joined = false;
  alive = true;

  constructor(
    readonly groupId: string,
    readonly memberId: string,
    public topics: readonly string[],
  ) {}

  ownedList(): { topic: string; partitions: number[] }[] {
    return [...this.owned].map(([topic, set]) => ({ topic, partitions: [...set].sort((a, b) => a - b) }));
  }

  request(): HeartbeatRequest {
    if (!this.joined) return joinRequest(this.groupId, this.memberId, this.topics);
    return {
      ...joinRequest(this.groupId, this.memberId, this.topics),
      memberEpoch: this.epoch,
      rebalanceTimeoutMs: null,
      ownedPartitions: this.ownedList(),
    };
  }

  /** One heartbeat through `shard`, appending its records to `log`. Fenced/unknown: drops everything and rejoins next time. */
  heartbeat(shard: GroupShard, log: GroupRecord[], nowMs: number): HeartbeatResponse | ApiError {
    try {
      const { records, response } = shard.heartbeat(this.request(), nowMs);
      log.push(...records);
      this.joined = true;
      this.epoch = response.memberEpoch;
      if (response.assignment !== null)
        this.owned = new Map(response.assignment.map((entry) => [entry.topic, new Set(entry.partitions)]));
      return response;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.errorName === 'FENCED_MEMBER_EPOCH' || error.errorName === 'UNKNOWN_MEMBER_ID') {
        this.joined = false;
        this.epoch = 0;
        this.owned = new Map();
      }
      return error;
    }
  }
}

/** Partitions owned by more than one live client (client-side view): should always be empty. */
export function doublyOwned(clients: readonly SimClient[]): string[] {
  const seen = new Map<string, string>();
  const doubles: string[] = [];
  for (const client of clients) {
    if (!client.alive) continue;
    for (const [topic, set] of client.owned) {
      for (const partition of set) {
        const key = `${topic}-${partition}`;
        const other = seen.get(key);
        if (other !== undefined) doubles.push(`${key}: ${other} and ${client.memberId}`);
        seen.set(key, client.memberId);
      }
    }
  }
  return doubles;
}
