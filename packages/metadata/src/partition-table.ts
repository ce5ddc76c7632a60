/**
 * Compact, immutable storage for all partitions of one topic.
 *
 * A million partitions as a million objects each holding two or three typed arrays would cost
 * several hundred bytes per partition; instead each topic keeps one Int32Array of packed
 * partition entries plus one Int32Array of entry start offsets:
 *
 *   entry = leader, leaderEpoch, partitionEpoch, replicaCount, isrCount, listCounts,
 *           replicas..., isr..., elr..., adding..., removing...
 *
 * where listCounts packs the ELR, adding and removing counts (a reassignment's, rare) 10 bits
 * each, so a partition without a reassignment costs nothing more: with 3 replicas all in sync
 * that is 12 + 1 int32s = 52 bytes per partition. Partition ids are
 * dense (0..count-1), so the id is the index. Callers get PartitionRegistration objects built on
 * demand with their own copies of the arrays, so nothing outside can mutate the table.
 */
import { NO_LEADER } from './records';

const NONE: ArrayLike<number> = [];

export interface PartitionRegistration {
  readonly replicas: Int32Array;
  readonly isr: Int32Array;
  readonly eligibleLeaderReplicas: Int32Array;
  /** A reassignment in progress: replicas being added (empty when none). */
  readonly addingReplicas: Int32Array;
  /** A reassignment in progress: replicas removed once it completes (empty when none). */
  readonly removingReplicas: Int32Array;
  /** A broker id, or NO_LEADER (-1). */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

/** What a table accepts: plain arrays from records or typed arrays from registrations. */
export interface PartitionFields {
  readonly replicas: ArrayLike<number>;
  readonly isr: ArrayLike<number>;
  readonly eligibleLeaderReplicas: ArrayLike<number>;
  /** Absent: none. */
  readonly addingReplicas?: ArrayLike<number>;
  /** Absent: none. */
  readonly removingReplicas?: ArrayLike<number>;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

const LEADER = 0;
const LEADER_EPOCH = 1;
const PARTITION_EPOCH = 2;
const REPLICA_COUNT = 3;
const ISR_COUNT = 4;
const LIST_COUNTS = 5;
const ENTRY_HEADER_INTS = 6;
/** Bits per count in LIST_COUNTS: ELR, then adding, then removing. */
const COUNT_BITS = 10;
const COUNT_MASK = (1 << COUNT_BITS) - 1;
/** The most brokers one of the packed lists may hold (replica sets are far smaller). */
export const MAX_PACKED_LIST_LENGTH = COUNT_MASK;

function elrCountOf(listCounts: number): number {
  return listCounts & COUNT_MASK;
}
function addingCountOf(listCounts: number): number {
  return (listCounts >>> COUNT_BITS) & COUNT_MASK;
}
function removingCountOf(listCounts: number): number {
  return (listCounts >>> (2 * COUNT_BITS)) & COUNT_MASK;
}

/** Where each list of an entry starts (and the last one ends). */
function listOffsets(
  data: Int32Array,
  start: number,
): { replicasAt: number; isrAt: number; elrAt: number; addingAt: number; removingAt: number; endAt: number } {
  const replicasAt = start + ENTRY_HEADER_INTS;
  const isrAt = replicasAt + (data[start + REPLICA_COUNT] as number);
  const elrAt = isrAt + (data[start + ISR_COUNT] as number);
  const counts = data[start + LIST_COUNTS] as number;
  const addingAt = elrAt + elrCountOf(counts);
  const removingAt = addingAt + addingCountOf(counts);
  const endAt = removingAt + removingCountOf(counts);
  return { replicasAt, isrAt, elrAt, addingAt, removingAt, endAt };
}

function readEntry(data: Int32Array, start: number): PartitionRegistration {
  const { replicasAt, isrAt, elrAt, addingAt, removingAt, endAt } = listOffsets(data, start);
  return {
    replicas: data.slice(replicasAt, isrAt),
    isr: data.slice(isrAt, elrAt),
    eligibleLeaderReplicas: data.slice(elrAt, addingAt),
    addingReplicas: data.slice(addingAt, removingAt),
    removingReplicas: data.slice(removingAt, endAt),
    leader: data[start + LEADER] as number,
    leaderEpoch: data[start + LEADER_EPOCH] as number,
    partitionEpoch: data[start + PARTITION_EPOCH] as number,
  };
}

/** Plain-array form of an entry, for building records without typed-array conversions. */
export interface PlainPartition {
  readonly replicas: number[];
  readonly isr: number[];
  readonly eligibleLeaderReplicas: number[];
  readonly addingReplicas: number[];
  readonly removingReplicas: number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

function plainSlice(data: Int32Array, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(data[i] as number);
  return out;
}

function readPlainEntry(data: Int32Array, start: number): PlainPartition {
  const { replicasAt, isrAt, elrAt, addingAt, removingAt, endAt } = listOffsets(data, start);
  return {
    replicas: plainSlice(data, replicasAt, isrAt),
    isr: plainSlice(data, isrAt, elrAt),
    eligibleLeaderReplicas: plainSlice(data, elrAt, addingAt),
    addingReplicas: plainSlice(data, addingAt, removingAt),
    removingReplicas: plainSlice(data, removingAt, endAt),
    leader: data[start + LEADER] as number,
    leaderEpoch: data[start + LEADER_EPOCH] as number,
    partitionEpoch: data[start + PARTITION_EPOCH] as number,
  };
}

export class PartitionTable {
  static readonly EMPTY = new PartitionTable(new Int32Array(1), new Int32Array(0));

  /** Use PartitionTableBuilder; `starts` has count + 1 entries, the last being the data length. */
  constructor(
    private readonly starts: Int32Array,
    private readonly data: Int32Array,
  ) {}

  get count(): number {
    return this.starts.length - 1;
  }

  /** Bytes held by this table's arrays (the bulk of an image's memory). */
  get sizeBytes(): number {
    return this.starts.byteLength + this.data.byteLength;
  }

  has(partitionId: number): boolean {
    return partitionId >= 0 && partitionId < this.count && (partitionId | 0) === partitionId;
  }

  get(partitionId: number): PartitionRegistration | undefined {
    if (!this.has(partitionId)) return undefined;
    return readEntry(this.data, this.starts[partitionId] as number);
  }

  /** The partition with plain arrays (what records carry). */
  getPlain(partitionId: number): PlainPartition | undefined {
    if (!this.has(partitionId)) return undefined;
    return readPlainEntry(this.data, this.starts[partitionId] as number);
  }

  /** The leader without materializing the registration (hot path for routing). */
  leader(partitionId: number): number {
    if (!this.has(partitionId)) return NO_LEADER;
    return this.data[(this.starts[partitionId] as number) + LEADER] as number;
  }

  leaderEpoch(partitionId: number): number | undefined {
    if (!this.has(partitionId)) return undefined;
    return this.data[(this.starts[partitionId] as number) + LEADER_EPOCH] as number;
  }

  /** True when `brokerId` is in the partition's replica set, again without allocating. */
  hasReplica(partitionId: number, brokerId: number): boolean {
    if (!this.has(partitionId)) return false;
    const start = this.starts[partitionId] as number;
    const replicasAt = start + ENTRY_HEADER_INTS;
    const end = replicasAt + (this.data[start + REPLICA_COUNT] as number);
    for (let i = replicasAt; i < end; i++) if (this.data[i] === brokerId) return true;
    return false;
  }

  /** True when `brokerId` is in the partition's ISR, without allocating. */
  isrIncludes(partitionId: number, brokerId: number): boolean {
    if (!this.has(partitionId)) return false;
    const start = this.starts[partitionId] as number;
    const isrAt = start + ENTRY_HEADER_INTS + (this.data[start + REPLICA_COUNT] as number);
    const end = isrAt + (this.data[start + ISR_COUNT] as number);
    for (let i = isrAt; i < end; i++) if (this.data[i] === brokerId) return true;
    return false;
  }

  /** True when `brokerId` is in the partition's eligible leader replicas (KIP-966), without allocating. */
  elrIncludes(partitionId: number, brokerId: number): boolean {
    if (!this.has(partitionId)) return false;
    const start = this.starts[partitionId] as number;
    const elrAt =
      start +
      ENTRY_HEADER_INTS +
      (this.data[start + REPLICA_COUNT] as number) +
      (this.data[start + ISR_COUNT] as number);
    const end = elrAt + elrCountOf(this.data[start + LIST_COUNTS] as number);
    for (let i = elrAt; i < end; i++) if (this.data[i] === brokerId) return true;
    return false;
  }

  /** True when a reassignment is in progress on the partition (adding or removing replicas), without allocating. */
  isReassigning(partitionId: number): boolean {
    if (!this.has(partitionId)) return false;
    const start = this.starts[partitionId] as number;
    return (this.data[start + LIST_COUNTS] as number) >>> COUNT_BITS !== 0;
  }

  /** Appends partitions [from, to) of this table to `builder` in one bulk copy. */
  copyRangeInto(builder: PartitionTableBuilder, from: number, to: number): void {
    if (from >= to) return;
    if (from < 0 || to > this.count)
      throw new RangeError(`partition range [${from}, ${to}) outside [0, ${this.count})`);
    builder.appendPacked(this.starts.subarray(from, to + 1), this.data);
  }
}

/** Growable, append-only builder; `build()` trims to an immutable PartitionTable. */
export class PartitionTableBuilder {
  private starts: Int32Array;
  private data: Int32Array;
  private partitionCount = 0;
  private dataLength = 0;

  constructor(expectedPartitions = 4, expectedReplicas = 3) {
    const partitions = Math.max(1, expectedPartitions);
    this.starts = new Int32Array(partitions + 1);
    this.data = new Int32Array(partitions * (ENTRY_HEADER_INTS + 2 * expectedReplicas));
  }

  get count(): number {
    return this.partitionCount;
  }

  private reserve(partitions: number, ints: number): void {
    if (this.partitionCount + partitions + 1 > this.starts.length) {
      const grown = new Int32Array(Math.max(this.partitionCount + partitions + 1, this.starts.length * 2));
      grown.set(this.starts.subarray(0, this.partitionCount + 1));
      this.starts = grown;
    }
    if (this.dataLength + ints > this.data.length) {
      const grown = new Int32Array(Math.max(this.dataLength + ints, this.data.length * 2));
      grown.set(this.data.subarray(0, this.dataLength));
      this.data = grown;
    }
  }

  append(partition: PartitionFields): void {
    const replicaCount = partition.replicas.length;
    const isrCount = partition.isr.length;
    const elrCount = partition.eligibleLeaderReplicas.length;
    const adding = partition.addingReplicas ?? NONE;
    const removing = partition.removingReplicas ?? NONE;
    for (const [what, length] of [
      ['eligible leader replicas', elrCount],
      ['adding replicas', adding.length],
      ['removing replicas', removing.length],
    ] as const) {
      if (length > MAX_PACKED_LIST_LENGTH)
        throw new RangeError(`${length} ${what} exceed the table's limit of ${MAX_PACKED_LIST_LENGTH}`);
    }
    const ints = ENTRY_HEADER_INTS + replicaCount + isrCount + elrCount + adding.length + removing.length;
    this.reserve(1, ints);
    const data = this.data;
    let at = this.dataLength;
    data[at + LEADER] = partition.leader;
    data[at + LEADER_EPOCH] = partition.leaderEpoch;
    data[at + PARTITION_EPOCH] = partition.partitionEpoch;
    data[at + REPLICA_COUNT] = replicaCount;
    data[at + ISR_COUNT] = isrCount;
    data[at + LIST_COUNTS] = elrCount | (adding.length << COUNT_BITS) | (removing.length << (2 * COUNT_BITS));
    at += ENTRY_HEADER_INTS;
    for (let i = 0; i < replicaCount; i++) data[at++] = partition.replicas[i] as number;
    for (let i = 0; i < isrCount; i++) data[at++] = partition.isr[i] as number;
    for (let i = 0; i < elrCount; i++) data[at++] = partition.eligibleLeaderReplicas[i] as number;
    for (let i = 0; i < adding.length; i++) data[at++] = adding[i] as number;
    for (let i = 0; i < removing.length; i++) data[at++] = removing[i] as number;
    this.dataLength = at;
    this.partitionCount++;
    this.starts[this.partitionCount] = at;
  }

  /** Appends entries described by `starts` (n + 1 offsets into `data`), rebasing their offsets. */
  appendPacked(starts: Int32Array, data: Int32Array): void {
    const partitions = starts.length - 1;
    const first = starts[0] as number;
    const last = starts[partitions] as number;
    this.reserve(partitions, last - first);
    this.data.set(data.subarray(first, last), this.dataLength);
    const shift = this.dataLength - first;
    for (let i = 1; i <= partitions; i++) this.starts[this.partitionCount + i] = (starts[i] as number) + shift;
    this.partitionCount += partitions;
    this.dataLength += last - first;
  }

  get(partitionId: number): PartitionRegistration | undefined {
    if (!(partitionId >= 0 && partitionId < this.partitionCount && (partitionId | 0) === partitionId)) return undefined;
    return readEntry(this.data, this.starts[partitionId] as number);
  }

  hasReplica(partitionId: number, brokerId: number): boolean {
    const registration = this.get(partitionId);
    return registration !== undefined && registration.replicas.includes(brokerId);
  }

  copyRangeInto(builder: PartitionTableBuilder, from: number, to: number): void {
    if (from >= to) return;
    builder.appendPacked(this.starts.subarray(from, to + 1), this.data);
  }

  /** Trims to exact size; the builder must not be used afterwards. */
  build(): PartitionTable {
    if (this.partitionCount === 0) return PartitionTable.EMPTY;
    return new PartitionTable(this.starts.slice(0, this.partitionCount + 1), this.data.slice(0, this.dataLength));
  }
}
