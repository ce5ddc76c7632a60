/**
 * `DiskRaftStorage`: the durable `__cluster_metadata` Raft log of one controller.
 *
 * Why our own segment files rather than @sluice/log's PartitionLog: Raft needs suffix
 * truncation at an arbitrary index, prefix deletion after a snapshot, and a clear failure
 * (never a silent repair) when an acknowledged entry is damaged. A ~20-byte record header with
 * a CRC gives exactly that with nothing to translate (index = Raft index, term = Raft term).
 *
 * Directory layout:
 *   quorum-state                                  hard state, JSON, replaced atomically
 *   <baseIndex:20>.log                            log segments; records of consecutive indexes
 *   <index:20>-<term:10>.snapshot                 the newest snapshot (older ones are deleted)
 *   *.tmp                                         interrupted atomic writes; deleted on open
 *
 * Segment record: u32 bodyLength | u32 crc32c(body) | body = u8 version(1) | u64 index |
 * u64 term | data. Snapshot file: "SLSN" | u8 version(1) | u64 index | u64 term | u16 n |
 * n x u32 voter | u16 m | m x u32 observer | u32 length | data | u32 crc32c(all before).
 *
 * `persistReady` writes one Ready in the contract's order, each step fsynced before the next:
 * snapshot install, entries, compaction, hard state. A crash between steps leaves states that
 * `open` reconciles (see `reconcile`). Reads are served from an in-memory `MemoryRaftStorage`
 * holding everything after the snapshot (the metadata log is kept short by snapshots).
 *
 * Torn writes: only the last record of the last segment can be torn (a crash mid-append, before
 * the fsync, so nothing depending on it ever left the node); it is truncated away. Damage
 * anywhere else is an acknowledged entry lost, which Raft cannot tolerate silently:
 * `RaftStorageCorruptionError` names the file and byte position, and the operator decides
 * (typically: wipe this node's metadata dir and let it catch up from the leader's snapshot).
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '@sluice/protocol';
import { EMPTY_HARD_STATE, MemoryRaftStorage, membershipEquals } from '@sluice/raft';
import type { Entry, HardState, Membership, RaftStorage, Ready, Snapshot } from '@sluice/raft';
import { fsyncDirectory, TMP_SUFFIX, writeFileAtomically, writeFully } from './durable-files';

export const QUORUM_STATE_FILE = 'quorum-state';
const SEGMENT_SUFFIX = '.log';
const SNAPSHOT_SUFFIX = '.snapshot';
const RECORD_VERSION = 1;
const RECORD_HEADER_BYTES = 8;
const RECORD_BODY_FIXED_BYTES = 1 + 8 + 8;
const SNAPSHOT_MAGIC = 'SLSN';
const SNAPSHOT_VERSION = 1;
const HARD_STATE_VERSION = 1;
/** A record claiming more than this is damage, not data (the core bounds entries far lower). */
const MAX_RECORD_BODY_BYTES = 256 * 1024 * 1024;

export const DEFAULT_SEGMENT_MAX_BYTES = 64 * 1024 * 1024;

export class RaftStorageCorruptionError extends Error {
  override readonly name = 'RaftStorageCorruptionError';
  constructor(
    readonly file: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`corrupt raft storage: ${file} at byte ${position}: ${reason}`);
  }
}

export interface DiskRaftStorageOptions {
  readonly dir: string;
  /** The fixed membership; a snapshot on disk with another membership is refused. */
  readonly membership: Membership;
  /** Roll to a new segment file beyond this size. Default 64 MiB. */
  readonly segmentMaxBytes?: number;
  /**
   * false (default): every hard-state change, commit included, is written and fsynced before the
   * Ready's messages leave. true: a change of the commit index alone is only remembered and
   * written by `flushCommit()` (the driver calls it every `commitFlushIntervalMs` and on close);
   * term and vote are always written eagerly. Safe because a commit index is re-learned from the
   * leader after a restart (Raft never needs it durable); it saves three fsyncs per commit
   * advance on every node. After a crash, up to one interval of commit progress is re-learned.
   */
  readonly lazyCommit?: boolean;
  /** Told about repairs (torn tail truncated, stale files removed). */
  readonly onRepair?: (what: string) => void;
}

interface Segment {
  readonly baseIndex: number;
  readonly path: string;
  fd: number;
  sizeBytes: number;
  /** positions[k] = byte position of the record with index baseIndex + k. */
  readonly positions: number[];
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');
const segmentName = (baseIndex: number): string => `${pad(baseIndex, 20)}${SEGMENT_SUFFIX}`;
export const snapshotFileName = (index: number, term: number): string =>
  `${pad(index, 20)}-${pad(term, 10)}${SNAPSHOT_SUFFIX}`;

function writeU53(buffer: Buffer, value: number, offset: number): number {
  return buffer.writeBigUInt64BE(BigInt(value), offset);
}

function readU53(buffer: Buffer, offset: number): number | undefined {
  const value = buffer.readBigUInt64BE(offset);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(value);
}

export function encodeSnapshotFile(snapshot: Snapshot): Buffer {
  const { index, term, membership } = snapshot.metadata;
  const size =
    4 +
    1 +
    8 +
    8 +
    2 +
    4 * membership.voters.length +
    2 +
    4 * membership.observers.length +
    4 +
    snapshot.data.byteLength +
    4;
  const buffer = Buffer.allocUnsafe(size);
  let offset = buffer.write(SNAPSHOT_MAGIC, 0, 'latin1');
  offset = buffer.writeUInt8(SNAPSHOT_VERSION, offset);
  offset = writeU53(buffer, index, offset);
  offset = writeU53(buffer, term, offset);
  offset = buffer.writeUInt16BE(membership.voters.length, offset);
  for (const id of membership.voters) offset = buffer.writeUInt32BE(id, offset);
  offset = buffer.writeUInt16BE(membership.observers.length, offset);
  for (const id of membership.observers) offset = buffer.writeUInt32BE(id, offset);
  offset = buffer.writeUInt32BE(snapshot.data.byteLength, offset);
  buffer.set(snapshot.data, offset);
  offset += snapshot.data.byteLength;
  buffer.writeUInt32BE(crc32c(buffer.subarray(0, offset)), offset);
  return buffer;
}

export function decodeSnapshotFile(path: string, buffer: Buffer): Snapshot {
  const fail = (position: number, reason: string): never => {
    throw new RaftStorageCorruptionError(path, position, reason);
  };
  if (buffer.length < 4 + 1 + 16 + 2 + 2 + 4 + 4) fail(0, `snapshot file too short (${buffer.length} bytes)`);
  const crcAt = buffer.length - 4;
  const expected = buffer.readUInt32BE(crcAt);
  if (crc32c(buffer.subarray(0, crcAt)) !== expected) fail(crcAt, 'snapshot checksum mismatch');
  if (buffer.toString('latin1', 0, 4) !== SNAPSHOT_MAGIC) fail(0, 'not a snapshot file (bad magic)');
  if (buffer.readUInt8(4) !== SNAPSHOT_VERSION) fail(4, `unsupported snapshot version ${buffer.readUInt8(4)}`);
  let offset = 5;
  const index = readU53(buffer, offset) ?? fail(offset, 'index out of range');
  offset += 8;
  const term = readU53(buffer, offset) ?? fail(offset, 'term out of range');
  offset += 8;
  const ids = (what: string): number[] => {
    if (offset + 2 > crcAt) fail(offset, `truncated ${what} count`);
    const count = buffer.readUInt16BE(offset);
    offset += 2;
    if (offset + 4 * count > crcAt) fail(offset, `truncated ${what} list`);
    const out: number[] = [];
    for (let k = 0; k < count; k++, offset += 4) out.push(buffer.readUInt32BE(offset));
    return out;
  };
  const voters = ids('voter');
  const observers = ids('observer');
  if (offset + 4 > crcAt) fail(offset, 'truncated data length');
  const length = buffer.readUInt32BE(offset);
  offset += 4;
  if (offset + length !== crcAt) fail(offset, `data length ${length} does not match the file size`);
  return {
    metadata: { index, term, membership: { voters, observers } },
    data: Buffer.from(buffer.subarray(offset, crcAt)),
  };
}

function encodeRecords(entries: readonly Entry[]): Buffer {
  const size = entries.reduce(
    (sum, entry) => sum + RECORD_HEADER_BYTES + RECORD_BODY_FIXED_BYTES + entry.data.byteLength,
    0,
  );
  const buffer = Buffer.allocUnsafe(size);
  let offset = 0;
  for (const entry of entries) {
    const bodyLength = RECORD_BODY_FIXED_BYTES + entry.data.byteLength;
    const bodyAt = offset + RECORD_HEADER_BYTES;
    buffer.writeUInt32BE(bodyLength, offset);
    let p = buffer.writeUInt8(RECORD_VERSION, bodyAt);
    p = writeU53(buffer, entry.index, p);
    p = writeU53(buffer, entry.term, p);
    buffer.set(entry.data, p);
    buffer.writeUInt32BE(crc32c(buffer.subarray(bodyAt, bodyAt + bodyLength)), offset + 4);
    offset = bodyAt + bodyLength;
  }
  return buffer;
}

interface ScannedSegment {
  readonly entries: Entry[];
  readonly positions: number[];
  /** Bytes of valid records; anything after is a torn tail. */
  readonly validBytes: number;
}

/** Reads a segment's records; a damaged record is corruption unless `tailMayBeTorn` and it is the last. */
function scanSegment(path: string, baseIndex: number, tailMayBeTorn: boolean): ScannedSegment {
  const buffer = readFileSync(path);
  const entries: Entry[] = [];
  const positions: number[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const problem = ((): string | undefined => {
      if (buffer.length - offset < RECORD_HEADER_BYTES) return 'truncated record header';
      const bodyLength = buffer.readUInt32BE(offset);
      if (bodyLength < RECORD_BODY_FIXED_BYTES || bodyLength > MAX_RECORD_BODY_BYTES)
        return `implausible record length ${bodyLength}`;
      if (buffer.length - offset - RECORD_HEADER_BYTES < bodyLength) return 'truncated record body';
      const body = buffer.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + bodyLength);
      if (crc32c(body) !== buffer.readUInt32BE(offset + 4)) return 'record checksum mismatch';
      return undefined;
    })();
    if (problem !== undefined) {
      const bodyLength = buffer.length - offset >= 4 ? buffer.readUInt32BE(offset) : 0;
      // Torn: the damaged record runs to (or past) the end of the file, i.e. nothing was
      // written after it. A damaged record followed by more data is not a torn append.
      const isLastRecord =
        offset + RECORD_HEADER_BYTES + bodyLength >= buffer.length || buffer.length - offset < RECORD_HEADER_BYTES;
      if (tailMayBeTorn && isLastRecord) return { entries, positions, validBytes: offset };
      throw new RaftStorageCorruptionError(path, offset, problem);
    }
    const bodyAt = offset + RECORD_HEADER_BYTES;
    const bodyLength = buffer.readUInt32BE(offset);
    const version = buffer.readUInt8(bodyAt);
    if (version !== RECORD_VERSION)
      throw new RaftStorageCorruptionError(path, offset, `unsupported record version ${version}`);
    const index = readU53(buffer, bodyAt + 1);
    const term = readU53(buffer, bodyAt + 9);
    const expectedIndex = baseIndex + entries.length;
    if (index !== expectedIndex)
      throw new RaftStorageCorruptionError(path, offset, `record index ${index}, expected ${expectedIndex}`);
    if (term === undefined || term < (entries[entries.length - 1]?.term ?? 0)) {
      throw new RaftStorageCorruptionError(path, offset, `record term ${term} below the previous record's`);
    }
    entries.push({
      index,
      term,
      data: Buffer.from(buffer.subarray(bodyAt + RECORD_BODY_FIXED_BYTES, bodyAt + bodyLength)),
    });
    positions.push(offset);
    offset = bodyAt + bodyLength;
  }
  return { entries, positions, validBytes: offset };
}

function encodeHardState(state: HardState): Buffer {
  const fields = `${state.term},${state.vote ?? 0},${state.commit}`;
  const json = JSON.stringify({
    version: HARD_STATE_VERSION,
    term: state.term,
    vote: state.vote,
    commit: state.commit,
    crc32c: crc32c(Buffer.from(fields)),
  });
  return Buffer.from(`${json}\n`);
}

function decodeHardState(path: string, buffer: Buffer): HardState {
  const fail = (reason: string): never => {
    throw new RaftStorageCorruptionError(path, 0, reason);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch {
    return fail('not valid JSON');
  }
  const { version, term, vote, commit, crc32c: crc } = (parsed ?? {}) as Record<string, unknown>;
  if (version !== HARD_STATE_VERSION) fail(`unsupported version ${String(version)}`);
  const isIndex = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
  if (!isIndex(term) || !isIndex(commit) || !(vote === null || (isIndex(vote) && vote > 0)))
    fail('fields out of range');
  const state = { term: term as number, vote: vote as number | null, commit: commit as number };
  if (crc !== crc32c(Buffer.from(`${state.term},${state.vote ?? 0},${state.commit}`))) fail('checksum mismatch');
  return state;
}

export class DiskRaftStorage implements RaftStorage {
  private readonly memory: MemoryRaftStorage;
  private readonly segments: Segment[] = [];
  private readonly segmentMaxBytes: number;
  /** Set after a compaction: the next append opens a new segment so the old one can be deleted later. */
  private rollBeforeNextAppend = false;
  private closed = false;
  /** What quorum-state on disk says. */
  private persistedHardState: HardState = EMPTY_HARD_STATE;

  private constructor(
    readonly dir: string,
    private readonly options: DiskRaftStorageOptions,
  ) {
    this.memory = new MemoryRaftStorage(options.membership);
    this.segmentMaxBytes = options.segmentMaxBytes ?? DEFAULT_SEGMENT_MAX_BYTES;
  }

  /** Opens (creating if needed) and recovers the storage in `options.dir`. */
  static open(options: DiskRaftStorageOptions): DiskRaftStorage {
    mkdirSync(options.dir, { recursive: true });
    const storage = new DiskRaftStorage(options.dir, options);
    storage.recover();
    return storage;
  }

  // ---------------------------------------------------------------- read side (RaftStorage)

  hardState(): HardState {
    return this.memory.hardState();
  }
  firstIndex(): number {
    return this.memory.firstIndex();
  }
  lastIndex(): number {
    return this.memory.lastIndex();
  }
  term(index: number): number {
    return this.memory.term(index);
  }
  entries(lo: number, hi: number, maxBytes: number): readonly Entry[] {
    return this.memory.entries(lo, hi, maxBytes);
  }
  snapshot(): Snapshot {
    return this.memory.snapshot();
  }

  // ---------------------------------------------------------------- write side

  /** Persists one Ready durably, in the contract's order. Only then may its messages be sent. */
  persistReady(ready: Ready): void {
    this.assertOpen();
    if (ready.snapshot !== null) this.installSnapshot(ready.snapshot);
    if (ready.entries.length > 0) this.append(ready.entries);
    if (ready.compaction !== null) this.compact(ready.compaction);
    if (ready.hardState !== null) this.setHardState(ready.hardState);
  }

  setHardState(state: HardState): void {
    this.assertOpen();
    this.memory.setHardState(state); // asserts the term never goes back, before touching disk
    const persisted = this.persistedHardState;
    if (this.options.lazyCommit === true && state.term === persisted.term && state.vote === persisted.vote) return;
    this.writeHardState(state);
  }

  /** Writes a commit index held back by `lazyCommit`. Cheap when nothing is pending. */
  flushCommit(): void {
    this.assertOpen();
    const state = this.memory.hardState();
    if (state.commit !== this.persistedHardState.commit) this.writeHardState(state);
  }

  private writeHardState(state: HardState): void {
    writeFileAtomically(join(this.dir, QUORUM_STATE_FILE), encodeHardState(state));
    this.persistedHardState = state;
  }

  /** Appends entries (overwriting a conflicting suffix) and fsyncs. */
  append(entries: readonly Entry[]): void {
    this.assertOpen();
    const first = entries[0];
    if (first === undefined) return;
    this.memory.append(entries); // validates contiguity and gaps first
    if (first.index <= this.lastDiskIndex()) this.truncateDiskFrom(first.index);
    let segment = this.segments[this.segments.length - 1];
    if (segment !== undefined && !this.rollBeforeNextAppend && first.index !== this.lastDiskIndex() + 1) {
      throw new Error(
        `raft storage: append at ${first.index} does not follow the last index on disk ${this.lastDiskIndex()}`,
      );
    }
    let createdFile = false;
    if (segment === undefined || this.rollBeforeNextAppend || segment.sizeBytes >= this.segmentMaxBytes) {
      segment = this.createSegment(first.index);
      createdFile = true;
      this.rollBeforeNextAppend = false;
    }
    const bytes = encodeRecords(entries);
    let position = segment.sizeBytes;
    writeFully(segment.fd, bytes, position);
    for (const entry of entries) {
      segment.positions.push(position);
      position += RECORD_HEADER_BYTES + RECORD_BODY_FIXED_BYTES + entry.data.byteLength;
    }
    segment.sizeBytes = position;
    fsyncSync(segment.fd);
    if (createdFile) fsyncDirectory(this.dir);
  }

  /** A snapshot from the leader replaces the whole log. */
  installSnapshot(snapshot: Snapshot): void {
    this.assertOpen();
    this.checkMembership(snapshot);
    this.memory.installSnapshot(snapshot);
    this.writeSnapshotFile(snapshot);
    for (const segment of this.segments.splice(0)) this.deleteSegment(segment);
    fsyncDirectory(this.dir);
  }

  /** The application's own snapshot: persist it and drop the log it covers. */
  compact(snapshot: Snapshot): void {
    this.assertOpen();
    if (snapshot.metadata.index <= this.memory.snapshot().metadata.index) return; // superseded, as in MemoryRaftStorage
    this.checkMembership(snapshot);
    this.memory.compact(snapshot);
    this.writeSnapshotFile(snapshot);
    this.deleteCoveredSegments(snapshot.metadata.index);
    this.rollBeforeNextAppend = true;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flushCommit();
    } catch {
      // Best effort: a commit index that did not reach disk is re-learned from the leader.
    }
    this.closed = true;
    for (const segment of this.segments) closeSync(segment.fd);
  }

  /** Files in the directory, for tests and `sluice storage` diagnostics. */
  listFiles(): string[] {
    return readdirSync(this.dir).sort();
  }

  // ---------------------------------------------------------------- internals

  private assertOpen(): void {
    if (this.closed) throw new Error(`raft storage ${this.dir} is closed`);
  }

  private checkMembership(snapshot: Snapshot): void {
    if (!membershipEquals(snapshot.metadata.membership, this.options.membership)) {
      throw new Error(
        `snapshot ${snapshot.metadata.index} has voters ${snapshot.metadata.membership.voters.join(',')}, configured voters are ${this.options.membership.voters.join(',')}: membership is fixed`,
      );
    }
  }

  private lastDiskIndex(): number {
    const last = this.segments[this.segments.length - 1];
    return last === undefined ? 0 : last.baseIndex + last.positions.length - 1;
  }

  private createSegment(baseIndex: number): Segment {
    const path = join(this.dir, segmentName(baseIndex));
    const fd = openSync(path, 'w+');
    const segment: Segment = { baseIndex, path, fd, sizeBytes: 0, positions: [] };
    this.segments.push(segment);
    return segment;
  }

  private deleteSegment(segment: Segment): void {
    closeSync(segment.fd);
    unlinkSync(segment.path);
  }

  /** Removes records with index >= `index` from disk (a conflicting suffix). */
  private truncateDiskFrom(index: number): void {
    while (this.segments.length > 0) {
      const last = this.segments[this.segments.length - 1] as Segment;
      if (last.baseIndex >= index) {
        this.segments.pop();
        this.deleteSegment(last);
        continue;
      }
      const keep = index - last.baseIndex;
      if (keep < last.positions.length) {
        const position = last.positions[keep] as number;
        ftruncateSync(last.fd, position);
        fsyncSync(last.fd);
        last.positions.length = keep;
        last.sizeBytes = position;
      }
      break;
    }
    fsyncDirectory(this.dir);
  }

  private deleteCoveredSegments(snapshotIndex: number): void {
    let deleted = false;
    while (this.segments.length > 0) {
      const first = this.segments[0] as Segment;
      const lastIndex = first.baseIndex + first.positions.length - 1;
      if (lastIndex > snapshotIndex) break;
      this.segments.shift();
      this.deleteSegment(first);
      deleted = true;
    }
    if (deleted) fsyncDirectory(this.dir);
  }

  private writeSnapshotFile(snapshot: Snapshot): void {
    const name = snapshotFileName(snapshot.metadata.index, snapshot.metadata.term);
    writeFileAtomically(join(this.dir, name), encodeSnapshotFile(snapshot));
    // Older snapshots are superseded only once the new one is durable.
    for (const file of readdirSync(this.dir)) {
      if (file.endsWith(SNAPSHOT_SUFFIX) && file !== name) unlinkSync(join(this.dir, file));
    }
  }

  private recover(): void {
    const repair = (what: string): void => this.options.onRepair?.(what);
    const files = readdirSync(this.dir).sort();
    for (const file of files) {
      if (file.endsWith(TMP_SUFFIX)) {
        unlinkSync(join(this.dir, file));
        repair(`removed interrupted write ${file}`);
      }
    }

    // 1. The newest snapshot.
    const snapshotFiles = files.filter((file) => /^\d{20}-\d{10}\.snapshot$/.test(file));
    const newest = snapshotFiles[snapshotFiles.length - 1];
    let snapshot: Snapshot | null = null;
    if (newest !== undefined) {
      const path = join(this.dir, newest);
      snapshot = decodeSnapshotFile(path, readFileSync(path));
      if (snapshotFileName(snapshot.metadata.index, snapshot.metadata.term) !== newest) {
        throw new RaftStorageCorruptionError(
          path,
          0,
          `contents say index ${snapshot.metadata.index} term ${snapshot.metadata.term}`,
        );
      }
      this.checkMembership(snapshot);
      this.memory.installSnapshot(snapshot);
      for (const older of snapshotFiles.slice(0, -1)) {
        unlinkSync(join(this.dir, older));
        repair(`removed superseded snapshot ${older}`);
      }
    }
    const snapshotIndex = snapshot?.metadata.index ?? 0;

    // 2. Segments, in index order, contiguous.
    const segmentFiles = files.filter((file) => /^\d{20}\.log$/.test(file));
    const loaded: Array<{ segment: Segment; entries: Entry[] }> = [];
    segmentFiles.forEach((file, k) => {
      const path = join(this.dir, file);
      const baseIndex = Number(file.slice(0, 20));
      const isLast = k === segmentFiles.length - 1;
      const scanned = scanSegment(path, baseIndex, isLast);
      const fd = openSync(path, 'r+');
      const size = fstatSync(fd).size;
      if (scanned.validBytes < size) {
        ftruncateSync(fd, scanned.validBytes);
        fsyncSync(fd);
        repair(`truncated torn tail of ${file} at byte ${scanned.validBytes} (${size - scanned.validBytes} bytes)`);
      }
      const previous = loaded[loaded.length - 1];
      if (previous !== undefined) {
        const expected = previous.segment.baseIndex + previous.entries.length;
        if (baseIndex !== expected)
          throw new RaftStorageCorruptionError(path, 0, `segment starts at index ${baseIndex}, expected ${expected}`);
      }
      loaded.push({
        segment: { baseIndex, path, fd, sizeBytes: scanned.validBytes, positions: scanned.positions },
        entries: scanned.entries,
      });
    });
    this.segments.push(...loaded.map((l) => l.segment));

    // 3. Reconcile the log with the snapshot.
    const entries = loaded.flatMap((l) => l.entries);
    const kept = this.reconcile(entries, snapshot, repair);
    const lastLogged = entries[entries.length - 1];
    if (kept.length === 0 && lastLogged !== undefined && lastLogged.index > snapshotIndex) {
      // The snapshot replaced a conflicting log (an install interrupted before its cleanup).
      for (const segment of this.segments.splice(0)) this.deleteSegment(segment);
      fsyncDirectory(this.dir);
      repair(
        `dropped log entries ${entries[0]?.index}..${lastLogged.index} that conflict with snapshot ${snapshotIndex}`,
      );
    }
    this.memory.append(kept);
    this.deleteCoveredSegments(snapshotIndex);
    const lastSegment = this.segments[this.segments.length - 1];
    this.rollBeforeNextAppend = lastSegment !== undefined && lastSegment.baseIndex <= snapshotIndex;

    // 4. Hard state, checked against the log it describes.
    const statePath = join(this.dir, QUORUM_STATE_FILE);
    const state = existsSync(statePath) ? decodeHardState(statePath, readFileSync(statePath)) : EMPTY_HARD_STATE;
    // (The term may be below the last entry's: a crash after a Ready's entries were written but
    // before its hard state was. That is safe; the node re-learns the term from the leader.)
    if (state.commit > this.memory.lastIndex()) {
      throw new RaftStorageCorruptionError(
        statePath,
        0,
        `commit ${state.commit} beyond the last log index ${this.memory.lastIndex()}`,
      );
    }
    this.memory.setHardState(state);
    this.persistedHardState = state;
  }

  /**
   * Which logged entries survive next to `snapshot`: those after it when the log contains the
   * snapshot's own entry (same term) or starts right after it (a compaction deleted the rest);
   * none when the log disagrees with or ends before the snapshot (it was installed from the
   * leader and replaces the log). A gap between snapshot and log is corruption.
   */
  private reconcile(entries: Entry[], snapshot: Snapshot | null, repair: (what: string) => void): Entry[] {
    const snapshotIndex = snapshot?.metadata.index ?? 0;
    const first = entries[0];
    if (first === undefined) return [];
    if (first.index > snapshotIndex + 1) {
      const segment = this.segments[0] as Segment;
      throw new RaftStorageCorruptionError(
        segment.path,
        0,
        `log starts at index ${first.index} but the snapshot ends at ${snapshotIndex}`,
      );
    }
    if (snapshot === null || first.index === snapshotIndex + 1) return entries;
    const atSnapshot = entries[snapshotIndex - first.index];
    if (atSnapshot === undefined) {
      repair(`log ends at ${entries[entries.length - 1]?.index}, before snapshot ${snapshotIndex}`);
      return [];
    }
    if (atSnapshot.term !== snapshot.metadata.term) return [];
    return entries.slice(snapshotIndex - first.index + 1);
  }
}
