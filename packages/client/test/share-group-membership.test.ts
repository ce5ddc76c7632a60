/**
 * ShareGroupMembership against a scripted in-process coordinator (real gRPC on loopback): it
 * joins at epoch 0 with its subscription, heartbeats at its epoch without resending what did not
 * change, applies a new assignment at once and tells its listeners, drops everything and rejoins
 * at epoch 0 when fenced, leaves with -1, and keeps trying (saying why) when its join is refused.
 */
import { ShareGroupMembership, type TopicPartition } from '@sluice/client';
import {
  serviceDefinition,
  type ShareGroupHeartbeatRequest__Output,
  type ShareGroupHeartbeatResponse,
} from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { startGrpcServer, unaryHandler, type StartedGrpcServer } from '@sluice/runtime';

async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ShareGroupMembership', () => {
  let server: StartedGrpcServer;
  const heartbeats: ShareGroupHeartbeatRequest__Output[] = [];
  let answer: (request: ShareGroupHeartbeatRequest__Output) => ShareGroupHeartbeatResponse;
  let membership: ShareGroupMembership | undefined;

  beforeEach(async () => {
    heartbeats.length = 0;
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      services: [
        {
          definition: serviceDefinition('Coordinator'),
          implementation: {
            FindCoordinator: unaryHandler((request: { groupIds: string[] }) => ({
              coordinators: [
                {
                  groupId: request.groupIds[0],
                  errorName: '',
                  errorMessage: '',
                  nodeId: 1,
                  address: server.address,
                  partition: 0,
                },
              ],
            })),
            ShareGroupHeartbeat: unaryHandler((request: ShareGroupHeartbeatRequest__Output) => {
              heartbeats.push(request);
              return answer(request);
            }),
          },
        },
      ],
    });
  });

  afterEach(async () => {
    await membership?.close();
    membership = undefined;
    await server.stop(100);
  });

  const response = (memberEpoch: number, partitions: number[] | null): ShareGroupHeartbeatResponse => ({
    memberId: 'ignored',
    memberEpoch,
    heartbeatIntervalMs: 50,
    assignment: partitions === null ? [] : [{ topic: 'jobs', partitions }],
    assignmentSet: partitions !== null,
  });

  it('joins, heartbeats, takes new assignments at once, rejoins when fenced and leaves with -1', async () => {
    let fenceOnce = false;
    answer = (request) => {
      if (request.memberEpoch === -1) return response(-1, null);
      if (request.memberEpoch === 0) return response(1, [0, 1]);
      if (fenceOnce) {
        fenceOnce = false;
        throw new ApiError('FENCED_MEMBER_EPOCH', 'stale');
      }
      // From the fifth heartbeat on, the group has grown: this member keeps partition 1 only.
      return heartbeats.length >= 5 ? response(2, [1]) : response(request.memberEpoch, null);
    };
    membership = new ShareGroupMembership({
      groupId: 'crunchers',
      coordinators: [server.address],
      retryBackoffMs: 10,
      retryBackoffMaxMs: 20,
    });
    const seen: TopicPartition[][] = [];
    membership.onAssignmentChange((assignment) => seen.push([...assignment]));
    membership.subscribe(['jobs']);
    membership.start();
    await waitFor('epoch 2', () => membership!.memberEpoch === 2);
    expect(membership.assignment()).toEqual([{ topic: 'jobs', partition: 1 }]);
    expect(heartbeats[0]).toMatchObject({
      groupId: 'crunchers',
      memberId: membership.memberId,
      memberEpoch: 0,
      subscribedTopicNames: ['jobs'],
      subscribedTopicNamesSet: true,
    });
    expect(heartbeats[1]).toMatchObject({ memberEpoch: 1, subscribedTopicNamesSet: false });
    fenceOnce = true;
    await waitFor('a rejoin after the fence', () => membership!.stats.fenced === 1 && membership!.memberEpoch > 0);
    const rejoin = heartbeats.findIndex((h, i) => i > 0 && h.memberEpoch === 0);
    expect(heartbeats[rejoin]).toMatchObject({ memberId: membership.memberId, subscribedTopicNamesSet: true });
    expect(seen.slice(0, 4)).toEqual([
      [
        { topic: 'jobs', partition: 0 },
        { topic: 'jobs', partition: 1 },
      ],
      [{ topic: 'jobs', partition: 1 }],
      [],
      expect.any(Array),
    ]);
    await membership.leave();
    expect(heartbeats.at(-1)).toMatchObject({ memberEpoch: -1, memberId: membership.memberId });
    expect(membership.assignment()).toEqual([]);
    expect(membership.memberEpoch).toBe(0);
  });

  it('keeps trying a coordinator that refuses, and says why', async () => {
    answer = () => {
      throw new ApiError('GROUP_ID_NOT_FOUND', 'crunchers is a consumer group');
    };
    membership = new ShareGroupMembership({
      groupId: 'crunchers',
      coordinators: [server.address],
      retryBackoffMs: 10,
      retryBackoffMaxMs: 20,
    });
    membership.subscribe(['jobs']);
    membership.start();
    await waitFor('two refused joins', () => heartbeats.length >= 2);
    expect(membership.error?.errorName).toBe('GROUP_ID_NOT_FOUND');
    expect(membership.assignment()).toEqual([]);
    expect(heartbeats.every((h) => h.memberEpoch === 0)).toBe(true);
  });
});
