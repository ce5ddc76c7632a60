import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '@sluice/protocol';
import type { Message } from '@sluice/raft';
import { decodeRaftMessage, encodeRaftMessage } from '../../src/raft/message-codec';
import { RaftDriver } from '../../src/raft/raft-driver';
import type { RaftDriverOptions, RaftTransport } from '../../src/raft/raft-driver';
import { ListStateMachine, waitFor } from './cluster-harness';

/** In-process network: messages go through the codec and arrive on a later macrotask; nodes can be cut off. */
class MemoryNetwork {
  readonly drivers = new Map<number, RaftDriver>();
  readonly isolated = new Set<number>();
  /** Nodes that send but hear nothing (their followers' answers are lost). */
  readonly deaf = new Set<number>();
  /** Persist-before-send, checked on the real disk: a vote grant leaves only once quorum-state holds that term and vote. */
  readonly contractViolations: string[] = [];
  voteGrantsChecked = 0;
  constructor(private readonly dirOf?: (id: number) => string) {}
  transport(): RaftTransport {
    return {
      send: (messages: readonly Message[]) => {
        for (const message of messages) {
          if (this.dirOf !== undefined && message.type === 'voteResponse' && !message.reject) {
            this.voteGrantsChecked++;
            let state: { term: number; vote: number | null } = { term: 0, vote: null };
            try {
              state = JSON.parse(readFileSync(join(this.dirOf(message.from), 'quorum-state'), 'utf8')) as typeof state;
            } catch {
              // no quorum-state yet: reported below as term 0
            }
            if (state.term !== message.term || state.vote !== message.to) {
              this.contractViolations.push(
                `node ${message.from} granted ${message.to} in term ${message.term}, disk says term ${state.term} vote ${state.vote}`,
              );
            }
          }
          if (this.isolated.has(message.from) || this.isolated.has(message.to) || this.deaf.has(message.to)) continue;
          const copy = decodeRaftMessage(encodeRaftMessage(message));
          setImmediate(() => this.drivers.get(copy.to)?.receive(copy));
        }
      },
      close: () => Promise.resolve(),
    };
  }
}

// Waits are bounded for hangs, not timed: a 2-core CI machine running the suite's other jest
// workers starves these timers (and the fsyncs of persist-before-send) for seconds at a time.
const HANG_BOUND_MS = 20_000;
/**
 * For the cases that need the leader they found to stay leader until they cut it off. With the
 * default 100 ms, a leader whose persist-before-send waits on a slow fsync (another worker's disk
 * traffic) sends no heartbeat for ten ticks and a follower on the same event loop campaigns;
 * check-quorum then takes half a second instead of 0.1 s.
 */
const STEADY_ELECTION_TIMEOUT_MS = 500;
jest.setTimeout(120_000);

describe('RaftDriver', () => {
  let root: string;
  let network: MemoryNetwork;
  const machines = new Map<number, ListStateMachine>();
  const fatal: unknown[] = [];

  async function startNodes(ids: number[], extra: Partial<RaftDriverOptions> = {}): Promise<void> {
    const voters = new Map(ids.map((id) => [id, `127.0.0.1:${9000 + id}`]));
    for (const id of ids) {
      const stateMachine = extra.stateMachine ?? new ListStateMachine();
      machines.set(id, stateMachine as ListStateMachine);
      const driver = new RaftDriver({
        nodeId: id,
        voters,
        dataDir: join(root, `n${id}`),
        stateMachine,
        transport: network.transport(),
        tickMs: 10,
        electionTimeoutMs: 100,
        heartbeatIntervalMs: 20,
        onFatal: (error) => fatal.push(error),
        ...extra,
      });
      network.drivers.set(id, driver);
      await driver.start();
    }
  }

  async function leader(): Promise<RaftDriver> {
    let found: RaftDriver | undefined;
    await waitFor(
      () =>
        (found = [...network.drivers.values()].find((d) => d.isLeader() && !network.isolated.has(d.nodeId))) !==
        undefined,
      HANG_BOUND_MS,
      'a leader',
    );
    return found as RaftDriver;
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sluice-raft-driver-'));
    network = new MemoryNetwork((id) => join(root, `n${id}`));
    machines.clear();
    fatal.length = 0;
  });
  afterEach(async () => {
    for (const driver of network.drivers.values()) await driver.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a single-voter quorum', async () => {
    await startNodes([1]);
    const driver = await leader();
    expect(await driver.propose([Buffer.from('x'), Buffer.from('y')])).toEqual({ index: 3 }); // 1 = the leader's no-op
    expect(machines.get(1)?.values).toEqual(['x', 'y']);
    expect(driver.committedIndex()).toBe(3);
    const read = driver.readCommitted(1, 1_000);
    expect(read.kind === 'entries' && read.entries.map((e) => Buffer.from(e.data).toString())).toEqual(['', 'x', 'y']);
  });

  it('rejects proposals of a leader cut off from the quorum, and its entry is overwritten', async () => {
    await startNodes([1, 2, 3], { maxPendingProposals: 2, electionTimeoutMs: STEADY_ELECTION_TIMEOUT_MS });
    const old = await leader();
    await old.propose([Buffer.from('ok')]);
    network.isolated.add(old.nodeId);
    const first = old.propose([Buffer.from('lost-1')]).catch((e: unknown) => e);
    const second = old.propose([Buffer.from('lost-2')]).catch((e: unknown) => e);
    const full = (await old.propose([Buffer.from('lost-3')]).catch((e: unknown) => e)) as ApiError;
    expect([full.errorName, full.retriable]).toEqual(['REQUEST_TIMED_OUT', true]);
    expect(full.message).toMatch(/queue is full/);
    for (const outcome of [await first, await second]) {
      expect(outcome).toBeInstanceOf(ApiError);
      expect((outcome as ApiError).errorName).toBe('NOT_CONTROLLER'); // check-quorum made it step down
    }
    const next = await leader();
    expect(next.nodeId).not.toBe(old.nodeId);
    await next.propose([Buffer.from('new')]);
    network.isolated.clear();
    await waitFor(
      () => [...machines.values()].every((m) => m.values.join() === 'ok,new'),
      HANG_BOUND_MS,
      'the old leader to converge',
    );
  });

  it('never sends a vote grant before its term and vote are on disk (several elections)', async () => {
    await startNodes([1, 2, 3]);
    for (let round = 0; round < 4; round++) {
      let current = await leader();
      // Right after a heal the previous round's isolated leader may briefly still believe it leads.
      for (let attempt = 0; ; attempt++) {
        const ok = await current.propose([Buffer.from(`r${round}`)]).then(
          () => true,
          () => false,
        );
        if (ok) break;
        if (attempt >= 20) throw new Error('no leader accepted a proposal');
        await new Promise((resolve) => setTimeout(resolve, 20));
        current = await leader();
      }
      const isolatedTerm = current.term;
      network.isolated.add(current.nodeId);
      // A leader of a later term: the previous round's deposed leader may still think it leads.
      await waitFor(
        () =>
          [...network.drivers.values()].some(
            (d) => d.isLeader() && d.nodeId !== current.nodeId && d.term > isolatedTerm,
          ),
        HANG_BOUND_MS,
        'a new leader',
      );
      network.isolated.clear();
    }
    expect(network.voteGrantsChecked).toBeGreaterThanOrEqual(4);
    expect(network.contractViolations).toEqual([]);
  });

  it('a deposed leader answers its proposal by the next leader: committed -> resolved, replaced -> not committed', async () => {
    // The deposed leader's wait for the next leader's verdict is long: an answer that came from the
    // next leader says "not committed"; one that came from the wait running out says "outcome unknown".
    await startNodes([1, 2, 3], { lostLeadershipWaitMs: 60_000, electionTimeoutMs: STEADY_ELECTION_TIMEOUT_MS });
    const first = await leader();
    await first.propose([Buffer.from('ok')]);
    // The followers get `kept` but their acks are lost: check-quorum deposes the leader, and the
    // next leader (its log holds `kept`) commits it. Before, the caller heard "outcome unknown".
    network.deaf.add(first.nodeId);
    const kept = first.propose([Buffer.from('kept')]);
    await waitFor(() => !first.isLeader(), HANG_BOUND_MS, 'check-quorum to depose the leader');
    network.deaf.clear();
    expect(await kept).toEqual({ index: expect.any(Number) });
    expect(machines.get(first.nodeId)?.values).toEqual(['ok', 'kept']);

    // Cut off entirely: `lost` never leaves, the next leader writes `other` at its index, and the
    // deposed leader learns so as soon as it hears from it (well before lostLeadershipWaitMs).
    const second = await leader();
    network.isolated.add(second.nodeId);
    const lost = second.propose([Buffer.from('lost')]).catch((e: unknown) => e);
    await waitFor(
      () => [...network.drivers.values()].some((d) => d.isLeader() && d.nodeId !== second.nodeId),
      HANG_BOUND_MS,
      'a new leader',
    );
    const third = await leader();
    await third.propose([Buffer.from('other')]);
    network.isolated.clear();
    const error = (await lost) as ApiError;
    expect([error.errorName, error.message]).toEqual(['NOT_CONTROLLER', expect.stringMatching(/not committed$/)]);
    await waitFor(
      () => [...machines.values()].every((m) => m.values.join() === 'ok,kept,other'),
      HANG_BOUND_MS,
      'every node to agree',
    );
  });

  it('times proposals out, and stop() rejects what is pending', async () => {
    await startNodes([1, 2, 3], { proposalTimeoutMs: 50, electionTimeoutMs: 1_000, heartbeatIntervalMs: 20 });
    const driver = await leader();
    network.isolated.add(driver.nodeId); // check-quorum needs 1 s here; the 50 ms timeout fires first
    const timedOut = (await driver.propose([Buffer.from('slow')]).catch((e: unknown) => e)) as ApiError;
    expect(timedOut.errorName).toBe('REQUEST_TIMED_OUT');
    const pending = driver.propose([Buffer.from('pending')]).catch((e: unknown) => e);
    await driver.stop();
    expect(((await pending) as ApiError).errorName).toBe('NOT_CONTROLLER');
  });

  it('stops and reports a fatal error when the state machine throws', async () => {
    const broken = new ListStateMachine();
    broken.apply = () => {
      throw new Error('apply bug');
    };
    await startNodes([1], { stateMachine: broken });
    await waitFor(() => fatal.length > 0, HANG_BOUND_MS, 'the fatal error');
    expect((fatal[0] as Error).message).toBe('apply bug');
    const error = (await network.drivers
      .get(1)!
      .propose([Buffer.from('x')])
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
  });

  it('refuses to start on corrupt storage, naming the file', async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(root, 'n1'), { recursive: true });
    writeFileSync(join(root, 'n1', 'quorum-state'), 'garbage');
    await expect(startNodes([1])).rejects.toThrow(/quorum-state at byte 0: not valid JSON/);
    expect(network.drivers.get(1)?.leaderId).toBeNull();
  });

  it('validates proposals and options', async () => {
    expect(
      () =>
        new RaftDriver({
          nodeId: 4,
          voters: new Map([[1, 'a:1']]),
          dataDir: root,
          stateMachine: new ListStateMachine(),
          transport: network.transport(),
        }),
    ).toThrow(/not among the voters/);
    await startNodes([1]);
    const driver = await leader();
    expect(((await driver.propose([]).catch((e: unknown) => e)) as ApiError).errorName).toBe('INVALID_REQUEST');
    expect(() => driver.transferLeadership(7)).toThrow(ApiError);
  });
});
