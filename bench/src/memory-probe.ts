import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog, sharedLogResources } from '@sluice/log';

/**
 * Child process of the log benchmark: opens every partition under a data directory (created by
 * the parent with a clean shutdown), keeps them open, and reports memory at each stage as JSON.
 * Runs in its own process so the parent's buffers do not pollute the resident-size reading.
 */
function snapshot(): { rssBytes: number; heapUsedBytes: number; externalBytes: number; openFds: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return {
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external + usage.arrayBuffers,
    openFds: readdirSync('/proc/self/fd').length,
  };
}

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: memory-probe <data-dir>');
const before = snapshot();
const partitions = readdirSync(dataDir).sort();
const logs = partitions.map((name) => PartitionLog.open({ dir: join(dataDir, name) }));
const opened = snapshot();
// Touch one closed segment's index in every partition (a consumer reading from the start).
let bytesRead = 0;
for (const log of logs) bytesRead += log.read(log.logStartOffset, 64 * 1024).records.length;
const afterReads = snapshot();
const segments = logs.reduce((sum, log) => sum + log.segmentCount, 0);
for (const log of logs) log.close();
sharedLogResources().close();
process.stdout.write(
  JSON.stringify({ partitions: logs.length, segments, bytesRead, before, opened, afterReads }) + '\n',
);
