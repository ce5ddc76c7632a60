/**
 * CoordinatorShareStatePersister against scripted in-process coordinators (real gRPC on
 * loopback): it finds the share coordinator with FindCoordinator(SHARE) on `group:topic:partition`,
 * follows NOT_COORDINATOR hints, retries loading / unavailable coordinators with backoff until
 * its request timeout and then gives up with COORDINATOR_NOT_AVAILABLE (REQUEST_TIMED_OUT when the
 * last attempt hit the deadline), and never retries
 * fencing or invalid requests.
 */
import { CoordinatorShareStatePersister } from '@sluice/client';
import { serviceDefinition } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { startGrpcServer, unaryHandler, type StartedGrpcServer } from '@sluice/runtime';

type Script = (request: Record<string, unknown>) => unknown;

interface FakeCoordinator {
  readonly server: StartedGrpcServer;
  readonly calls: { method: string; request: Record<string, unknown> }[];
  script: Partial<Record<'FindCoordinator' | 'ReadShareGroupState' | 'WriteShareGroupState', Script>>;
}

async function fakeCoordinator(): Promise<FakeCoordinator> {
  const fake = { calls: [], script: {} } as unknown as { -readonly [K in keyof FakeCoordinator]: FakeCoordinator[K] };
  const handler = (method: 'FindCoordinator' | 'ReadShareGroupState' | 'WriteShareGroupState') =>
    unaryHandler((request: Record<string, unknown>) => {
      fake.calls.push({ method, request });
      const script = fake.script[method];
      if (script === undefined) throw new ApiError('UNSUPPORTED_VERSION', `no script for ${method}`);
      return script(request);
    });
  fake.server = await startGrpcServer({
    host: '127.0.0.1',
    port: 0,
    services: [
      {
        definition: serviceDefinition('Coordinator'),
        implementation: {
          FindCoordinator: handler('FindCoordinator'),
          ReadShareGroupState: handler('ReadShareGroupState'),
          WriteShareGroupState: handler('WriteShareGroupState'),
        },
      },
    ],
  });
  return fake;
}

const KEY = { groupId: 'g', topic: 't', partition: 0 };
const OK = { errorName: '', errorMessage: '' };
const SNAPSHOT = {
  stateEpoch: 2,
  startOffset: 7,
  ranges: [{ firstOffset: 7, lastOffset: 9, state: 'ARCHIVED' as const, deliveryCount: 3 }],
};

describe('CoordinatorShareStatePersister', () => {
  let locator: FakeCoordinator;
  let owner: FakeCoordinator;
  let persister: CoordinatorShareStatePersister | undefined;

  beforeEach(async () => {
    locator = await fakeCoordinator();
    owner = await fakeCoordinator();
    locator.script.FindCoordinator = (request) => ({
      coordinators: [
        { groupId: (request.groupIds as string[])[0], ...OK, nodeId: 2, address: owner.server.address, partition: 1 },
      ],
    });
  });

  afterEach(async () => {
    persister?.close();
    persister = undefined;
    await locator.server.stop(100);
    await owner.server.stop(100);
  });

  const make = (requestTimeoutMs: number): CoordinatorShareStatePersister =>
    (persister = new CoordinatorShareStatePersister({
      coordinators: [locator.server.address],
      requestTimeoutMs,
      retryBackoffMs: 20,
      retryBackoffMaxMs: 50,
    }));

  it('finds the share coordinator by key, writes and reads through it', async () => {
    const stored: Record<string, unknown>[] = [];
    owner.script.WriteShareGroupState = (request) => {
      stored.push(request);
      return OK;
    };
    owner.script.ReadShareGroupState = () => ({
      ...OK,
      found: true,
      stateEpoch: 2,
      startOffset: '7',
      ranges: [{ firstOffset: '7', lastOffset: '9', state: 'ARCHIVED', deliveryCount: 3 }],
    });
    const p = make(2_000);
    await p.write(KEY, 5, SNAPSHOT, 'snapshot');
    expect(await p.read(KEY, 5)).toEqual(SNAPSHOT);
    expect(locator.calls).toEqual([{ method: 'FindCoordinator', request: { groupIds: ['g:t:0'], keyType: 'SHARE' } }]);
    expect(stored[0]).toMatchObject({
      groupId: 'g',
      topic: 't',
      partition: 0,
      leaderEpoch: 5,
      stateEpoch: 2,
      startOffset: '7',
      snapshot: true,
    });
    owner.script.ReadShareGroupState = () => ({ ...OK, found: false, stateEpoch: 0, startOffset: '0', ranges: [] });
    expect(await p.read({ ...KEY, partition: 1 }, -1)).toBeNull();
  });

  it('retries a loading coordinator and follows a NOT_COORDINATOR hint', async () => {
    let loading = 2;
    owner.script.WriteShareGroupState = () => {
      if (loading-- > 0) throw new ApiError('COORDINATOR_LOAD_IN_PROGRESS', 'loading');
      return OK;
    };
    const p = make(5_000);
    await p.write(KEY, 1, SNAPSHOT, 'update');
    expect(p.stats.retries).toBe(2);
    // The owner moves: the old one names the new one.
    const moved = await fakeCoordinator();
    try {
      moved.script.WriteShareGroupState = () => OK;
      owner.script.WriteShareGroupState = () => {
        throw new ApiError('NOT_COORDINATOR', 'moved', { coordinatorAddress: moved.server.address });
      };
      await p.write(KEY, 1, SNAPSHOT, 'update');
      expect(moved.calls.map((c) => c.method)).toEqual(['WriteShareGroupState']);
    } finally {
      await moved.server.stop(100);
    }
  });

  it('never retries fencing or invalid requests', async () => {
    for (const name of ['FENCED_LEADER_EPOCH', 'FENCED_STATE_EPOCH', 'INVALID_REQUEST']) {
      owner.calls.length = 0;
      owner.script.WriteShareGroupState = () => ({ errorName: name, errorMessage: 'no' });
      const p = make(5_000);
      await expect(p.write(KEY, 1, SNAPSHOT, 'update')).rejects.toMatchObject({ errorName: name });
      expect(owner.calls).toHaveLength(1);
      p.close();
    }
  });

  it('gives up after its request timeout with COORDINATOR_NOT_AVAILABLE', async () => {
    owner.script.ReadShareGroupState = () => {
      throw new ApiError('COORDINATOR_NOT_AVAILABLE', 'down');
    };
    const p = make(600);
    const startedMs = Date.now();
    // REQUEST_TIMED_OUT when the last attempt itself ran into the deadline (a loaded machine).
    const failure = await p.read(KEY, 1).then(
      () => 'resolved',
      (error: unknown) => (error instanceof ApiError ? error.errorName : String(error)),
    );
    expect(['COORDINATOR_NOT_AVAILABLE', 'REQUEST_TIMED_OUT']).toContain(failure);
    const elapsedMs = Date.now() - startedMs;
    expect(elapsedMs).toBeLessThan(3_000);
    expect(owner.calls.length).toBeGreaterThan(1);
    // No coordinator answering FindCoordinator at all ends the same way.
    locator.script.FindCoordinator = () => {
      throw new ApiError('COORDINATOR_NOT_AVAILABLE', 'nobody');
    };
    const q = new CoordinatorShareStatePersister({
      coordinators: [locator.server.address],
      requestTimeoutMs: 300,
      retryBackoffMs: 20,
      retryBackoffMaxMs: 50,
    });
    try {
      const nobody = await q.write({ ...KEY, partition: 9 }, 1, SNAPSHOT, 'snapshot').then(
        () => 'resolved',
        (error: unknown) => (error instanceof ApiError ? error.errorName : String(error)),
      );
      expect(['COORDINATOR_NOT_AVAILABLE', 'REQUEST_TIMED_OUT']).toContain(nobody);
    } finally {
      q.close();
    }
  });
});
