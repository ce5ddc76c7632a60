/**
 * Child process of the metadata scale benchmark: loads one metadata snapshot file into a
 * MetadataImage and reports time and memory as one JSON line. Runs in its own process (with
 * --expose-gc) so the parent's image and buffers do not pollute the resident-size reading.
 */
import { loadSnapshot } from '@sluice/metadata';

interface Memory {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Memory outside the V8 heap held by JS objects: ArrayBuffers (the partition tables) and the like. */
  readonly externalBytes: number;
}

function memory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
}

async function main(): Promise<void> {
  const path = process.argv[2];
  if (path === undefined) throw new Error('usage: snapshot-load-probe <snapshot-file>');
  const before = memory();
  const started = process.hrtime.bigint();
  const image = await loadSnapshot(path);
  const loadSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = memory();
  const result = {
    loadSeconds,
    topics: image.topics.topicCount,
    partitions: image.topics.partitionCount,
    partitionTableBytes: image.topics.partitionTableBytes(),
    before,
    after,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `snapshot-load-probe failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
