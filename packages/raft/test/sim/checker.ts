import type { Entry, HardState, Message, NodeId, RaftNode, RaftStorage, Ready, Snapshot } from '@sluice/raft';

/** A safety property was violated. The simulator attaches the seed and replay instructions. */
export class SafetyViolation extends Error {
  override readonly name = 'SafetyViolation';
}

function fail(property: string, detail: string): never {
  throw new SafetyViolation(`${property}: ${detail}`);
}

/** Client payloads carry a unique 32-bit id; the leader's no-op entry has empty data (key 0). */
export function payloadKey(data: Uint8Array): number {
  if (data.byteLength === 0) return 0;
  if (data.byteLength !== 4) fail('payload', `unexpected payload of ${data.byteLength} bytes`);
  // Byte arithmetic rather than DataView: this runs for every entry the checker sees.
  return (
    ((data[0] as number) | ((data[1] as number) << 8) | ((data[2] as number) << 16) | ((data[3] as number) << 24)) >>> 0
  );
}

export function encodePayload(key: number): Uint8Array {
  return Uint8Array.of(key & 0xff, (key >>> 8) & 0xff, (key >>> 16) & 0xff, (key >>> 24) & 0xff);
}

// Bound once: under jest every global lookup goes through the vm context's global interceptor.
const imul = Math.imul;

/** The simulated state machine is a running hash of applied payload keys. */
export function foldHash(hash: number, key: number): number {
  return imul(hash ^ key, 0x01000193) >>> 0;
}

export const INITIAL_HASH = 0x811c9dc5;

/** Snapshot data of the simulated state machine: (applied index, hash). */
export function encodeStateSnapshot(index: number, hash: number): Uint8Array {
  const data = new Uint8Array(12);
  const view = new DataView(data.buffer);
  view.setFloat64(0, index, true);
  view.setUint32(8, hash, true);
  return data;
}

export function decodeStateSnapshot(data: Uint8Array): { index: number; hash: number } {
  if (data.byteLength === 0) return { index: 0, hash: INITIAL_HASH };
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { index: view.getFloat64(0, true), hash: view.getUint32(8, true) };
}

/**
 * Checks Raft's safety properties incrementally, over all time, across crashes:
 * - election safety: at most one leader per term;
 * - log matching: same (index, term) => same entry and same predecessor term (by induction,
 *   identical prefixes), checked on every entry any node hands to its storage;
 * - leader completeness: a new leader's log holds every entry committed so far;
 * - state-machine safety: every node applies the same entry at each index, and the running hash
 *   of applied prefixes agrees (including state restored from snapshots);
 * - commit monotonicity: a node's commit never goes back within one incarnation, and the
 *   persisted commit never goes back at all;
 * - persist-before-send: a vote grant or append acknowledgement leaves a node only when the
 *   state it depends on is already in that node's storage.
 */
export class SafetyChecker {
  private readonly leaderByTerm = new Map<number, NodeId>();
  /** Committed entries by index: term and payload key, and the state hash after applying it. */
  private readonly committedTerm: number[] = [];
  private readonly committedKey: number[] = [];
  private readonly appliedHash: number[] = [];
  private highestCommitted = 0;
  /** (index, term) -> payload key and predecessor term, for log matching. */
  private readonly entryRegistry = new Map<number, Map<number, { key: number; prevTerm: number }>>();
  /** Committed payload keys, for liveness queries. */
  readonly committedKeys = new Set<number>();

  // ------------------------------------------------------------ observation after every event

  /** Called after every call into a node (step, tick, propose, ...). */
  observe(node: RaftNode, lastObservedCommit: number): number {
    const status = node.status();
    if (status.role === 'leader') {
      const known = this.leaderByTerm.get(status.term);
      if (known === undefined) {
        this.leaderByTerm.set(status.term, status.id);
        this.checkLeaderCompleteness(node);
      } else if (known !== status.id) {
        fail('election safety', `nodes ${known} and ${status.id} both led term ${status.term}`);
      }
    }
    if (status.commitIndex < lastObservedCommit) {
      fail(
        'commit monotonicity',
        `node ${status.id} commit went from ${lastObservedCommit} back to ${status.commitIndex}`,
      );
    }
    for (let index = lastObservedCommit + 1; index <= status.commitIndex; index++) {
      const term = node.termAt(index);
      if (term === undefined) continue; // covered by an installed snapshot, checked on restore
      const entries = index >= status.firstIndex ? node.entries(index, index + 1) : [];
      const entry = entries[0];
      if (entry === undefined) {
        // index is the snapshot's own index: only its term is known here.
        this.recordCommitted(status.id, index, term, undefined);
      } else {
        this.recordCommitted(status.id, index, entry.term, payloadKey(entry.data));
      }
    }
    return status.commitIndex;
  }

  private recordCommitted(nodeId: NodeId, index: number, term: number, key: number | undefined): void {
    const knownTerm = this.committedTerm[index];
    if (knownTerm === undefined) {
      this.committedTerm[index] = term;
      if (key !== undefined) {
        this.committedKey[index] = key;
        if (key !== 0) this.committedKeys.add(key);
      }
      this.highestCommitted = Math.max(this.highestCommitted, index);
      return;
    }
    if (knownTerm !== term) {
      fail(
        'state-machine safety',
        `node ${nodeId} committed term ${term} at index ${index}, but term ${knownTerm} was committed there`,
      );
    }
    const knownKey = this.committedKey[index];
    if (key !== undefined && knownKey !== undefined && knownKey !== key) {
      fail(
        'state-machine safety',
        `node ${nodeId} committed payload ${key} at index ${index}, but ${knownKey} was committed there`,
      );
    }
    if (key !== undefined && knownKey === undefined) {
      this.committedKey[index] = key;
      if (key !== 0) this.committedKeys.add(key);
    }
  }

  private checkLeaderCompleteness(leader: RaftNode): void {
    const snapshotIndex = leader.status().firstIndex - 1;
    for (let index = Math.max(1, snapshotIndex); index <= this.highestCommitted; index++) {
      const committedTerm = this.committedTerm[index];
      if (committedTerm === undefined) continue;
      const term = leader.termAt(index);
      if (term !== committedTerm) {
        fail(
          'leader completeness',
          `node ${leader.id} leads term ${leader.status().term} but has term ${term} at index ${index}, where term ${committedTerm} is committed`,
        );
      }
    }
  }

  // ------------------------------------------------------------ the shell's Ready processing

  /** Before persisting: every entry handed to storage must agree with all other logs. */
  checkReadyEntries(node: RaftNode, ready: Ready): void {
    let prevTerm: number | undefined;
    for (const entry of ready.entries) {
      prevTerm ??= node.termAt(entry.index - 1);
      if (prevTerm === undefined) fail('log matching', `node ${node.id} appends ${entry.index} without a predecessor`);
      this.registerEntry(node.id, entry, prevTerm);
      prevTerm = entry.term;
    }
    if (ready.snapshot !== null) this.checkSnapshot(node.id, ready.snapshot, 'installs');
    if (ready.compaction !== null) this.checkSnapshot(node.id, ready.compaction, 'takes');
  }

  private registerEntry(nodeId: NodeId, entry: Entry, prevTerm: number): void {
    const key = payloadKey(entry.data);
    let byTerm = this.entryRegistry.get(entry.index);
    if (byTerm === undefined) {
      byTerm = new Map();
      this.entryRegistry.set(entry.index, byTerm);
    }
    const known = byTerm.get(entry.term);
    if (known === undefined) {
      byTerm.set(entry.term, { key, prevTerm });
      return;
    }
    if (known.key !== key || known.prevTerm !== prevTerm) {
      fail(
        'log matching',
        `node ${nodeId} has (index ${entry.index}, term ${entry.term}) = payload ${key} after term ${prevTerm}; another log has payload ${known.key} after term ${known.prevTerm}`,
      );
    }
  }

  private checkSnapshot(nodeId: NodeId, snapshot: Snapshot, verb: string): void {
    const { index, term } = snapshot.metadata;
    const committedTerm = this.committedTerm[index];
    if (committedTerm !== undefined && committedTerm !== term) {
      fail(
        'state-machine safety',
        `node ${nodeId} ${verb} a snapshot at ${index} with term ${term}, but term ${committedTerm} is committed there`,
      );
    }
    const state = decodeStateSnapshot(snapshot.data);
    if (state.index !== index)
      fail('snapshot', `node ${nodeId} ${verb} snapshot metadata ${index} for state at ${state.index}`);
    this.recordAppliedHash(nodeId, index, state.hash);
  }

  /** After persisting: durable state only moves forward, and a vote never changes within a term. */
  checkPersisted(nodeId: NodeId, before: HardState, after: HardState): void {
    if (after.term < before.term)
      fail('durability', `node ${nodeId} persisted term ${after.term} after ${before.term}`);
    if (after.term === before.term && before.vote !== null && after.vote !== before.vote) {
      fail(
        'election safety',
        `node ${nodeId} changed its vote in term ${after.term} from ${before.vote} to ${after.vote}`,
      );
    }
    if (after.commit < before.commit)
      fail('commit monotonicity', `node ${nodeId} persisted commit ${after.commit} after ${before.commit}`);
  }

  /**
   * Before sending: the message must not promise anything the sender's storage lacks. A Ready
   * may carry a promise made in an older term next to durable state of a newer term (the node
   * moved on before the Ready was drained); the newer term supersedes it, since the node can
   * never act in the old term again, and Raft's vote ordering makes the old promise harmless.
   */
  checkSendable(message: Message, storage: RaftStorage): void {
    const hardState = storage.hardState();
    if (hardState.term > message.term) return;
    if (message.type === 'voteResponse' && !message.reject) {
      if (hardState.term !== message.term || hardState.vote !== message.to) {
        fail(
          'persist-before-send',
          `node ${message.from} grants its vote to ${message.to} in term ${message.term} but persisted ${JSON.stringify(hardState)}`,
        );
      }
    }
    if (message.type === 'appendResponse' && !message.reject && message.index > storage.lastIndex()) {
      fail(
        'persist-before-send',
        `node ${message.from} acknowledges index ${message.index} but persisted only up to ${storage.lastIndex()}`,
      );
    }
  }

  // ------------------------------------------------------------ the simulated state machine

  /** Returns the new state hash after applying `entry` on a node whose state was `hash` at `appliedIndex`. */
  apply(nodeId: NodeId, appliedIndex: number, hash: number, entry: Entry): number {
    if (entry.index !== appliedIndex + 1) {
      fail('state-machine safety', `node ${nodeId} applies ${entry.index} right after ${appliedIndex}`);
    }
    const key = payloadKey(entry.data);
    const committedTerm = this.committedTerm[entry.index];
    if (committedTerm === undefined)
      fail('state-machine safety', `node ${nodeId} applies uncommitted index ${entry.index}`);
    if (committedTerm !== entry.term) {
      fail(
        'state-machine safety',
        `node ${nodeId} applies term ${entry.term} at ${entry.index}, but term ${committedTerm} is committed`,
      );
    }
    this.recordCommitted(nodeId, entry.index, entry.term, key);
    const next = foldHash(hash, key);
    this.recordAppliedHash(nodeId, entry.index, next);
    return next;
  }

  recordAppliedHash(nodeId: NodeId, index: number, hash: number): void {
    const known = this.appliedHash[index];
    if (known === undefined) this.appliedHash[index] = hash;
    else if (known !== hash) {
      fail('state-machine safety', `node ${nodeId}'s applied prefix up to ${index} differs from another node's`);
    }
  }

  committedTermAt(index: number): number | undefined {
    return this.committedTerm[index];
  }

  get leaderCount(): number {
    return this.leaderByTerm.size;
  }

  get committedIndex(): number {
    return this.highestCommitted;
  }
}
