/**
 * `pnpm bench:proto`: what the wire contract's codec costs on the data path: encode + decode of a
 * Produce request (1 MiB of record batches in 1, 12 or 16 partitions) and of a Fetch response,
 * through the exact serializers grpc-js uses (the generated definitions over proto-loader /
 * protobufjs). Decoding `bytes` fields must stay zero-copy (a slice of the message), which the
 * bench checks. Median of 5 runs of 2,000 round trips each, after a warm-up.
 *
 * `--stream-messages`: the produce path's stream messages through the contract's hand codecs
 * against protobufjs' own (stream-codec-rows.ts).
 */
import { serviceDefinition } from '@sluice/proto';
import { STREAM_CODEC_NOTE, streamCodecRows } from './stream-codec-rows';
import { markdownTable, median } from './table';

const ROUND_TRIPS = 2_000;
const RUNS = 5;

function produceRequest(partitions: number, totalBytes: number) {
  return {
    acks: -1,
    timeoutMs: 30_000,
    topics: [
      {
        name: 'orders',
        partitions: Array.from({ length: partitions }, (_, partition) => ({
          partition,
          records: Buffer.alloc(Math.floor(totalBytes / partitions), partition),
        })),
      },
    ],
  };
}

function fetchResponse(partitions: number, totalBytes: number) {
  return {
    topics: [
      {
        name: 'orders',
        partitions: Array.from({ length: partitions }, (_, partition) => ({
          partition,
          errorName: '',
          errorMessage: '',
          highWatermark: 1_000_000,
          logStartOffset: 0,
          records: Buffer.alloc(Math.floor(totalBytes / partitions), partition),
          divergingEpoch: null,
          leaderEpoch: 3,
        })),
      },
    ],
  };
}

function timeUs(run: () => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < ROUND_TRIPS; i++) run();
  return Number(process.hrtime.bigint() - started) / 1_000 / ROUND_TRIPS;
}

function main(): void {
  const broker = serviceDefinition('Broker');
  const rows: string[][] = [];
  for (const partitions of [1, 12, 16]) {
    const request = produceRequest(partitions, 1 << 20);
    const response = fetchResponse(partitions, 1 << 20);
    const encodedRequest = broker.Produce.requestSerialize(request);
    const encodedResponse = broker.Fetch.responseSerialize(response);
    // Zero-copy decode: the records Buffer is a view of the message, not a copy.
    const decoded = broker.Produce.requestDeserialize(encodedRequest);
    const records = decoded.topics[0]?.partitions[0]?.records;
    if (records === undefined || records.buffer !== encodedRequest.buffer)
      throw new Error('decoded records are a copy, not a view of the message');
    for (let i = 0; i < 200; i++) broker.Produce.requestDeserialize(broker.Produce.requestSerialize(request));
    const take = (run: () => void): number => median(Array.from({ length: RUNS }, () => timeUs(run)));
    rows.push([
      `${partitions} x ${(1024 / partitions).toFixed(0)} KiB`,
      take(() => broker.Produce.requestSerialize(request)).toFixed(1),
      take(() => broker.Produce.requestDeserialize(encodedRequest)).toFixed(1),
      take(() => broker.Fetch.responseSerialize(response)).toFixed(1),
      take(() => broker.Fetch.responseDeserialize(encodedResponse)).toFixed(1),
    ]);
  }
  process.stdout.write(
    [
      '',
      `## gRPC codec cost on the data path (@sluice/proto over proto-loader/protobufjs), 1 MiB of records, Node ${process.version}`,
      '',
      markdownTable(
        ['partitions', 'Produce request encode µs', 'decode µs', 'Fetch response encode µs', 'decode µs'],
        rows,
      ),
      '',
      `Median of ${RUNS} runs of ${ROUND_TRIPS} each; decoding keeps the records Buffers as views of the message.`,
      '',
    ].join('\n'),
  );
}

function mainStreamMessages(): void {
  process.stdout.write(
    [
      '',
      `## The produce path's stream messages: protobufjs against the contract's hand codecs, Node ${process.version}`,
      '',
      markdownTable(['message', 'protobufjs µs', 'hand µs', 'hand / protobufjs'], streamCodecRows()),
      '',
      STREAM_CODEC_NOTE,
      '',
    ].join('\n'),
  );
}

if (process.argv.includes('--stream-messages')) mainStreamMessages();
else main();
