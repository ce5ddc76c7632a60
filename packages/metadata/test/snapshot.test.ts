import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CorruptSnapshotError,
  MetadataDelta,
  MetadataImage,
  SNAPSHOT_HEADER_BYTES,
  imageRecords,
  loadSnapshot,
  readSnapshotHeader,
  snapshotChunks,
  writeSnapshot,
  type MetadataRecord,
} from '@sluice/metadata';
import { arbModelRecord } from './arbitraries';
import { emptyModel, modelApply, steer } from './model';

const ORDERS = 'AAAAAAAAAAAAAAAAAAAAAQ';

function sampleImage(partitionCount = 40): MetadataImage {
  const records: MetadataRecord[] = [
    { type: 'FeatureLevel', name: 'metadata.version', level: 21 },
    ...[1, 2, 3].map((brokerId): MetadataRecord => ({
      type: 'BrokerRegistration',
      brokerId,
      brokerEpoch: 100 + brokerId,
      incarnationId: 'q1Sh-9_ISia_MbCI9kpKcg',
      listeners: [{ name: 'PLAINTEXT', host: `broker-${brokerId}.sluice.svc`, port: 9092 }],
      rack: brokerId === 3 ? null : `rack-${brokerId}`,
      fenced: brokerId === 2,
    })),
    { type: 'Topic', name: 'orders', topicId: ORDERS },
    ...Array.from({ length: partitionCount }, (_, partitionId): MetadataRecord => ({
      type: 'Partition',
      topicId: ORDERS,
      partitionId,
      replicas: [1, 2, 3],
      isr: partitionId % 5 === 0 ? [1] : [1, 2, 3],
      leader: 1,
      leaderEpoch: partitionId,
      partitionEpoch: 2 * partitionId,
      ...(partitionId % 5 === 0 ? { eligibleLeaderReplicas: [2] } : {}),
    })),
    { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '604800000' },
    { type: 'Config', resourceType: 'cluster', resourceName: '', name: 'min.insync.replicas', value: '2' },
    { type: 'ProducerIds', brokerId: 1, brokerEpoch: 101, nextProducerId: 5000 },
  ];
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  records.forEach((record, offset) => delta.replay(record, { offset, epoch: 3 }));
  return delta.apply();
}

async function toBytes(image: MetadataImage, chunkTargetBytes?: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  await writeSnapshot(image, { write: (bytes) => void parts.push(bytes) }, chunkTargetBytes);
  return Buffer.concat(parts);
}

function expectSameImage(actual: MetadataImage, expected: MetadataImage): void {
  expect(actual.provenance).toEqual(expected.provenance);
  expect([...imageRecords(actual)]).toEqual([...imageRecords(expected)]);
}

async function loadError(bytes: Uint8Array): Promise<unknown> {
  try {
    await loadSnapshot(bytes);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('metadata snapshots', () => {
  it('round-trips an image through a byte sink', async () => {
    const image = sampleImage();
    const bytes = await toBytes(image);
    expectSameImage(await loadSnapshot(bytes), image);
    expect(await readSnapshotHeader(bytes)).toEqual({
      formatVersion: 1,
      provenance: { lastContainedOffset: image.provenance.lastContainedOffset, lastContainedEpoch: 3 },
      recordCount: [...imageRecords(image)].length,
    });
  });

  it('round-trips the empty image', async () => {
    expectSameImage(await loadSnapshot(await toBytes(MetadataImage.EMPTY)), MetadataImage.EMPTY);
  });

  it('writes to and loads from a path, atomically replacing the file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sluice-metadata-'));
    try {
      const path = join(directory, '00000000000000000049-0000000003.checkpoint');
      await writeFile(path, 'stale');
      const image = sampleImage();
      const summary = await writeSnapshot(image, path);
      expect(summary.recordCount).toBe([...imageRecords(image)].length);
      expect((await readFile(path)).length).toBe(summary.sizeBytes);
      expectSameImage(await loadSnapshot(path), image);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('splits into bounded chunks and loads from arbitrarily split input', async () => {
    const image = sampleImage();
    const chunks = [...snapshotChunks(image, 256)];
    // header + several record chunks + end chunk
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(256 + 12);
    const bytes = Buffer.concat(chunks);
    const pieces: Uint8Array[] = [];
    for (let at = 0, size = 1; at < bytes.length; at += size, size = ((size * 7) % 97) + 1)
      pieces.push(bytes.subarray(at, at + size));
    expectSameImage(await loadSnapshot(pieces), image);
    async function* slowly(): AsyncGenerator<Uint8Array> {
      for (const piece of pieces) yield piece;
    }
    expectSameImage(await loadSnapshot(slowly()), image);
  });

  it('refuses a snapshot with any single byte flipped, naming a byte position', async () => {
    const bytes = await toBytes(sampleImage(12), 256);
    for (let at = 0; at < bytes.length; at++) {
      const corrupt = Buffer.from(bytes);
      corrupt[at] = (corrupt[at] as number) ^ 0x5a;
      const error = await loadError(corrupt);
      expect(error).toBeInstanceOf(CorruptSnapshotError);
      const position = (error as CorruptSnapshotError).position;
      expect(position).toBeGreaterThanOrEqual(0);
      expect(position).toBeLessThanOrEqual(bytes.length);
    }
  });

  it('names the chunk that holds a flipped payload byte', async () => {
    const bytes = await toBytes(sampleImage(), 256);
    const corrupt = Buffer.from(bytes);
    const at = SNAPSHOT_HEADER_BYTES + 12 + 20;
    corrupt[at] = (corrupt[at] as number) ^ 1;
    const error = (await loadError(corrupt)) as CorruptSnapshotError;
    expect(error.message).toMatch(/CRC32C/);
    expect(error.position).toBe(SNAPSHOT_HEADER_BYTES);
  });

  it('refuses every truncation and any trailing bytes', async () => {
    const bytes = await toBytes(sampleImage(12), 512);
    for (let length = 0; length < bytes.length; length++) {
      expect(await loadError(bytes.subarray(0, length))).toBeInstanceOf(CorruptSnapshotError);
    }
    const padded = Buffer.concat([bytes, Buffer.from([0])]);
    const error = (await loadError(padded)) as CorruptSnapshotError;
    expect(error).toBeInstanceOf(CorruptSnapshotError);
    expect(error.position).toBe(bytes.length);
  });

  it('refuses a chunk length beyond the limit before allocating it', async () => {
    const bytes = Buffer.from(await toBytes(sampleImage()));
    bytes.writeInt32BE(0x7fffffff, SNAPSHOT_HEADER_BYTES);
    const error = (await loadError(bytes)) as CorruptSnapshotError;
    expect(error).toBeInstanceOf(CorruptSnapshotError);
    expect(error.position).toBe(SNAPSHOT_HEADER_BYTES);
  });

  it('snapshot at any point + replay of the rest equals replay of everything (property)', async () => {
    const arbHistory = fc
      .array(fc.tuple(arbModelRecord, fc.nat()), { minLength: 1, maxLength: 100, size: 'max' })
      .map((candidates) => {
        // Keep only the records that apply, so the history is a valid log.
        let model = emptyModel();
        const records: MetadataRecord[] = [];
        for (const [candidate, seed] of candidates) {
          const record = steer(model, candidate, seed);
          const next = modelApply(model, record);
          if (typeof next !== 'string') {
            model = next;
            records.push(record);
          }
        }
        return records;
      });
    await fc.assert(
      fc.asyncProperty(
        arbHistory,
        fc.nat(),
        fc.integer({ min: 64, max: 4096 }),
        async (records, splitSeed, chunkTargetBytes) => {
          const split = splitSeed % (records.length + 1);
          const full = new MetadataDelta(MetadataImage.EMPTY);
          records.forEach((record, offset) => full.replay(record, { offset, epoch: 1 + (offset >> 4) }));
          const expected = full.apply();

          const prefix = new MetadataDelta(MetadataImage.EMPTY);
          records
            .slice(0, split)
            .forEach((record, offset) => prefix.replay(record, { offset, epoch: 1 + (offset >> 4) }));
          const loaded = await loadSnapshot(await toBytes(prefix.apply(), chunkTargetBytes));
          const rest = new MetadataDelta(loaded);
          records
            .slice(split)
            .forEach((record, i) => rest.replay(record, { offset: split + i, epoch: 1 + ((split + i) >> 4) }));
          expectSameImage(rest.apply(), expected);
        },
      ),
      propertyOptions({ numRuns: 150 }),
    );
  });
});
