/**
 * The Admin's consumer group operations against fake coordinators on loopback (gRPC, OS-chosen
 * ports): listGroups merges every coordinator's answer and names the one that did not answer;
 * each group goes to the coordinator FindCoordinator names, and a coordinator error (per item or
 * for the whole call, with the new owner's address) is looked up again and retried; Kafka's
 * error names reach the caller per group or partition; bad input is refused before any call.
 */
import { ApiError } from '@sluice/protocol';
import { serviceDefinition, type OffsetCommitRequest__Output } from '@sluice/proto';
import { startGrpcServer, unaryHandler, type StartedGrpcServer } from '@sluice/runtime';
import { Admin, GroupAdmin } from '../src';

interface Fake {
  server: StartedGrpcServer;
  calls: { method: string; request: unknown }[];
}

type Handlers = Record<string, (request: never) => unknown>;

async function fakeCoordinator(handlers: () => Handlers): Promise<Fake> {
  const calls: Fake['calls'] = [];
  const implementation = Object.fromEntries(
    Object.keys(serviceDefinition('Coordinator')).map((method) => [
      method,
      unaryHandler((request: unknown) => {
        calls.push({ method, request });
        const handler = handlers()[method];
        if (handler === undefined) throw new ApiError('UNSUPPORTED_VERSION', `${method} is not faked`);
        return handler(request as never);
      }),
    ]),
  );
  const server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [{ definition: serviceDefinition('Coordinator'), implementation }],
  });
  return { server, calls };
}

const member = {
  memberId: 'm-1',
  instanceId: 'static-a',
  rackId: '',
  clientId: 'app',
  memberEpoch: 4,
  state: 'STABLE',
  subscribedTopicNames: ['t'],
  subscribedTopicRegex: '',
  assigned: [{ topic: 't', partitions: [2, 0] }],
  pendingRevocation: [],
  target: [{ topic: 't', partitions: [0, 2] }],
};

describe('Admin consumer group operations', () => {
  let a: Fake;
  let b: Fake;
  let deadAddress: string;
  let describeMovedOnce = true;
  let lookupFailsOnce = true;

  beforeAll(async () => {
    const dead = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [] });
    deadAddress = dead.address;
    await dead.stop();
    // Every coordinator answers FindCoordinator alike: g1 and g3 live on b, g2 on a.
    const find = (request: { groupIds: string[] }): unknown => ({
      coordinators: request.groupIds.map((groupId) => {
        if (groupId === 'g3' && lookupFailsOnce) {
          lookupFailsOnce = false;
          return {
            groupId,
            errorName: 'COORDINATOR_NOT_AVAILABLE',
            errorMessage: 'loading',
            nodeId: -1,
            address: '',
            partition: 0,
          };
        }
        const owner = groupId === 'g2' ? a : b;
        return {
          groupId,
          errorName: '',
          errorMessage: '',
          nodeId: groupId === 'g2' ? 1 : 2,
          address: owner.server.address,
          partition: 0,
        };
      }),
    });
    a = await fakeCoordinator(() => ({
      FindCoordinator: find,
      ListGroups: () => ({ groups: [{ groupId: 'g2', state: 'STABLE', members: 1 }] }),
      DescribeGroups: (request: { groupIds: string[] }) => ({
        groups: request.groupIds.map((groupId) => {
          if (describeMovedOnce) {
            describeMovedOnce = false;
            return {
              groupId,
              errorName: 'NOT_COORDINATOR',
              errorMessage: 'moving',
              state: 'DEAD',
              groupEpoch: 0,
              assignmentEpoch: 0,
              assignor: '',
              members: [],
            };
          }
          return {
            groupId,
            errorName: '',
            errorMessage: '',
            state: 'STABLE',
            groupEpoch: 7,
            assignmentEpoch: 7,
            assignor: 'uniform',
            members: [member],
          };
        }),
      }),
      // a no longer owns anything it is asked to commit for: the whole call names b.
      OffsetCommit: () => {
        throw new ApiError('NOT_COORDINATOR', 'not the coordinator of this group', {
          coordinatorAddress: b.server.address,
        });
      },
    }));
    b = await fakeCoordinator(() => ({
      FindCoordinator: find,
      // Two pages: the admin follows next_page_token.
      ListGroups: (request: { pageToken: string }) =>
        request.pageToken === ''
          ? { groups: [{ groupId: 'g1', state: 'EMPTY', members: 0 }], nextPageToken: 'after-g1' }
          : {
              groups: [
                { groupId: 'g2', state: 'STABLE', members: 1 },
                { groupId: 'g3', state: 'EMPTY', members: 0 },
              ],
              nextPageToken: '',
            },
      DescribeGroups: (request: { groupIds: string[] }) => ({
        groups: request.groupIds.map((groupId) => ({
          groupId,
          errorName: '',
          errorMessage: '',
          state: 'DEAD',
          groupEpoch: 0,
          assignmentEpoch: 0,
          assignor: '',
          members: [],
        })),
      }),
      DeleteGroups: (request: { groupIds: string[] }) => ({
        groups: request.groupIds.map((groupId) =>
          groupId === 'g1'
            ? { groupId, errorName: 'NON_EMPTY_GROUP', errorMessage: 'group g1 has 1 member(s)' }
            : { groupId, errorName: '', errorMessage: '' },
        ),
      }),
      OffsetCommit: (request: OffsetCommitRequest__Output) => ({
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) =>
            p.partition === 9
              ? { partition: 9, errorName: 'UNKNOWN_TOPIC_OR_PARTITION', errorMessage: 't-9 does not exist' }
              : { partition: p.partition, errorName: '', errorMessage: '' },
          ),
        })),
      }),
      OffsetFetch: () => ({
        offsets: [
          { topic: 't', partition: 1, offset: '-1', leaderEpoch: -1, metadata: '' },
          { topic: 't', partition: 0, offset: '42', leaderEpoch: 3, metadata: 'm' },
        ],
      }),
    }));
  });

  afterAll(async () => {
    await a?.server.stop();
    await b?.server.stop();
  });

  const groupAdmin = (): GroupAdmin =>
    new GroupAdmin({
      coordinators: [deadAddress, a.server.address, b.server.address],
      timeoutMs: 5_000,
      retryBackoffMs: 10,
      retryBackoffMaxMs: 50,
    });

  it('listGroups asks every coordinator, merges and sorts, and names the one that did not answer', async () => {
    const admin = groupAdmin();
    try {
      const listed = await admin.listGroups();
      expect(listed.groups).toEqual([
        { groupId: 'g1', state: 'EMPTY', members: 0 },
        { groupId: 'g2', state: 'STABLE', members: 1 },
        { groupId: 'g3', state: 'EMPTY', members: 0 },
      ]);
      expect(listed.errors.map((e) => e.coordinator)).toEqual([deadAddress]);
      expect(listed.errors[0]!.error).toBeInstanceOf(ApiError);
    } finally {
      admin.close();
    }
  });

  it('describeGroups routes each group, retries a moved coordinator, and names an unknown group', async () => {
    const admin = groupAdmin();
    try {
      const described = await admin.describeGroups(['g2', 'g1']);
      expect(described.map((g) => g.groupId)).toEqual(['g2', 'g1']);
      expect(described[0]).toEqual({
        groupId: 'g2',
        state: 'STABLE',
        groupEpoch: 7,
        assignmentEpoch: 7,
        assignor: 'uniform',
        members: [
          {
            memberId: 'm-1',
            instanceId: 'static-a',
            clientId: 'app',
            memberEpoch: 4,
            state: 'STABLE',
            subscribedTopicNames: ['t'],
            assigned: [
              { topic: 't', partition: 0 },
              { topic: 't', partition: 2 },
            ],
            pendingRevocation: [],
            target: [
              { topic: 't', partition: 0 },
              { topic: 't', partition: 2 },
            ],
          },
        ],
      });
      expect(a.calls.filter((c) => c.method === 'DescribeGroups')).toHaveLength(2);
      expect(described[1]!.error?.errorName).toBe('GROUP_ID_NOT_FOUND');
      await expect(admin.describeGroup('g1')).rejects.toMatchObject({ errorName: 'GROUP_ID_NOT_FOUND' });
    } finally {
      admin.close();
    }
  });

  it('deleteGroups answers per group, retrying a group whose coordinator was not yet available', async () => {
    const admin = groupAdmin();
    try {
      const results = await admin.deleteGroups(['g1', 'g3']);
      expect(results[0]!.groupId).toBe('g1');
      expect(results[0]!.error?.errorName).toBe('NON_EMPTY_GROUP');
      expect(results[1]).toEqual({ groupId: 'g3' });
      expect(lookupFailsOnce).toBe(false);
    } finally {
      admin.close();
    }
  });

  it('alterGroupOffsets is an admin commit, follows NOT_COORDINATOR to the named owner, and answers per partition', async () => {
    const admin = groupAdmin();
    try {
      // g2 lives on a per FindCoordinator; a refuses the commit and names b.
      const results = await admin.alterGroupOffsets('g2', [
        { topic: 't', partition: 0, offset: 5 },
        { topic: 't', partition: 9, offset: 1 },
      ]);
      expect(results[0]).toEqual({ topic: 't', partition: 0 });
      expect(results[1]!.error?.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
      const sent = b.calls.find((c) => c.method === 'OffsetCommit')!.request as OffsetCommitRequest__Output;
      expect(sent).toMatchObject({ groupId: 'g2', memberId: '', memberEpoch: -1 });
      expect(sent.topics[0]!.partitions.map((p) => [p.partition, String(p.offset)])).toEqual([
        [0, '5'],
        [9, '1'],
      ]);
    } finally {
      admin.close();
    }
  });

  it('listGroupOffsets leaves out partitions without a commit', async () => {
    const admin = groupAdmin();
    try {
      expect(await admin.listGroupOffsets('g1')).toEqual([
        { topic: 't', partition: 0, offset: 42, leaderEpoch: 3, metadata: 'm' },
      ]);
    } finally {
      admin.close();
    }
  });

  it('refuses bad input before any call, and group operations without coordinators', async () => {
    const admin = groupAdmin();
    const before = a.calls.length + b.calls.length;
    try {
      await expect(admin.alterGroupOffsets('g1', [{ topic: 't', partition: 0, offset: -3 }])).rejects.toMatchObject({
        errorName: 'INVALID_REQUEST',
      });
      await expect(admin.describeGroups([''])).rejects.toMatchObject({ errorName: 'INVALID_GROUP_ID' });
      expect(a.calls.length + b.calls.length).toBe(before);
    } finally {
      admin.close();
    }
    const controllersOnly = new Admin({ bootstrap: '127.0.0.1:1' });
    try {
      await expect(controllersOnly.listGroups()).rejects.toMatchObject({ errorName: 'INVALID_CONFIG' });
    } finally {
      controllersOnly.close();
    }
  });
});
