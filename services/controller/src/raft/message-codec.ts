/**
 * Versioned binary codec for Raft messages on the wire (inside `RaftPeerSendRequest.messages`).
 *
 * Layout, version 1, big-endian; `u53` is a u64 on the wire that must fit a JS safe integer:
 *   u8 version (1) | u8 type | u32 from | u32 to | u53 term | body by type:
 *   append            u53 prevLogIndex | u53 prevLogTerm | u53 commit | u32 n | n x entry
 *   appendResponse    u8 reject | u53 index | u53 rejectHint | u53 hintTerm
 *   vote, preVote     u53 lastLogIndex | u53 lastLogTerm | u8 leadershipTransfer
 *   voteResponse, preVoteResponse   u8 reject
 *   heartbeat         u53 commit
 *   heartbeatResponse, timeoutNow   (nothing)
 *   snapshot          u53 index | u53 term | u16 n | n x u32 voter | u16 m | m x u32 observer | u32 len | data
 *   entry             u53 term | u53 index | u32 len | data
 * Nothing may follow the body. Anything malformed throws `RaftCodecError` naming what and where.
 */
import type { Entry, Message, MessageType } from '@sluice/raft';

export const RAFT_CODEC_VERSION = 1;

const TYPE_CODES: Readonly<Record<MessageType, number>> = {
  append: 1,
  appendResponse: 2,
  vote: 3,
  voteResponse: 4,
  preVote: 5,
  preVoteResponse: 6,
  heartbeat: 7,
  heartbeatResponse: 8,
  snapshot: 9,
  timeoutNow: 10,
};
const TYPES_BY_CODE: ReadonlyMap<number, MessageType> = new Map(
  (Object.entries(TYPE_CODES) as Array<[MessageType, number]>).map(([type, code]) => [code, type]),
);

const HEADER_BYTES = 1 + 1 + 4 + 4 + 8;
const ENTRY_HEADER_BYTES = 8 + 8 + 4;

export class RaftCodecError extends Error {
  override readonly name = 'RaftCodecError';
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`bad raft message at byte ${offset}: ${reason}`);
  }
}

class Writer {
  private readonly buffer: Buffer;
  private offset = 0;
  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }
  u8(value: number): void {
    this.offset = this.buffer.writeUInt8(value, this.offset);
  }
  u16(value: number): void {
    this.offset = this.buffer.writeUInt16BE(value, this.offset);
  }
  u32(value: number): void {
    this.offset = this.buffer.writeUInt32BE(value, this.offset);
  }
  u53(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`raft codec: ${value} is not a non-negative safe integer`);
    this.offset = this.buffer.writeBigUInt64BE(BigInt(value), this.offset);
  }
  bool(value: boolean): void {
    this.u8(value ? 1 : 0);
  }
  bytes(data: Uint8Array): void {
    this.u32(data.byteLength);
    this.buffer.set(data, this.offset);
    this.offset += data.byteLength;
  }
  done(): Buffer {
    if (this.offset !== this.buffer.length)
      throw new Error(`raft codec: sized ${this.buffer.length} bytes, wrote ${this.offset}`);
    return this.buffer;
  }
}

class Reader {
  offset = 0;
  private readonly view: Buffer;
  constructor(bytes: Uint8Array) {
    this.view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(count: number, what: string): void {
    if (this.offset + count > this.view.length) {
      throw new RaftCodecError(
        `truncated: ${what} needs ${count} bytes, ${this.view.length - this.offset} left`,
        this.offset,
      );
    }
  }
  u8(what: string): number {
    this.need(1, what);
    return this.view.readUInt8(this.offset++);
  }
  u16(what: string): number {
    this.need(2, what);
    const value = this.view.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  u32(what: string): number {
    this.need(4, what);
    const value = this.view.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  u53(what: string): number {
    this.need(8, what);
    const value = this.view.readBigUInt64BE(this.offset);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new RaftCodecError(`${what} ${value} exceeds 2^53 - 1`, this.offset);
    this.offset += 8;
    return Number(value);
  }
  bool(what: string): boolean {
    const at = this.offset;
    const value = this.u8(what);
    if (value > 1) throw new RaftCodecError(`${what} must be 0 or 1, got ${value}`, at);
    return value === 1;
  }
  nodeId(what: string): number {
    const at = this.offset;
    const value = this.u32(what);
    if (value === 0) throw new RaftCodecError(`${what} must be a positive node id`, at);
    return value;
  }
  /** Copies: decoded data outlives the (possibly large) envelope buffer it came in. */
  bytes(what: string): Uint8Array {
    const length = this.u32(`${what} length`);
    this.need(length, what);
    const data = Buffer.from(this.view.subarray(this.offset, this.offset + length));
    this.offset += length;
    return data;
  }
  end(): void {
    if (this.offset !== this.view.length)
      throw new RaftCodecError(`${this.view.length - this.offset} trailing bytes`, this.offset);
  }
}

function bodySize(message: Message): number {
  switch (message.type) {
    case 'append':
      return 8 * 3 + 4 + message.entries.reduce((sum, entry) => sum + ENTRY_HEADER_BYTES + entry.data.byteLength, 0);
    case 'appendResponse':
      return 1 + 8 * 3;
    case 'vote':
    case 'preVote':
      return 8 * 2 + 1;
    case 'voteResponse':
    case 'preVoteResponse':
      return 1;
    case 'heartbeat':
      return 8;
    case 'heartbeatResponse':
    case 'timeoutNow':
      return 0;
    case 'snapshot': {
      const { membership } = message.snapshot.metadata;
      return (
        8 * 2 +
        2 +
        4 * membership.voters.length +
        2 +
        4 * membership.observers.length +
        4 +
        message.snapshot.data.byteLength
      );
    }
  }
}

export function encodeRaftMessage(message: Message): Buffer {
  const w = new Writer(HEADER_BYTES + bodySize(message));
  w.u8(RAFT_CODEC_VERSION);
  w.u8(TYPE_CODES[message.type]);
  w.u32(message.from);
  w.u32(message.to);
  w.u53(message.term);
  switch (message.type) {
    case 'append':
      w.u53(message.prevLogIndex);
      w.u53(message.prevLogTerm);
      w.u53(message.commit);
      w.u32(message.entries.length);
      for (const entry of message.entries) {
        w.u53(entry.term);
        w.u53(entry.index);
        w.bytes(entry.data);
      }
      break;
    case 'appendResponse':
      w.bool(message.reject);
      w.u53(message.index);
      w.u53(message.rejectHint);
      w.u53(message.hintTerm);
      break;
    case 'vote':
    case 'preVote':
      w.u53(message.lastLogIndex);
      w.u53(message.lastLogTerm);
      w.bool(message.leadershipTransfer);
      break;
    case 'voteResponse':
    case 'preVoteResponse':
      w.bool(message.reject);
      break;
    case 'heartbeat':
      w.u53(message.commit);
      break;
    case 'heartbeatResponse':
    case 'timeoutNow':
      break;
    case 'snapshot': {
      const { metadata, data } = message.snapshot;
      w.u53(metadata.index);
      w.u53(metadata.term);
      w.u16(metadata.membership.voters.length);
      for (const id of metadata.membership.voters) w.u32(id);
      w.u16(metadata.membership.observers.length);
      for (const id of metadata.membership.observers) w.u32(id);
      w.bytes(data);
      break;
    }
  }
  return w.done();
}

export function decodeRaftMessage(bytes: Uint8Array): Message {
  const r = new Reader(bytes);
  const version = r.u8('version');
  if (version !== RAFT_CODEC_VERSION)
    throw new RaftCodecError(`unsupported codec version ${version} (this node speaks ${RAFT_CODEC_VERSION})`, 0);
  const typeCode = r.u8('type');
  const type = TYPES_BY_CODE.get(typeCode);
  if (type === undefined) throw new RaftCodecError(`unknown message type ${typeCode}`, 1);
  const from = r.nodeId('from');
  const to = r.nodeId('to');
  const term = r.u53('term');
  let message: Message;
  switch (type) {
    case 'append': {
      const prevLogIndex = r.u53('prevLogIndex');
      const prevLogTerm = r.u53('prevLogTerm');
      const commit = r.u53('commit');
      const countAt = r.offset;
      const count = r.u32('entry count');
      if (count * ENTRY_HEADER_BYTES > bytes.byteLength - r.offset)
        throw new RaftCodecError(`entry count ${count} exceeds the message`, countAt);
      const entries: Entry[] = [];
      for (let k = 0; k < count; k++) {
        const entryTerm = r.u53(`entry ${k} term`);
        const index = r.u53(`entry ${k} index`);
        entries.push({ term: entryTerm, index, data: r.bytes(`entry ${k} data`) });
      }
      message = { type, from, to, term, prevLogIndex, prevLogTerm, commit, entries };
      break;
    }
    case 'appendResponse':
      message = {
        type,
        from,
        to,
        term,
        reject: r.bool('reject'),
        index: r.u53('index'),
        rejectHint: r.u53('rejectHint'),
        hintTerm: r.u53('hintTerm'),
      };
      break;
    case 'vote':
    case 'preVote':
      message = {
        type,
        from,
        to,
        term,
        lastLogIndex: r.u53('lastLogIndex'),
        lastLogTerm: r.u53('lastLogTerm'),
        leadershipTransfer: r.bool('leadershipTransfer'),
      };
      break;
    case 'voteResponse':
    case 'preVoteResponse':
      message = { type, from, to, term, reject: r.bool('reject') };
      break;
    case 'heartbeat':
      message = { type, from, to, term, commit: r.u53('commit') };
      break;
    case 'heartbeatResponse':
    case 'timeoutNow':
      message = { type, from, to, term };
      break;
    case 'snapshot': {
      const index = r.u53('snapshot index');
      const snapshotTerm = r.u53('snapshot term');
      const voters: number[] = [];
      for (let k = r.u16('voter count'); k > 0; k--) voters.push(r.nodeId('voter'));
      const observers: number[] = [];
      for (let k = r.u16('observer count'); k > 0; k--) observers.push(r.nodeId('observer'));
      const data = r.bytes('snapshot data');
      message = {
        type,
        from,
        to,
        term,
        snapshot: { metadata: { index, term: snapshotTerm, membership: { voters, observers } }, data },
      };
      break;
    }
  }
  r.end();
  return message;
}
