/**
 * The producer snapshot uploaded with each remote segment (Kafka's `.snapshot`): the idempotent
 * producer state of the partition as of the segment's last offset, cumulative over the whole log
 * (not only the producers that wrote in that segment), so that one snapshot is enough for a replica
 * that starts at the next offset (KIP-405's follower rebuild) to recognise a retried batch.
 *
 * Per producer: its epoch, the metadata of its last RETAINED_BATCHES batches (what the broker's
 * ProducerStateManager keeps for deduplication) and its last timestamp (for expiry). The builder
 * applies batch headers in offset order, with the broker's rules (a new epoch forgets the old
 * epoch's batches, a control batch moves the epoch only), and is bounded: at most
 * `maxProducerIds` producers, the least recently appended dropped first, as the broker does.
 */

/** The broker's RETAINED_BATCHES_PER_PRODUCER (Kafka's NUM_BATCHES_TO_RETAIN). */
export const SNAPSHOT_RETAINED_BATCHES = 5;
/** The broker's default bound on producers tracked per partition. */
export const DEFAULT_SNAPSHOT_MAX_PRODUCER_IDS = 50_000;
export const PRODUCER_SNAPSHOT_VERSION = 2;

const MAX_SEQUENCE = 0x7fffffff;

export interface SnapshotBatch {
  readonly firstSequence: number;
  readonly lastSequence: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly maxTimestampMs: number;
}

export interface SnapshotProducer {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly lastTimestampMs: number;
  /** Oldest first, at most SNAPSHOT_RETAINED_BATCHES. */
  readonly batches: readonly SnapshotBatch[];
}

export interface ProducerSnapshot {
  readonly v: typeof PRODUCER_SNAPSHOT_VERSION;
  /** The state covers every batch whose last offset is at most this (-1: none). */
  readonly endOffset: number;
  /** Least recently appended first. */
  readonly producers: readonly SnapshotProducer[];
}

/** A batch header's idempotence fields, with its offsets. */
export interface SnapshotBatchHeader {
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestampMs: number;
  readonly isControl: boolean;
}

/** An uploaded snapshot that is not one this version writes (Kafka's name for unreadable storage). */
export class ProducerSnapshotError extends Error {
  override readonly name = 'ProducerSnapshotError';
  readonly code = 'KAFKA_STORAGE_ERROR';
}

export class ProducerSnapshotBuilder {
  /** Map order is least recently appended first: eviction takes the first key. */
  private readonly producers = new Map<number, SnapshotProducer>();
  private endOffsetValue = -1;

  constructor(private readonly maxProducerIds = DEFAULT_SNAPSHOT_MAX_PRODUCER_IDS) {
    if (!Number.isSafeInteger(maxProducerIds) || maxProducerIds <= 0)
      throw new Error(`maxProducerIds ${maxProducerIds} must be positive`);
  }

  static from(snapshot: ProducerSnapshot, maxProducerIds = DEFAULT_SNAPSHOT_MAX_PRODUCER_IDS): ProducerSnapshotBuilder {
    const builder = new ProducerSnapshotBuilder(maxProducerIds);
    for (const producer of snapshot.producers) builder.put(producer);
    builder.endOffsetValue = snapshot.endOffset;
    return builder;
  }

  get endOffset(): number {
    return this.endOffsetValue;
  }

  /**
   * Applies one batch, in offset order. A batch the state already covers (a segment copied again
   * from an earlier base, as a new leader's straddling segment is) is skipped: applied twice, it
   * would push a real batch out of the retained five.
   */
  apply(batch: SnapshotBatchHeader): void {
    if (batch.lastOffset <= this.endOffsetValue) return;
    if (!(batch.baseOffset >= 0 && batch.lastOffset >= batch.baseOffset))
      throw new Error(`batch offsets ${batch.baseOffset}..${batch.lastOffset} are not a range`);
    this.endOffsetValue = batch.lastOffset;
    if (batch.producerId < 0) return;
    const current = this.producers.get(batch.producerId);
    const lastTimestampMs = Math.max(current?.lastTimestampMs ?? batch.maxTimestampMs, batch.maxTimestampMs);
    const sameEpoch = current !== undefined && current.producerEpoch === batch.producerEpoch;
    if (batch.isControl || batch.baseSequence < 0) {
      // A marker (or a batch without a sequence) moves the epoch but adds no sequence.
      this.put({
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        lastTimestampMs,
        batches: sameEpoch ? current.batches : [],
      });
      return;
    }
    const delta = batch.lastOffset - batch.baseOffset;
    const lastSequence =
      batch.baseSequence > MAX_SEQUENCE - delta
        ? delta - (MAX_SEQUENCE - batch.baseSequence) - 1
        : batch.baseSequence + delta;
    const kept = sameEpoch ? current.batches.slice(-(SNAPSHOT_RETAINED_BATCHES - 1)) : [];
    this.put({
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      lastTimestampMs,
      batches: [
        ...kept,
        {
          firstSequence: batch.baseSequence,
          lastSequence,
          firstOffset: batch.baseOffset,
          lastOffset: batch.lastOffset,
          maxTimestampMs: batch.maxTimestampMs,
        },
      ],
    });
  }

  /** The state now covers through `offset` (a segment whose last batches carried no producer). */
  coverThrough(offset: number): void {
    this.endOffsetValue = Math.max(this.endOffsetValue, offset);
  }

  snapshot(): ProducerSnapshot {
    return { v: PRODUCER_SNAPSHOT_VERSION, endOffset: this.endOffsetValue, producers: [...this.producers.values()] };
  }

  private put(producer: SnapshotProducer): void {
    this.producers.delete(producer.producerId);
    this.producers.set(producer.producerId, producer);
    if (this.producers.size > this.maxProducerIds) this.producers.delete(this.producers.keys().next().value!);
  }
}

/**
 * The snapshot as of `endOffset` (below its own end), for a replica starting at `endOffset + 1`
 * inside the segment the snapshot ends: batches above are dropped (the replica fetches and replays
 * them). A producer's batches pushed out of the retained five by those are not brought back: its
 * older retries are then not recognised, the same as on the leader.
 */
export function producerSnapshotThrough(snapshot: ProducerSnapshot, endOffset: number): ProducerSnapshot {
  if (endOffset >= snapshot.endOffset) return snapshot;
  return {
    v: PRODUCER_SNAPSHOT_VERSION,
    endOffset,
    producers: snapshot.producers
      .map((producer) => ({ ...producer, batches: producer.batches.filter((batch) => batch.lastOffset <= endOffset) }))
      .filter((producer) => producer.batches.length > 0),
  };
}

export function encodeProducerSnapshot(snapshot: ProducerSnapshot): Buffer {
  return Buffer.from(JSON.stringify(snapshot));
}

/** Parses and checks an uploaded snapshot; ProducerSnapshotError names what is wrong. */
export function decodeProducerSnapshot(bytes: Buffer, where: string): ProducerSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ProducerSnapshotError(`${where}: producer snapshot is not JSON`);
  }
  const bad = (what: string): ProducerSnapshotError => new ProducerSnapshotError(`${where}: producer snapshot ${what}`);
  if (typeof parsed !== 'object' || parsed === null) throw bad('is not an object');
  const record = parsed as Record<string, unknown>;
  if (record.v !== PRODUCER_SNAPSHOT_VERSION)
    throw bad(`has version ${String(record.v)}, not ${PRODUCER_SNAPSHOT_VERSION} (older ones are not cumulative)`);
  if (!isInt(record.endOffset, -1)) throw bad('has no end offset');
  if (!Array.isArray(record.producers)) throw bad('has no producer list');
  const producers = record.producers.map((value: unknown, i): SnapshotProducer => {
    const p = value as Record<string, unknown>;
    if (typeof p !== 'object' || p === null || !isInt(p.producerId, 0) || !isInt(p.producerEpoch, 0))
      throw bad(`producer ${i} has no id or epoch`);
    if (!isInt(p.lastTimestampMs, -1) || !Array.isArray(p.batches) || p.batches.length > SNAPSHOT_RETAINED_BATCHES)
      throw bad(`producer ${i} has no timestamp or more than ${SNAPSHOT_RETAINED_BATCHES} batches`);
    const batches = p.batches.map((b: unknown): SnapshotBatch => {
      const batch = b as Record<string, unknown>;
      const valid =
        typeof batch === 'object' &&
        batch !== null &&
        isInt(batch.firstSequence, 0) &&
        isInt(batch.lastSequence, 0) &&
        isInt(batch.firstOffset, 0) &&
        isInt(batch.lastOffset, 0) &&
        isInt(batch.maxTimestampMs, -1) &&
        (batch.lastOffset as number) >= (batch.firstOffset as number) &&
        (batch.lastOffset as number) <= (record.endOffset as number);
      if (!valid) throw bad(`producer ${i} has a malformed batch`);
      return {
        firstSequence: batch.firstSequence as number,
        lastSequence: batch.lastSequence as number,
        firstOffset: batch.firstOffset as number,
        lastOffset: batch.lastOffset as number,
        maxTimestampMs: batch.maxTimestampMs as number,
      };
    });
    return {
      producerId: p.producerId as number,
      producerEpoch: p.producerEpoch as number,
      lastTimestampMs: p.lastTimestampMs as number,
      batches,
    };
  });
  return { v: PRODUCER_SNAPSHOT_VERSION, endOffset: record.endOffset as number, producers };
}

function isInt(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}
