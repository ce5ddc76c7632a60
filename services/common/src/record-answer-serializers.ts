/**
 * The servers' serializers for the answers that carry records (Fetch, FetchStream,
 * ReplicaFetchStream, ShareFetch): hand-encoded (`encodeFetchResponse`, `encodeShareFetchResponse`, byte-identical to
 * protobufjs) into one reused scratch buffer instead of a fresh Buffer per answer.
 *
 * Why a scratch buffer is safe here, and only here: grpc-js's server frames every answer in
 * `serializeMessage`, which calls the method's `responseSerialize` and at once copies its result
 * behind the 5-byte gRPC prefix into a new Buffer, synchronously, keeping nothing (servers do not
 * compress answers). The serialized bytes are dead the moment the serializer returns to it, so the
 * next answer may overwrite them. (A client's request serializer is not called that way: its
 * bytes are copied after an await. These serializers are installed on servers only.)
 * record-answer-serializers.test.ts checks this against a real grpc-js server: many concurrent
 * answers of different sizes arrive intact.
 *
 * Why it matters: every Buffer's bytes count toward V8's external-memory limit, and each time the
 * limit is crossed V8 runs a full mark-compact; at the produce plateau the brokers' GC time was
 * mostly those (docs/performance.md, section 6). protobufjs' copy of every follower's answer was a
 * third of the Buffer bytes the brokers' JavaScript allocated.
 *
 * With the patched grpc-js (patches/@grpc__grpc-js@1.14.7.patch) the serializer also offers `lendFramed`:
 * the answer is encoded straight into a pooled frame that grpc-js writes as it is and gives back
 * when the write completes (answer-frames.ts), so neither the scratch copy nor grpc-js' own framed
 * Buffer is made (docs/performance.md, section 14). The scratch path stays for a grpc-js without
 * the patch.
 *
 * A Fetch answer's records may be a RecordsSource (the broker's consumer reads of segment files,
 * docs/performance.md section 20): the encoder has the source read its batches straight into
 * the lent frame, at their place in the answer.
 */
import type { PackageDefinition } from '@grpc/proto-loader';
import { AnswerFramePool, GRPC_PREFIX_BYTES, type AnswerFrameStats, type LentFrame } from './answer-frames';
import { mapMethods } from './method-definitions';
import {
  encodeFetchResponse,
  encodeFetchStreamResponse,
  encodeReplicaFetchStreamResponse,
  withRecordsRead,
  encodeShareFetchResponse,
  type EncodeTarget,
} from '@sluice/proto';

/** The scratch space is kept up to this size; a larger answer gets a Buffer of its own. */
export const MAX_SCRATCH_BYTES = 8 * 1024 * 1024;
/** Starting size of the scratch space (it doubles as answers need, up to MAX_SCRATCH_BYTES). */
const INITIAL_SCRATCH_BYTES = 64 * 1024;

/** The methods whose answers are hand-encoded, by gRPC path. */
const ENCODERS: ReadonlyMap<string, (message: unknown, target: EncodeTarget) => Buffer | null> = new Map([
  ['/sluice.v1.Broker/Fetch', encodeFetchResponse],
  ['/sluice.v1.Broker/ReplicaFetchStream', encodeReplicaFetchStreamResponse],
  ['/sluice.v1.Broker/FetchStream', encodeFetchStreamResponse],
  ['/sluice.v1.Broker/ShareFetch', encodeShareFetchResponse],
]);

/**
 * One growing scratch buffer: `take(n)` returns its first n bytes (valid until the next call),
 * or a fresh Buffer above MAX_SCRATCH_BYTES. One per process is enough: serializing is synchronous.
 */
export class ScratchSpace {
  private buffer = Buffer.allocUnsafeSlow(INITIAL_SCRATCH_BYTES);

  constructor(private readonly maxRetainedBytes = MAX_SCRATCH_BYTES) {}

  readonly take: EncodeTarget = (sizeBytes) => {
    if (sizeBytes > this.maxRetainedBytes) return Buffer.allocUnsafe(sizeBytes);
    if (sizeBytes > this.buffer.length) {
      let length = this.buffer.length;
      while (length < sizeBytes) length *= 2;
      this.buffer = Buffer.allocUnsafeSlow(Math.min(length, this.maxRetainedBytes));
    }
    return this.buffer.subarray(0, sizeBytes);
  };

  get capacityBytes(): number {
    return this.buffer.length;
  }
}

const installed = new WeakMap<PackageDefinition, PackageDefinition>();
/** The process's one scratch space: every server's serializers share it (see ScratchSpace). */
const processScratch = new ScratchSpace();
/** The process's frames lent to grpc-js: every server's answers share them (answer-frames.ts). */
const processFrames = new AnswerFramePool();

/** What the process's lent frames did so far (tests, benches). */
export function answerFrameStats(): AnswerFrameStats {
  return processFrames.stats();
}

/**
 * `message` hand-encoded behind the gRPC prefix into a frame lent from `pool`, or null for a shape
 * the encoder leaves to protobufjs (nothing is lent then).
 */
export function lendFramedAnswer(
  encoder: (message: unknown, target: EncodeTarget) => Buffer | null,
  message: unknown,
  pool: AnswerFramePool,
): LentFrame | null {
  let lent: LentFrame | undefined;
  let encoded: Buffer | null;
  try {
    encoded = encoder(message, (sizeBytes) => {
      if (lent !== undefined) throw new Error('fetch response encoder asked for a second target');
      lent = pool.lend(GRPC_PREFIX_BYTES + sizeBytes);
      return lent.bytes.subarray(GRPC_PREFIX_BYTES);
    });
  } catch (error) {
    lent?.release();
    throw error;
  }
  if (encoded === null) {
    lent?.release();
    return null;
  }
  if (lent === undefined) throw new Error('fetch response encoder wrote without a target');
  // Uncompressed (servers do not compress answers), then the message length.
  lent.bytes[0] = 0;
  lent.bytes.writeUInt32BE(encoded.length, 1);
  return lent;
}

/**
 * The same package definition with the record-carrying answers hand-encoded into `scratch`; a
 * message the hand encoder does not take goes to the method's protobufjs serializer as before.
 * For a server's definition only (see above).
 */
export function recordAnswerSerializers(definition: PackageDefinition): PackageDefinition {
  const known = installed.get(definition);
  if (known !== undefined) return known;
  const copy = mapMethods(definition, (method) => {
    const encoder = ENCODERS.get(method.path);
    if (encoder === undefined) return method;
    const { responseSerialize } = method;
    // protobufjs cannot take a RecordsSource: it gets the message with the sources read into Buffers.
    const serialize = (value: unknown): Buffer =>
      encoder(value, processScratch.take) ?? responseSerialize(withRecordsRead(value));
    // Read by the patched grpc-js's serializeMessage (see the top of this file).
    const lendFramed = (value: unknown): LentFrame | null => lendFramedAnswer(encoder, value, processFrames);
    return { ...method, responseSerialize: Object.assign(serialize, { lendFramed }) };
  });
  installed.set(definition, copy);
  return copy;
}
