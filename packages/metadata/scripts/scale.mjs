// Scale probe for @sluice/metadata (not a test, no assertions on time).
// Build first (`pnpm exec tsc -b`), then:
//   node --expose-gc packages/metadata/scripts/scale.mjs [topics=10000] [partitionsPerTopic=100] [snapshotPath]
// Prints heap bytes per partition for the image alone, and replay / snapshot write / load times.
import { createRequire } from 'node:module';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { MetadataDelta, MetadataImage, loadSnapshot, writeSnapshot, uuidFromBytes } = require('../dist/index.js');

const topics = Number(process.argv[2] ?? 10_000);
const partitionsPerTopic = Number(process.argv[3] ?? 100);
const snapshotPath = process.argv[4] ?? join(tmpdir(), `sluice-metadata-scale-${process.pid}.snapshot`);
const brokers = 30;

function topicId(index) {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, index + 1);
  bytes[0] = 0x5a;
  return uuidFromBytes(bytes);
}

function heapUsedBytes() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

function seconds(startNs) {
  return (Number(process.hrtime.bigint() - startNs) / 1e9).toFixed(2);
}

const baseline = heapUsedBytes();
let started = process.hrtime.bigint();
let delta = new MetadataDelta(MetadataImage.EMPTY);
let offset = 0;
for (let brokerId = 0; brokerId < brokers; brokerId++) {
  delta.replay(
    {
      type: 'BrokerRegistration',
      brokerId,
      brokerEpoch: offset,
      incarnationId: topicId(1e9 + brokerId),
      listeners: [{ name: 'PLAINTEXT', host: `broker-${brokerId}`, port: 9092 }],
      rack: null,
      fenced: false,
    },
    { offset: offset++, epoch: 1 },
  );
}
for (let t = 0; t < topics; t++) {
  const id = topicId(t);
  delta.replay({ type: 'Topic', name: `topic-${t}`, topicId: id }, { offset: offset++, epoch: 1 });
  for (let p = 0; p < partitionsPerTopic; p++) {
    const replicas = [(t + p) % brokers, (t + p + 1) % brokers, (t + p + 2) % brokers];
    delta.replay(
      {
        type: 'Partition',
        topicId: id,
        partitionId: p,
        replicas,
        isr: replicas,
        leader: replicas[0],
        leaderEpoch: 0,
        partitionEpoch: 0,
      },
      { offset: offset++, epoch: 1 },
    );
  }
}
let image = delta.apply();
delta = undefined; // measure the image alone, not the delta that built it
const replaySeconds = seconds(started);
const partitions = image.topics.partitionCount;
const imageBytes = heapUsedBytes() - baseline;

started = process.hrtime.bigint();
const summary = await writeSnapshot(image, snapshotPath);
const writeSeconds = seconds(started);

image = undefined;
const beforeLoad = heapUsedBytes();
started = process.hrtime.bigint();
const loaded = await loadSnapshot(snapshotPath);
const loadSeconds = seconds(started);
const loadedBytes = heapUsedBytes() - beforeLoad + 0 * loaded.topics.partitionCount;

console.log(
  JSON.stringify(
    {
      topics,
      partitions,
      replicasPerPartition: 3,
      imageHeapBytesPerPartition: Math.round(imageBytes / partitions),
      loadedImageHeapBytesPerPartition: Math.round(loadedBytes / partitions),
      partitionTableBytesPerPartition: +(loaded.topics.partitionTableBytes() / partitions).toFixed(1),
      replaySeconds: +replaySeconds,
      snapshotBytes: summary.sizeBytes,
      snapshotChunks: summary.chunkCount,
      snapshotWriteSeconds: +writeSeconds,
      snapshotLoadSeconds: +loadSeconds,
    },
    null,
    2,
  ),
);
if (process.argv[4] === undefined) await rm(snapshotPath, { force: true });
