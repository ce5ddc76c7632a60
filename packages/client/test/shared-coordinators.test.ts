/**
 * Group members of one process share their coordinator clients and FindCoordinator answers
 * (shared-coordinators.ts), against coordinators on loopback (gRPC, OS-chosen ports) that answer
 * as a moving coordinator does:
 * - 20 members joining at once send one FindCoordinator between them, not 20;
 * - when the group's coordinator moves (its heartbeats answer NOT_COORDINATOR, FindCoordinator
 *   now names the other), every member forgets the old address, the process looks it up again
 *   (a few times at most, not once per member) and every member heartbeats at the new one;
 * - the subscribed topic names go with the join only, not with every heartbeat after it.
 */
import { ApiError } from '@sluice/protocol';
import { serviceDefinition } from '@sluice/proto';
import { startGrpcServer, unaryHandler, type StartedGrpcServer } from '@sluice/runtime';
import { GroupMembership } from '../src';
import { SharedCoordinators } from '../src/shared-coordinators';

jest.setTimeout(60_000);

interface Coordinator {
  server: StartedGrpcServer;
  calls: Map<string, number>;
  /** Heartbeats after a join (epoch > 0) that carried topic names. */
  namesAfterJoin: number;
}

const MEMBERS = 20;

describe('members of one process share coordinator lookups', () => {
  let a: Coordinator;
  let b: Coordinator;
  /** Which of the two owns the group now. */
  let owner: () => Coordinator;

  async function coordinator(name: string): Promise<Coordinator> {
    const calls = new Map<string, number>();
    const count = (method: string): void => void calls.set(method, (calls.get(method) ?? 0) + 1);
    const self = { calls, namesAfterJoin: 0 } as Coordinator;
    const implementation = {
      ...Object.fromEntries(
        Object.keys(serviceDefinition('Coordinator')).map((method) => [
          method,
          unaryHandler(() => {
            throw new ApiError('UNSUPPORTED_VERSION', `${method} is not served here`);
          }),
        ]),
      ),
      FindCoordinator: unaryHandler((request: { groupIds: string[] }) => {
        count('FindCoordinator');
        return {
          coordinators: request.groupIds.map((groupId) => ({
            groupId,
            errorName: '',
            errorMessage: '',
            nodeId: owner() === a ? 1 : 2,
            address: owner().server.address,
            partition: 0,
          })),
        };
      }),
      ConsumerGroupHeartbeat: unaryHandler((request: { memberEpoch: number; subscribedTopicNames: string[] }) => {
        count('ConsumerGroupHeartbeat');
        if (request.memberEpoch > 0 && request.subscribedTopicNames.length > 0) self.namesAfterJoin++;
        if (owner() !== self) throw new ApiError('NOT_COORDINATOR', `${name} no longer owns the group`);
        return {
          memberId: '',
          memberEpoch: Math.max(1, request.memberEpoch),
          heartbeatIntervalMs: 100,
          assignment: [],
          assignmentSet: false,
        };
      }),
    };
    self.server = await startGrpcServer({
      host: '127.0.0.1',
      port: 0,
      services: [{ definition: serviceDefinition('Coordinator'), implementation }],
    });
    return self;
  }

  beforeAll(async () => {
    a = await coordinator('a');
    b = await coordinator('b');
    owner = () => a;
  });

  afterAll(async () => {
    await a.server.stop();
    await b.server.stop();
  });

  it('looks the coordinator up once for many members, and again once it moved', async () => {
    const probe = SharedCoordinators.acquire(undefined);
    const lookupsBefore = probe.lookups;
    const members = Array.from(
      { length: MEMBERS },
      (_, i) =>
        new GroupMembership(
          {
            groupId: 'shared',
            coordinators: [a.server.address, b.server.address],
            clientId: `m${i}`,
            wakeups: false,
            retryBackoffMs: 20,
            retryBackoffMaxMs: 100,
          },
          { setAssignment: () => undefined, positions: () => [], autoCommit: false, lastPollMs: () => Date.now() },
        ),
    );
    try {
      for (const member of members) member.subscribe(['t']);
      const deadline = Date.now() + 20_000;
      while (members.some((m) => m.epoch <= 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(members.every((m) => m.epoch > 0)).toBe(true);
      expect(probe.lookups - lookupsBefore).toBe(1);
      expect((a.calls.get('FindCoordinator') ?? 0) + (b.calls.get('FindCoordinator') ?? 0)).toBe(1);

      // The group moves to b: a answers NOT_COORDINATOR (no hint), FindCoordinator names b.
      owner = () => b;
      const heartbeatsAtB = b.calls.get('ConsumerGroupHeartbeat') ?? 0;
      const movedDeadline = Date.now() + 20_000;
      // Every member heartbeats every 100 ms: after the move each must reach b at least twice.
      while (Date.now() < movedDeadline) {
        if (
          (b.calls.get('ConsumerGroupHeartbeat') ?? 0) - heartbeatsAtB >= 2 * MEMBERS &&
          members.every((m) => m.error === null)
        )
          break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((b.calls.get('ConsumerGroupHeartbeat') ?? 0) - heartbeatsAtB).toBeGreaterThanOrEqual(2 * MEMBERS);
      expect(members.every((m) => m.error === null)).toBe(true);
      const lookupsAfterMove = probe.lookups - lookupsBefore - 1;
      expect(lookupsAfterMove).toBeGreaterThanOrEqual(1);
      // Members that met NOT_COORDINATOR while a lookup was out joined it; far fewer than one per member.
      expect(lookupsAfterMove).toBeLessThan(MEMBERS / 2);
      // No member still heartbeats at a: its heartbeats stopped growing.
      const atA = a.calls.get('ConsumerGroupHeartbeat') ?? 0;
      await new Promise((r) => setTimeout(r, 500));
      expect(a.calls.get('ConsumerGroupHeartbeat') ?? 0).toBe(atA);
      expect(a.namesAfterJoin + b.namesAfterJoin).toBe(0);
    } finally {
      // leave() twice at once (as a close() racing another) releases the shared clients once.
      await Promise.all(members.flatMap((m) => [m.leave(), m.leave()]));
      probe.release();
    }
  });
});
