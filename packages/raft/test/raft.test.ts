import { MemoryRaftStorage, RaftInvariantError, RaftNode } from '@sluice/raft';
import type { AppendRequest, Message, VoteRequest } from '@sluice/raft';
import { Harness } from './harness';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('RaftNode: election and replication', () => {
  it('elects a leader, replicates, commits by majority and applies everywhere in order', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.proposeOk(1, 'a', 'b');
    h.proposeOk(1, 'c');
    h.tickAll(2); // heartbeats carry the final commit index to followers
    for (const id of [1, 2, 3]) {
      expect(h.appliedPayloads(id)).toEqual(['a', 'b', 'c']);
      expect(h.node(id).status()).toMatchObject({ term: 1, leaderId: 1, commitIndex: 4 });
    }
  });

  it('appends an empty entry of the new term on election, which commits earlier entries', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    const [noop] = h.node(1).entries(1, 2);
    expect(noop).toMatchObject({ term: 1, index: 1 });
    expect(noop?.data.byteLength).toBe(0);
    expect(h.node(1).status().commitIndex).toBe(1);
  });

  it('draws the election timeout from [electionTimeoutTicks, 2 * electionTimeoutTicks) via the injected rng', () => {
    for (const [draw, expectedTicks] of [
      [0, 10],
      [0.5, 15],
      [0.9999, 19],
    ] as const) {
      const storage = new MemoryRaftStorage({ voters: [1, 2, 3], observers: [] });
      const node = new RaftNode(
        { id: 1, voters: [1, 2, 3], electionTimeoutTicks: 10, heartbeatIntervalTicks: 1, rng: () => draw },
        storage,
      );
      let ticks = 0;
      while (node.status().role === 'follower') {
        node.tick();
        ticks++;
      }
      expect(ticks).toBe(expectedTicks);
    }
  });

  it('rejects an rng outside [0, 1)', () => {
    const storage = new MemoryRaftStorage({ voters: [1], observers: [] });
    expect(
      () =>
        new RaftNode(
          { id: 1, voters: [1], electionTimeoutTicks: 10, heartbeatIntervalTicks: 1, rng: () => 1 },
          storage,
        ),
    ).toThrow(RaftInvariantError);
  });

  it('a single voter leads and commits on its own', () => {
    const h = new Harness({ voters: [1] });
    h.elect(1);
    h.proposeOk(1, 'solo');
    expect(h.appliedPayloads(1)).toEqual(['solo']);
  });

  it('keeps a follower that lost acknowledgements in sync via heartbeats (flow control recovers)', () => {
    const h = new Harness({ voters: [1, 2, 3], config: { maxInflightAppends: 1, maxAppendEntries: 1 } });
    h.elect(1);
    h.cutLink(2, 1); // node 2's acknowledgements are lost
    for (let k = 0; k < 5; k++) h.proposeOk(1, `e${k}`);
    h.healAll();
    h.tickAll(12);
    expect(h.appliedPayloads(2)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });
});

describe('RaftNode: proposals', () => {
  it('answers a proposal to a follower with NOT_LEADER and the leader it knows', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    const result = h.node(2).propose([bytes('x')]);
    expect(result).toEqual({ ok: false, error: { code: 'NOT_LEADER', leaderId: 1, term: 1, retriable: true } });
  });

  it('answers NOT_LEADER without a hint when no leader is known', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    const result = h.node(2).propose([bytes('x')]);
    expect(result).toEqual({ ok: false, error: { code: 'NOT_LEADER', leaderId: null, term: 0, retriable: true } });
  });

  it('bounds the proposal queue: PROPOSAL_QUEUE_FULL once maxUncommittedEntries are pending', () => {
    const h = new Harness({ voters: [1, 2, 3], config: { maxUncommittedEntries: 3 } });
    h.elect(1);
    h.isolate(1);
    expect(h.node(1).propose([bytes('a'), bytes('b')]).ok).toBe(true);
    expect(h.node(1).propose([bytes('c')]).ok).toBe(true);
    expect(h.node(1).propose([bytes('d')])).toEqual({
      ok: false,
      error: { code: 'PROPOSAL_QUEUE_FULL', retriable: true },
    });
    h.healAll();
    h.tickAll(3);
    expect(h.node(1).propose([bytes('d')]).ok).toBe(true); // drained by commit
  });

  it('refuses an empty proposal', () => {
    const h = new Harness({ voters: [1] });
    h.elect(1);
    expect(h.node(1).propose([])).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('bounds append size and pipelining per follower', () => {
    const h = new Harness({ voters: [1, 2, 3], config: { maxInflightAppends: 2, maxAppendEntries: 2 } });
    h.elect(1);
    h.tickAll(1);
    h.drain();
    h.queue = [];
    expect(h.node(1).propose([1, 2, 3, 4, 5, 6, 7].map((k) => bytes(`p${k}`))).ok).toBe(true);
    h.drain();
    const toTwo = h.queue.filter((m): m is AppendRequest => m.type === 'append' && m.to === 2);
    expect(toTwo).toHaveLength(2); // inflight window of two messages
    expect(toTwo.every((m) => m.entries.length <= 2)).toBe(true);
  });
});

describe('RaftNode: the leader commit a follower has seen (readiness)', () => {
  it('tracks the leader commit a cut-off follower missed and catches up with it on return', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.tickAll(2);
    expect(h.node(3).status()).toMatchObject({ leaderCommitIndex: 1, commitIndex: 1 });
    h.isolate(3);
    h.proposeOk(1, 'a', 'b', 'c');
    // The leader's own value is its commit; the cut-off follower still knows only the old one.
    expect(h.node(1).status()).toMatchObject({ leaderCommitIndex: 4, commitIndex: 4 });
    expect(h.node(3).status()).toMatchObject({ leaderId: 1, leaderCommitIndex: 1, commitIndex: 1 });
    h.healAll();
    h.tickAll(3);
    expect(h.node(3).status()).toMatchObject({ leaderId: 1, leaderCommitIndex: 4, commitIndex: 4 });
  });

  it('is 0 while no leader is known', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    expect(h.node(2).status().leaderCommitIndex).toBe(0);
    h.elect(1);
    h.isolate(3);
    for (let k = 0; k < 100; k++) {
      h.tick(3);
      h.deliverAll();
    }
    expect(h.node(3).status()).toMatchObject({ role: 'preCandidate', leaderId: null, leaderCommitIndex: 0 });
  });
});

describe('RaftNode: pre-vote and check-quorum', () => {
  it('pre-vote keeps a partitioned node from inflating its term and disrupting the leader on return', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.isolate(3);
    for (let k = 0; k < 100; k++) {
      h.tick(3);
      h.deliverAll();
    }
    expect(h.node(3).status().term).toBe(1);
    expect(h.node(3).status().role).toBe('preCandidate');
    h.healAll();
    h.tickAll(5);
    expect(h.node(1).status()).toMatchObject({ role: 'leader', term: 1 });
    expect(h.node(3).status()).toMatchObject({ role: 'follower', term: 1, leaderId: 1 });
  });

  it('without pre-vote the same partition inflates the term (the problem pre-vote solves)', () => {
    const h = new Harness({ voters: [1, 2, 3], config: { preVote: false } });
    h.elect(1);
    h.isolate(3);
    for (let k = 0; k < 100; k++) h.tick(3);
    expect(h.node(3).status().term).toBeGreaterThan(5);
  });

  it('check-quorum: a leader that hears from no majority within an election timeout steps down', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.tickAll(3);
    h.isolate(1);
    for (let k = 0; k < 20 && h.node(1).status().role === 'leader'; k++) {
      h.tick(1);
      h.deliverAll();
    }
    expect(h.node(1).status()).toMatchObject({ role: 'follower', leaderId: null, term: 1 });
  });

  it('leader lease: a follower that heard from its leader recently ignores (pre)votes', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.tickAll(2);
    const preVote: VoteRequest = {
      type: 'preVote',
      from: 3,
      to: 2,
      term: 2,
      lastLogIndex: 100,
      lastLogTerm: 1,
      leadershipTransfer: false,
    };
    h.node(2).step(preVote);
    const vote: VoteRequest = { ...preVote, type: 'vote' };
    h.node(2).step(vote);
    h.drainNode(2);
    expect(h.queue.filter((m) => m.from === 2 && (m.type === 'voteResponse' || m.type === 'preVoteResponse'))).toEqual(
      [],
    );
    expect(h.node(2).status()).toMatchObject({ term: 1, leaderId: 1, vote: 1 });
  });
});

describe('RaftNode: a lost connection to the leader (peerConnectionLost)', () => {
  it('the survivors elect a new leader within round trips, without waiting out an election timeout', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.proposeOk(1, 'a');
    h.isolate(1); // killed: nothing reaches it or comes from it
    h.node(2).peerConnectionLost(1);
    h.node(3).peerConnectionLost(1);
    h.deliverAll(); // no tick at all
    expect(h.node(2).status()).toMatchObject({ role: 'leader', term: 2, leaderId: 2 });
    expect(h.node(3).status()).toMatchObject({ role: 'follower', term: 2, leaderId: 2 });
    h.proposeOk(2, 'b');
    h.tick(2);
    h.deliverAll();
    expect(h.appliedPayloads(3)).toEqual(['a', 'b']);
  });

  it('a later-ranked survivor waits half an election timeout, so two survivors do not split the vote', () => {
    const h = new Harness({ voters: [1, 2, 3] }); // electionTimeoutTicks 10: stagger 5 ticks
    h.elect(1);
    h.isolate(1);
    h.node(3).peerConnectionLost(1); // rank 1 among the survivors [2, 3]
    h.tick(3, 4);
    expect(h.node(3).status()).toMatchObject({ role: 'follower', leaderId: null, term: 1 });
    h.tick(3);
    expect(h.node(3).status().role).toBe('preCandidate');
    // Node 2 never saw the connection close and still honours node 1's lease: no pre-vote, no term.
    h.deliverAll();
    expect(h.node(3).status()).toMatchObject({ role: 'preCandidate', term: 1 });
    expect(h.node(2).status()).toMatchObject({ role: 'follower', term: 1, leaderId: 1 });
  });

  it('a survivor that granted an earlier survivor its pre-vote does not start a rival campaign', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.isolate(1);
    h.node(3).peerConnectionLost(1); // rank 1: would campaign after 5 ticks
    h.tick(3, 3);
    h.node(2).peerConnectionLost(1); // rank 0, and slow to hear: pre-votes now
    h.drainNode(2);
    // Deliver only node 2's pre-vote to node 3, and hold node 3's answer (node 2 is slow).
    const preVote = h.queue.find((m) => m.type === 'preVote' && m.to === 3)!;
    h.queue = [];
    h.node(3).step(preVote);
    h.drainNode(3);
    expect(h.queue.filter((m) => m.type === 'preVoteResponse' && !m.reject).map((m) => m.to)).toEqual([2]);
    h.queue = [];
    h.tick(3, 2); // its stagger has passed: no campaign of its own for a campaign's time (5 ticks)
    expect(h.node(3).status()).toMatchObject({ role: 'follower', term: 1 });
    expect(h.queue.filter((m) => m.from === 3 && (m.type === 'preVote' || m.type === 'vote'))).toEqual([]);
    h.tick(3, 3); // node 2's campaign never finished: node 3 goes itself
    expect(h.node(3).status().role).toBe('preCandidate');
  });

  it('a false report while the leader lives costs one refused pre-vote round and no term', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.tickAll(2);
    h.node(2).peerConnectionLost(1);
    expect(h.node(2).status()).toMatchObject({ role: 'preCandidate', term: 1, leaderId: null });
    h.deliverAll();
    h.tickAll(1); // the leader's next heartbeat brings node 2 back
    expect(h.node(1).status()).toMatchObject({ role: 'leader', term: 1 });
    for (const id of [2, 3]) expect(h.node(id).status()).toMatchObject({ role: 'follower', term: 1, leaderId: 1 });
  });

  it('is ignored for a peer that is not the leader, by an observer, by the leader, and without pre-vote', () => {
    const h = new Harness({ voters: [1, 2, 3], observers: [4] });
    h.elect(1);
    h.tickAll(2);
    const before = [1, 2, 3, 4].map((id) => h.node(id).status());
    h.node(2).peerConnectionLost(3);
    h.node(4).peerConnectionLost(1);
    h.node(1).peerConnectionLost(2);
    expect([1, 2, 3, 4].map((id) => h.node(id).status())).toEqual(before);
    expect([1, 2, 3, 4].some((id) => h.node(id).hasReady())).toBe(false);

    const withoutPreVote = new Harness({ voters: [1, 2, 3], config: { preVote: false } });
    withoutPreVote.elect(1);
    withoutPreVote.tickAll(2);
    withoutPreVote.node(2).peerConnectionLost(1);
    expect(withoutPreVote.node(2).status()).toMatchObject({ role: 'follower', term: 1, leaderId: 1 });
  });
});

describe('RaftNode: leadership transfer', () => {
  it('hands leadership to the target, which wins the next term at once', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.proposeOk(1, 'before');
    expect(h.node(1).transferLeadership(2).ok).toBe(true);
    h.deliverAll();
    expect(h.node(2).status()).toMatchObject({ role: 'leader', term: 2 });
    expect(h.node(1).status()).toMatchObject({ role: 'follower', leaderId: 2 });
    h.proposeOk(2, 'after');
    h.tickAll(2);
    expect(h.appliedPayloads(3)).toEqual(['before', 'after']);
  });

  it('catches a lagging target up first, and refuses proposals meanwhile', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.isolate(3);
    h.proposeOk(1, 'x');
    expect(h.node(1).transferLeadership(3).ok).toBe(true);
    expect(h.node(1).propose([bytes('y')])).toMatchObject({
      ok: false,
      error: { code: 'LEADERSHIP_TRANSFER_IN_PROGRESS', transfereeId: 3 },
    });
    h.healAll();
    h.tickAll(3);
    expect(h.node(3).status()).toMatchObject({ role: 'leader', term: 2 });
    expect(h.node(3).termAt(2)).toBe(1);
  });

  it('abandons a transfer that does not finish within an election timeout', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.isolate(3);
    expect(h.node(1).transferLeadership(3).ok).toBe(true);
    for (let k = 0; k < 10; k++) {
      h.tick(1);
      h.tick(2);
      h.deliverAll();
    }
    expect(h.node(1).status()).toMatchObject({ role: 'leader', leadershipTransfereeId: null });
    expect(h.node(1).propose([bytes('z')]).ok).toBe(true);
  });

  it('refuses to transfer to an observer or from a follower', () => {
    const h = new Harness({ voters: [1, 2, 3], observers: [4] });
    h.elect(1);
    expect(h.node(1).transferLeadership(4)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(h.node(2).transferLeadership(3)).toMatchObject({ ok: false, error: { code: 'NOT_LEADER', leaderId: 1 } });
  });
});

describe('RaftNode: observers', () => {
  it('an observer receives and applies entries but never campaigns or votes', () => {
    const h = new Harness({ voters: [1, 2, 3], observers: [4] });
    for (let k = 0; k < 100; k++) h.tick(4);
    expect(h.node(4).status()).toMatchObject({ role: 'follower', term: 0, isObserver: true });
    expect(h.queue.filter((m) => m.from === 4)).toEqual([]);
    h.node(4).step({
      type: 'vote',
      from: 2,
      to: 4,
      term: 1,
      lastLogIndex: 0,
      lastLogTerm: 0,
      leadershipTransfer: false,
    });
    h.drainNode(4);
    expect(h.queue.filter((m) => m.from === 4 && m.type === 'voteResponse')).toEqual([]);
    h.queue = [];
    h.elect(1);
    h.proposeOk(1, 'to-observer');
    h.tickAll(2);
    expect(h.appliedPayloads(4)).toEqual(['to-observer']);
  });

  it('an observer does not count toward the commit quorum', () => {
    const h = new Harness({ voters: [1, 2, 3], observers: [4, 5] });
    h.elect(1);
    h.isolate(2);
    h.isolate(3);
    // Re-join the observers with the leader only: leader + two observers is not a majority of voters.
    h.healAll();
    h.isolate(2);
    h.isolate(3);
    const before = h.node(1).status().commitIndex;
    h.proposeOk(1, 'needs-a-voter');
    expect(h.node(4).status().lastIndex).toBe(h.node(1).status().lastIndex); // observers have it
    expect(h.node(1).status().commitIndex).toBe(before); // but it is not committed
    h.healAll();
    h.tickAll(2);
    expect(h.node(1).status().commitIndex).toBe(before + 1);
  });

  it('check-quorum does not count observers as live voters', () => {
    const h = new Harness({ voters: [1, 2, 3], observers: [4, 5] });
    h.elect(1);
    h.cutLink(1, 2);
    h.cutLink(2, 1);
    h.cutLink(1, 3);
    h.cutLink(3, 1);
    for (let k = 0; k < 20 && h.node(1).status().role === 'leader'; k++) {
      h.tick(1);
      h.deliverAll();
    }
    expect(h.node(1).status().role).toBe('follower');
  });
});

describe('RaftNode: snapshots', () => {
  it('compacts on request and installs a snapshot on a follower that fell behind the log start', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.isolate(3);
    for (let k = 0; k < 5; k++) h.proposeOk(1, `e${k}`);
    h.tickAll(1);
    const leader = h.node(1);
    const applied = leader.status().appliedIndex;
    expect(leader.compact(applied, bytes('state@' + applied)).ok).toBe(true);
    h.drain();
    expect(h.storage(1).firstIndex()).toBe(applied + 1);
    expect(leader.status().firstIndex).toBe(applied + 1);

    h.healAll();
    h.tickAll(3);
    const installed = (h.readies.get(3) ?? []).find((r) => r.snapshot !== null);
    expect(installed?.snapshot?.metadata).toMatchObject({ index: applied, term: 1 });
    expect(new TextDecoder().decode(installed?.snapshot?.data)).toBe(`state@${applied}`);
    expect(h.storage(3).snapshot().metadata.index).toBe(applied);

    h.proposeOk(1, 'after-snapshot');
    h.tickAll(2);
    expect(h.appliedPayloads(3)).toEqual(['after-snapshot']);
    expect(h.node(3).status().appliedIndex).toBe(h.node(1).status().appliedIndex);
  });

  it('refuses to compact beyond the applied index or behind the current snapshot', () => {
    const h = new Harness({ voters: [1] });
    h.elect(1);
    h.proposeOk(1, 'a');
    const applied = h.node(1).status().appliedIndex;
    expect(h.node(1).compact(applied + 1, bytes('x'))).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(h.node(1).compact(applied, bytes('x')).ok).toBe(true);
    h.drain();
    expect(h.node(1).compact(applied, bytes('x'))).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('a restarted node resumes from its snapshot and persisted log', () => {
    const h = new Harness({ voters: [1] });
    h.elect(1);
    h.proposeOk(1, 'a', 'b');
    h.node(1).compact(2, bytes('snap'));
    h.proposeOk(1, 'c');
    const before = h.node(1).status();
    const restarted = h.restart(1);
    expect(restarted.status()).toMatchObject({
      term: before.term,
      firstIndex: 3,
      lastIndex: before.lastIndex,
      appliedIndex: 2,
    });
  });
});

describe('RaftNode: fencing by term', () => {
  it('ignores an append from a stale leader and tells it the newer term, which makes it step down', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.isolate(1);
    // 3 times out first (its pre-vote fails: 2 still holds 1's lease), which ends 3's own lease;
    // then 2 takes over in term 2 while 1 still believes it leads term 1.
    h.tick(3, 10);
    h.deliverAll();
    h.tick(2, 10);
    h.deliverAll();
    expect(h.node(2).status()).toMatchObject({ role: 'leader', term: 2 });
    expect(h.node(1).status()).toMatchObject({ role: 'leader', term: 1 });
    const lastBefore = h.node(3).status().lastIndex;
    const stale: AppendRequest = {
      type: 'append',
      from: 1,
      to: 3,
      term: 1,
      prevLogIndex: lastBefore,
      prevLogTerm: 1,
      entries: [{ term: 1, index: lastBefore + 1, data: bytes('stale') }],
      commit: 0,
    };
    h.node(3).step(stale);
    h.drainNode(3);
    expect(h.node(3).status().lastIndex).toBe(lastBefore);
    const answer = h.queue.find((m: Message) => m.from === 3 && m.to === 1);
    expect(answer).toMatchObject({ type: 'appendResponse', term: 2 });
    h.healAll();
    h.node(1).step(answer as Message);
    expect(h.node(1).status()).toMatchObject({ role: 'follower', term: 2 });
  });

  it('a node that sees a higher term steps down and forgets its vote of the old term', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.node(1).step({ type: 'heartbeat', from: 2, to: 1, term: 5, commit: 0 });
    expect(h.node(1).status()).toMatchObject({ role: 'follower', term: 5, vote: null, leaderId: 2 });
  });

  it('ignores messages from nodes outside the membership', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.node(1).step({ type: 'heartbeat', from: 9, to: 1, term: 5, commit: 0 });
    expect(h.node(1).status().term).toBe(0);
  });
});

describe('RaftNode: persist-before-send contract', () => {
  it('a vote grant and the durable vote it depends on are in the same Ready', () => {
    const h = new Harness({ voters: [1, 2, 3], config: { preVote: false } });
    h.node(2).step({
      type: 'vote',
      from: 1,
      to: 2,
      term: 1,
      lastLogIndex: 0,
      lastLogTerm: 0,
      leadershipTransfer: false,
    });
    const ready = h.node(2).ready();
    expect(ready.messages).toEqual([{ type: 'voteResponse', from: 2, to: 1, term: 1, reject: false }]);
    expect(ready.hardState).toMatchObject({ term: 1, vote: 1 });
    expect(ready.mustSync).toBe(true);
  });

  it('an append acknowledgement and the entries it acknowledges are in the same Ready', () => {
    const h = new Harness({ voters: [1, 2, 3] });
    h.elect(1);
    h.tickAll(1);
    const last = h.node(2).status().lastIndex;
    h.node(2).step({
      type: 'append',
      from: 1,
      to: 2,
      term: 1,
      prevLogIndex: last,
      prevLogTerm: 1,
      entries: [{ term: 1, index: last + 1, data: bytes('e') }],
      commit: last,
    });
    const ready = h.node(2).ready();
    expect(ready.entries.map((e) => e.index)).toEqual([last + 1]);
    expect(ready.messages).toEqual([
      expect.objectContaining({ type: 'appendResponse', reject: false, index: last + 1 }),
    ]);
  });

  it('a restarted voter remembers its vote and does not vote twice in one term', () => {
    const h = new Harness({ voters: [1, 2, 3], config: { preVote: false } });
    h.node(3).step({
      type: 'vote',
      from: 1,
      to: 3,
      term: 1,
      lastLogIndex: 0,
      lastLogTerm: 0,
      leadershipTransfer: false,
    });
    h.drainNode(3);
    h.queue = [];
    h.restart(3).step({
      type: 'vote',
      from: 2,
      to: 3,
      term: 1,
      lastLogIndex: 0,
      lastLogTerm: 0,
      leadershipTransfer: false,
    });
    h.drainNode(3);
    expect(h.queue).toEqual([{ type: 'voteResponse', from: 3, to: 2, term: 1, reject: true }]);
  });

  it('hands out no second Ready before advance()', () => {
    const h = new Harness({ voters: [1] });
    h.node(1).tick();
    h.node(1).tick();
    const node = h.node(1);
    for (let k = 0; k < 10; k++) node.tick();
    node.ready();
    expect(node.hasReady()).toBe(false);
    expect(() => node.ready()).toThrow(RaftInvariantError);
    node.advance();
    expect(() => node.advance()).toThrow(RaftInvariantError);
  });
});

describe('raft config', () => {
  const storage = new MemoryRaftStorage({ voters: [1, 2, 3], observers: [] });
  const base = { id: 1, voters: [1, 2, 3], electionTimeoutTicks: 10, heartbeatIntervalTicks: 1, rng: () => 0 };
  it.each([
    ['no voters', { voters: [] }],
    ['id not a member', { id: 7 }],
    ['voter also an observer', { observers: [2] }],
    ['heartbeat not below election timeout', { heartbeatIntervalTicks: 10 }],
    ['non-integer timeout', { electionTimeoutTicks: 2.5 }],
  ])('rejects %s', (_name, patch) => {
    expect(() => new RaftNode({ ...base, ...patch }, storage)).toThrow(RaftInvariantError);
  });
});
