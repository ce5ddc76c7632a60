/**
 * The Admin's share group operations against a fake coordinator on loopback (gRPC, OS-chosen
 * port): listShareGroups keeps the ListGroups entries of type share (listGroups the others);
 * describeShareGroups converts the members and names an unknown group GROUP_ID_NOT_FOUND;
 * listShareGroupOffsets reads each partition's share state with leader epoch -1 (the assigned
 * partitions by default), null for one not initialized; bad input is refused before any call.
 */
import { ApiError } from '@sluice/protocol';
import { serviceDefinition, type ReadShareGroupStateRequest__Output } from '@sluice/proto';
import { startGrpcServer, unaryHandler, type StartedGrpcServer } from '@sluice/runtime';
import { assignedPartitions, GroupAdmin, readShareStartOffsets, type ShareStatePersister } from '../src';

describe('Admin share group operations', () => {
  let server: StartedGrpcServer;
  const reads: ReadShareGroupStateRequest__Output[] = [];

  beforeAll(async () => {
    const handlers: Record<string, (request: never) => unknown> = {
      FindCoordinator: (request: { groupIds: string[] }) => ({
        coordinators: request.groupIds.map((groupId) => ({
          groupId,
          errorName: '',
          errorMessage: '',
          nodeId: 1,
          address: server.address,
          partition: 0,
        })),
      }),
      ListGroups: () => ({
        groups: [
          { groupId: 'workers', state: 'STABLE', members: 2, type: 'share' },
          { groupId: 'apps', state: 'EMPTY', members: 0, type: 'consumer' },
          { groupId: 'idle', state: 'EMPTY', members: 0, type: 'share' },
        ],
      }),
      DescribeShareGroups: (request: { groupIds: string[] }) => ({
        groups: request.groupIds.map((groupId) =>
          groupId === 'workers'
            ? {
                groupId,
                errorName: '',
                errorMessage: '',
                state: 'STABLE',
                groupEpoch: 5,
                assignmentEpoch: 5,
                members: [
                  {
                    memberId: 'm1',
                    rackId: '',
                    clientId: 'c1',
                    memberEpoch: 5,
                    subscribedTopicNames: ['t'],
                    assigned: [{ topic: 't', partitions: [1, 0] }],
                  },
                  {
                    memberId: 'm2',
                    rackId: 'r1',
                    clientId: 'c2',
                    memberEpoch: 5,
                    subscribedTopicNames: ['t'],
                    assigned: [{ topic: 't', partitions: [0, 1] }],
                  },
                ],
              }
            : {
                groupId,
                errorName: 'GROUP_ID_NOT_FOUND',
                errorMessage: `GROUP_ID_NOT_FOUND: share group ${groupId} does not exist`,
                state: 'DEAD',
                groupEpoch: 0,
                assignmentEpoch: 0,
                members: [],
              },
        ),
      }),
      ReadShareGroupState: (request: ReadShareGroupStateRequest__Output) => {
        reads.push(request);
        return request.partition === 0
          ? {
              errorName: '',
              errorMessage: '',
              found: true,
              stateEpoch: 1,
              startOffset: '42',
              ranges: [{ firstOffset: '43', lastOffset: '44', state: 'ACKNOWLEDGED', deliveryCount: 1 }],
            }
          : { errorName: '', errorMessage: '', found: false, stateEpoch: 0, startOffset: '0', ranges: [] };
      },
    };
    const implementation = Object.fromEntries(
      Object.keys(serviceDefinition('Coordinator')).map((method) => [
        method,
        unaryHandler((request: unknown) => {
          const handler = handlers[method];
          if (handler === undefined) throw new ApiError('UNSUPPORTED_VERSION', `${method} is not faked`);
          return handler(request as never);
        }),
      ]),
    );
    server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      services: [{ definition: serviceDefinition('Coordinator'), implementation }],
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  const groupAdmin = (): GroupAdmin =>
    new GroupAdmin({ coordinators: [server.address], timeoutMs: 5_000, retryBackoffMs: 10, retryBackoffMaxMs: 50 });

  it('lists share groups only, and consumer groups without them', async () => {
    const admin = groupAdmin();
    try {
      expect((await admin.listShareGroups()).groups).toEqual([
        { groupId: 'idle', state: 'EMPTY', members: 0 },
        { groupId: 'workers', state: 'STABLE', members: 2 },
      ]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).toEqual(['apps']);
    } finally {
      admin.close();
    }
  });

  it('describes a share group and names an unknown one GROUP_ID_NOT_FOUND', async () => {
    const admin = groupAdmin();
    try {
      const [workers, unknown] = await admin.describeShareGroups(['workers', 'nope']);
      expect(workers).toEqual({
        groupId: 'workers',
        state: 'STABLE',
        groupEpoch: 5,
        assignmentEpoch: 5,
        members: [
          {
            memberId: 'm1',
            clientId: 'c1',
            memberEpoch: 5,
            subscribedTopicNames: ['t'],
            assigned: [
              { topic: 't', partition: 0 },
              { topic: 't', partition: 1 },
            ],
          },
          {
            memberId: 'm2',
            rackId: 'r1',
            clientId: 'c2',
            memberEpoch: 5,
            subscribedTopicNames: ['t'],
            assigned: [
              { topic: 't', partition: 0 },
              { topic: 't', partition: 1 },
            ],
          },
        ],
      });
      expect(unknown!.error?.errorName).toBe('GROUP_ID_NOT_FOUND');
      expect(unknown!.error?.message).toBe('GROUP_ID_NOT_FOUND: share group nope does not exist');
      await expect(admin.describeShareGroup('nope')).rejects.toMatchObject({ errorName: 'GROUP_ID_NOT_FOUND' });
      await expect(admin.describeShareGroups([''])).rejects.toMatchObject({ errorName: 'INVALID_GROUP_ID' });
    } finally {
      admin.close();
    }
  });

  it('reads share start offsets read-only (leader epoch -1), of the assigned partitions by default', async () => {
    const admin = groupAdmin();
    reads.length = 0;
    try {
      expect(await admin.listShareGroupOffsets('workers')).toEqual([
        { topic: 't', partition: 0, startOffset: 42 },
        { topic: 't', partition: 1, startOffset: null },
      ]);
      expect(reads.map((r) => [r.groupId, r.topic, r.partition, r.leaderEpoch]).sort()).toEqual([
        ['workers', 't', 0, -1],
        ['workers', 't', 1, -1],
      ]);
      expect(await admin.listShareGroupOffsets('idle', [{ topic: 't', partition: 0 }])).toEqual([
        { topic: 't', partition: 0, startOffset: 42 },
      ]);
      await expect(admin.listShareGroupOffsets('nope')).rejects.toMatchObject({ errorName: 'GROUP_ID_NOT_FOUND' });
    } finally {
      admin.close();
    }
  });
});

describe('share start offsets, pure', () => {
  it('reads each partition once, sorted, with a bounded number of reads in flight', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const persister: ShareStatePersister = {
      read: async (key, leaderEpoch) => {
        expect(leaderEpoch).toBe(-1);
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        return { stateEpoch: 1, startOffset: key.partition * 10, ranges: [] };
      },
      write: () => Promise.reject(new Error('read-only')),
    };
    const partitions = Array.from({ length: 40 }, (_, i) => ({
      topic: i % 2 === 0 ? 'b' : 'a',
      partition: Math.floor(i / 2),
    }));
    const offsets = await readShareStartOffsets(persister, 'g', [...partitions, ...partitions]);
    expect(offsets).toHaveLength(40);
    expect(offsets[0]).toEqual({ topic: 'a', partition: 0, startOffset: 0 });
    expect(offsets[39]).toEqual({ topic: 'b', partition: 19, startOffset: 190 });
    expect(mostInFlight).toBeLessThanOrEqual(16);
    await expect(readShareStartOffsets(persister, 'g', [{ topic: 't', partition: -1 }])).rejects.toMatchObject({
      errorName: 'INVALID_REQUEST',
    });
  });

  it("takes every member's assigned partitions once", () => {
    const members = [
      {
        memberId: 'a',
        clientId: '',
        memberEpoch: 1,
        subscribedTopicNames: [],
        assigned: [
          { topic: 'y', partition: 1 },
          { topic: 'x', partition: 0 },
        ],
      },
      {
        memberId: 'b',
        clientId: '',
        memberEpoch: 1,
        subscribedTopicNames: [],
        assigned: [{ topic: 'x', partition: 0 }],
      },
    ];
    expect(assignedPartitions({ members })).toEqual([
      { topic: 'x', partition: 0 },
      { topic: 'y', partition: 1 },
    ]);
  });
});
