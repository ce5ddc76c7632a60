/**
 * `pnpm bench:proto --stream-messages`: the produce path's stream messages through the contract's
 * installed codecs (hand decoders and schema encoders, packages/proto stream-message-decoders.ts and
 * schema-encoder.ts) against protobufjs' own (a contract loaded without them), in one process, in
 * alternating rounds (A B, B A, ...), so the machine's drift falls on both. Shapes as in tuned
 * produce: one 128 KiB batch per request and per follower answer, two partitions per fetch.
 */
import { CONTRACT_PROTO_FILES, contractPackageDefinition, loadProtos } from '@sluice/proto';
import { median } from './table';

const MESSAGES_PER_BLOCK = 5_000;
const ROUNDS = 6;
const BATCH_BYTES = 128 * 1024;

interface Codec {
  readonly requestSerialize: (value: unknown) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
  readonly responseSerialize: (value: unknown) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => unknown;
}

function brokerMethods(definition: ReturnType<typeof loadProtos>): Record<string, Codec> {
  return definition['sluice.v1.Broker'] as unknown as Record<string, Codec>;
}

const followerRequest = {
  correlationId: 123_456,
  request: {
    replicaId: 2,
    replicaEpoch: 17,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 10_485_760,
    topics: [
      {
        name: 'bench-produce-tuned',
        partitions: [0, 3].map((partition) => ({
          partition,
          fetchOffset: 1_234_567,
          currentLeaderEpoch: 4,
          lastFetchedEpoch: 4,
          logStartOffset: 0,
          partitionMaxBytes: 1_048_576,
          flushedOffset: 1_234_000,
        })),
      },
    ],
  },
};

const followerAnswer = {
  correlationId: '123456',
  response: {
    topics: [
      {
        name: 'bench-produce-tuned',
        partitions: [
          {
            partition: 3,
            errorName: '',
            errorMessage: '',
            highWatermark: 1_234_440,
            logStartOffset: 0,
            records: Buffer.alloc(BATCH_BYTES, 7),
            divergingEpoch: null,
            leaderEpoch: 4,
          },
        ],
      },
    ],
  },
  errorName: '',
  errorMessage: '',
};

const produceRequest = {
  correlationId: 98_765,
  request: {
    acks: -1,
    timeoutMs: 30_000,
    topics: [{ name: 'bench-produce-tuned', partitions: [{ partition: 3, records: Buffer.alloc(BATCH_BYTES, 9) }] }],
  },
};

const produceAnswer = {
  correlationId: '98765',
  response: {
    topics: [
      {
        name: 'bench-produce-tuned',
        partitions: [
          {
            partition: 3,
            errorName: '',
            errorMessage: '',
            baseOffset: 1_234_567,
            logAppendTime: -1,
            logStartOffset: 0,
          },
        ],
      },
    ],
    throttleTimeMs: 0,
  },
  errorName: '',
  errorMessage: '',
};

/** µs per call of `run` over one block. */
function blockUs(run: () => unknown): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES_PER_BLOCK; i++) run();
  return Number(process.hrtime.bigint() - started) / 1_000 / MESSAGES_PER_BLOCK;
}

/** Rows: message, side, protobufjs µs, installed µs, installed / protobufjs (medians of the rounds). */
export function streamCodecRows(): string[][] {
  const protobuf = brokerMethods(loadProtos(CONTRACT_PROTO_FILES));
  const installed = brokerMethods(contractPackageDefinition());
  const cases: Array<[string, (codec: Record<string, Codec>) => () => unknown]> = [
    [
      'ReplicaFetchStreamRequest encode (follower)',
      (c) => () => c.ReplicaFetchStream!.requestSerialize(followerRequest),
    ],
    [
      'ReplicaFetchStreamRequest decode (leader)',
      (c) => {
        const bytes = protobuf.ReplicaFetchStream!.requestSerialize(followerRequest);
        return () => c.ReplicaFetchStream!.requestDeserialize(bytes);
      },
    ],
    [
      'ReplicaFetchStreamResponse decode (follower)',
      (c) => {
        const bytes = protobuf.ReplicaFetchStream!.responseSerialize(followerAnswer);
        return () => c.ReplicaFetchStream!.responseDeserialize(bytes);
      },
    ],
    [
      'ProduceStreamRequest decode (leader)',
      (c) => {
        const bytes = protobuf.ProduceStream!.requestSerialize(produceRequest);
        return () => c.ProduceStream!.requestDeserialize(bytes);
      },
    ],
    ['ProduceStreamResponse encode (leader)', (c) => () => c.ProduceStream!.responseSerialize(produceAnswer)],
  ];
  const rows: string[][] = [];
  for (const [name, make] of cases) {
    const a = make(protobuf);
    const b = make(installed);
    for (let i = 0; i < 2_000; i++) {
      a();
      b();
    }
    const aUs: number[] = [];
    const bUs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        aUs.push(blockUs(a));
        bUs.push(blockUs(b));
      } else {
        bUs.push(blockUs(b));
        aUs.push(blockUs(a));
      }
    }
    const before = median(aUs);
    const after = median(bUs);
    rows.push([name, before.toFixed(2), after.toFixed(2), (after / before).toFixed(2)]);
  }
  return rows;
}

export const STREAM_CODEC_NOTE = `Median of ${ROUNDS} alternating blocks of ${MESSAGES_PER_BLOCK} messages per codec, after a warm-up; one process.`;
