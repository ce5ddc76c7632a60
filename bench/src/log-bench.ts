/**
 * `pnpm bench:log`: the log engine against plain file I/O, in one process and one run, so noise
 * on this machine affects both sides alike. Prints markdown tables; never a test.
 *
 *   append: 1 KiB records in ~16 KiB and ~1 MiB batches, buffered and fsync per batch, each a
 *           ratio to a plain fs.writeSync (+ fdatasync) loop writing the same bytes;
 *   read:   read() over a 1 GiB log in the page cache, ratio to plain readSync of the same file;
 *   recovery: CRC-checked scan of an unflushed 1 GiB segment on open after a crash;
 *   memory: resident size with 1,000 open partitions of 10 segments each (in a child process).
 *
 * Flags: --quick (smaller sizes, for a smoke run), --dir <path> (default: the OS temp dir).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogConfig, NEVER, PartitionLog, type LogConfig } from '@sluice/log';
import { BatchLayout, crc32c } from '@sluice/protocol';
import { batchOfKiBRecords } from './batches';
import { GiB, MiB, mbPerSecond, timeSeconds } from './measure';
import { formatNumber, markdownTable, median } from './table';

const quick = process.argv.includes('--quick');
const dirFlag = process.argv.indexOf('--dir');
const baseDir = dirFlag >= 0 ? (process.argv[dirFlag + 1] ?? tmpdir()) : tmpdir();
const workDir = mkdtempSync(join(baseDir, 'sluice-bench-log-'));

const REPS = quick ? 1 : 3;
const BUFFERED_BYTES = quick ? 64 * MiB : 512 * MiB;
const LARGE_LOG_BYTES = quick ? 128 * MiB : GiB;

interface AppendCase {
  readonly label: string;
  readonly batchBytes: number;
  readonly fsyncEveryBatch: boolean;
  readonly batchCount: number;
}

function appendCases(): AppendCase[] {
  const fsyncBytes16k = quick ? 2 * MiB : 8 * MiB;
  const fsyncBytes1m = quick ? 16 * MiB : 128 * MiB;
  return [
    {
      label: '16 KiB, buffered',
      batchBytes: 16 * 1024,
      fsyncEveryBatch: false,
      batchCount: Math.round(BUFFERED_BYTES / (16 * 1024)),
    },
    { label: '1 MiB, buffered', batchBytes: MiB, fsyncEveryBatch: false, batchCount: Math.round(BUFFERED_BYTES / MiB) },
    {
      label: '16 KiB, fsync each',
      batchBytes: 16 * 1024,
      fsyncEveryBatch: true,
      batchCount: Math.round(fsyncBytes16k / (16 * 1024)),
    },
    { label: '1 MiB, fsync each', batchBytes: MiB, fsyncEveryBatch: true, batchCount: Math.round(fsyncBytes1m / MiB) },
  ];
}

/** A few distinct batches, reused round-robin (append stamps offsets in place, which is fine). */
function batchPool(batchBytes: number): Buffer[] {
  return Array.from({ length: 8 }, (_, seed) => batchOfKiBRecords(batchBytes, seed + 1));
}

/**
 * The baseline: writeSync (+ fdatasync) of the same bytes. With `checkCrc` it also computes the
 * CRC-32C every appended batch must pass (Kafka verifies it on append too), the like-for-like
 * bound for an engine that validates what it stores.
 */
function plainLoop(path: string, pool: Buffer[], batchCount: number, fsync: boolean, checkCrc = false): number {
  const fd = openSync(path, 'w');
  try {
    return timeSeconds(() => {
      for (let i = 0; i < batchCount; i++) {
        const batch = pool[i % pool.length]!;
        if (checkCrc && crc32c(batch.subarray(BatchLayout.ATTRIBUTES)) !== batch.readUInt32BE(BatchLayout.CRC))
          throw new Error('bad CRC in bench batch');
        writeSync(fd, batch);
        if (fsync) fdatasyncSync(fd);
      }
    });
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

function sluiceAppends(dir: string, pool: Buffer[], batchCount: number, fsync: boolean): number {
  const config: LogConfig = { ...defaultLogConfig, flushMessages: fsync ? 1 : NEVER };
  const log = PartitionLog.open({ dir, config });
  try {
    return timeSeconds(() => {
      for (let i = 0; i < batchCount; i++) log.append(pool[i % pool.length]!, { leaderEpoch: 0 });
    });
  } finally {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function benchAppend(): string[][] {
  const rows: string[][] = [];
  for (const c of appendCases()) {
    const pool = batchPool(c.batchBytes);
    const bytes = pool.reduce((sum, batch) => sum + batch.length, 0) * (c.batchCount / pool.length);
    const plain: number[] = [];
    const plainCrc: number[] = [];
    const ours: number[] = [];
    // Alternate the three so drift in the machine's load hits all of them.
    for (let rep = 0; rep < REPS; rep++) {
      plain.push(mbPerSecond(bytes, plainLoop(join(workDir, 'plain.bin'), pool, c.batchCount, c.fsyncEveryBatch)));
      ours.push(mbPerSecond(bytes, sluiceAppends(join(workDir, 'append-0'), pool, c.batchCount, c.fsyncEveryBatch)));
      plainCrc.push(
        mbPerSecond(bytes, plainLoop(join(workDir, 'plain.bin'), pool, c.batchCount, c.fsyncEveryBatch, true)),
      );
    }
    const plainMbps = median(plain);
    const plainCrcMbps = median(plainCrc);
    const oursMbps = median(ours);
    rows.push([
      c.label,
      `${pool[0]!.length} B`,
      formatNumber(bytes / MiB, 0),
      formatNumber(plainMbps),
      formatNumber(plainCrcMbps),
      formatNumber(oursMbps),
      formatNumber((oursMbps * 1e6) / 1024 / 1000, 1),
      formatNumber(oursMbps / plainMbps, 2),
      formatNumber(oursMbps / plainCrcMbps, 2),
    ]);
  }
  return rows;
}

/** Writes a log of `totalBytes` in one segment, unflushed; returns it still open. */
function buildLargeLog(dir: string, batchBytes: number, totalBytes: number): PartitionLog {
  const config: LogConfig = { ...defaultLogConfig, segmentBytes: Math.min(2 ** 31 - 1, totalBytes + 64 * MiB) };
  const log = PartitionLog.open({ dir, config });
  const pool = batchPool(batchBytes);
  let written = 0;
  for (let i = 0; written < totalBytes; i++) {
    const batch = pool[i % pool.length]!;
    log.append(batch, { leaderEpoch: 0 });
    written += batch.length;
  }
  return log;
}

function plainSequentialRead(path: string, chunkBytes: number): { bytes: number; seconds: number } {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let bytes = 0;
  try {
    const seconds = timeSeconds(() => {
      for (;;) {
        const got = readSync(fd, buffer, 0, chunkBytes, bytes);
        if (got === 0) break;
        bytes += got;
      }
    });
    return { bytes, seconds };
  } finally {
    closeSync(fd);
  }
}

function sluiceSequentialRead(log: PartitionLog, maxBytes: number): { bytes: number; seconds: number; reads: number } {
  let bytes = 0;
  let reads = 0;
  const seconds = timeSeconds(() => {
    let offset = log.logStartOffset;
    while (offset < log.logEndOffset) {
      const result = log.read(offset, maxBytes);
      if (result.lastOffset === null)
        throw new Error(`read at ${offset} returned nothing below the end ${log.logEndOffset}`);
      bytes += result.records.length;
      reads++;
      offset = result.lastOffset + 1;
    }
  });
  return { bytes, seconds, reads };
}

function plainCrcScan(path: string, chunkBytes: number): { bytes: number; seconds: number } {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let bytes = 0;
  let crc = 0;
  try {
    const seconds = timeSeconds(() => {
      for (;;) {
        const got = readSync(fd, buffer, 0, chunkBytes, bytes);
        if (got === 0) break;
        crc = crc32c(buffer.subarray(0, got), crc);
        bytes += got;
      }
    });
    return { bytes, seconds };
  } finally {
    closeSync(fd);
  }
}

function segmentFile(dir: string): string {
  return join(dir, '00000000000000000000.log');
}

function benchReadAndRecovery(): { read: string[][]; recovery: string[][] } {
  const read: string[][] = [];
  const recovery: string[][] = [];
  for (const batchBytes of [MiB, 16 * 1024]) {
    const dir = join(workDir, `large-${batchBytes}`);
    const log = buildLargeLog(dir, batchBytes, LARGE_LOG_BYTES);
    const fileBytes = statSync(segmentFile(dir)).size;
    const label = batchBytes === MiB ? '~1 MiB batches' : '~16 KiB batches';

    for (const maxBytes of [MiB, 4 * MiB]) {
      plainSequentialRead(segmentFile(dir), maxBytes); // warm the page cache
      const plainRuns: number[] = [];
      const ourRuns: number[] = [];
      let reads = 0;
      for (let rep = 0; rep < REPS; rep++) {
        const plain = plainSequentialRead(segmentFile(dir), maxBytes);
        plainRuns.push(plain.bytes / 1e9 / plain.seconds);
        const ours = sluiceSequentialRead(log, maxBytes);
        if (ours.bytes !== fileBytes) throw new Error(`read ${ours.bytes} bytes of a ${fileBytes}-byte log`);
        ourRuns.push(ours.bytes / 1e9 / ours.seconds);
        reads = ours.reads;
      }
      read.push([
        label,
        `${maxBytes / MiB} MiB`,
        formatNumber(fileBytes / GiB, 2),
        String(reads),
        formatNumber(median(plainRuns), 2),
        formatNumber(median(ourRuns), 2),
        formatNumber(median(ourRuns) / median(plainRuns), 2),
      ]);
    }

    // Crash without flushing: the whole segment lies after the recovery point.
    const endOffsetBeforeCrash = log.logEndOffset;
    log.abandon();
    const plainScan = plainCrcScan(segmentFile(dir), 4 * MiB);
    let reopened: PartitionLog | null = null;
    // Only the open is timed: a clean close afterwards fsyncs the whole unflushed segment.
    const openSeconds = timeSeconds(() => {
      reopened = PartitionLog.open({
        dir,
        config: { ...defaultLogConfig, segmentBytes: Math.min(2 ** 31 - 1, LARGE_LOG_BYTES + 64 * MiB) },
      });
    });
    const recovered = reopened as PartitionLog | null;
    if (recovered === null) throw new Error('open returned nothing');
    const truncations = recovered.stats.recoveryTruncations;
    if (recovered.logEndOffset !== endOffsetBeforeCrash)
      throw new Error(`recovery lost data: end ${recovered.logEndOffset}, expected ${endOffsetBeforeCrash}`);
    recovered.abandon();
    recovery.push([
      label,
      formatNumber(fileBytes / GiB, 2),
      formatNumber(openSeconds, 2),
      formatNumber(mbPerSecond(fileBytes, openSeconds), 0),
      formatNumber(mbPerSecond(plainScan.bytes, plainScan.seconds), 0),
      formatNumber(plainScan.seconds / openSeconds, 2),
      String(truncations),
    ]);
    rmSync(dir, { recursive: true, force: true });
  }
  return { read, recovery };
}

function benchMemory(): string[][] {
  const partitions = quick ? 100 : 1000;
  const segmentsPerPartition = 10;
  const dataDir = join(workDir, 'memory');
  // Small segments keep the disk footprint modest; ~15 KiB batches, 2 per segment.
  const config: LogConfig = { ...defaultLogConfig, segmentBytes: 32 * 1024 };
  const batch = batchOfKiBRecords(15 * 1024);
  for (let p = 0; p < partitions; p++) {
    const log = PartitionLog.open({ dir: join(dataDir, `bench-${p}`), config });
    while (log.segmentCount < segmentsPerPartition) log.append(batch, { leaderEpoch: 0 });
    log.close();
  }
  const probe = spawnSync(process.execPath, ['--expose-gc', join(__dirname, 'memory-probe.js'), dataDir], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) throw new Error(`memory probe failed: ${probe.stderr}`);
  const result = JSON.parse(probe.stdout) as {
    partitions: number;
    segments: number;
    before: Stage;
    opened: Stage;
    afterReads: Stage;
  };
  rmSync(dataDir, { recursive: true, force: true });
  const row = (label: string, stage: Stage): string[] => [
    label,
    String(result.partitions),
    String(result.segments),
    formatNumber(stage.rssBytes / MiB, 1),
    formatNumber((stage.rssBytes - result.before.rssBytes) / MiB, 1),
    formatNumber((stage.heapUsedBytes - result.before.heapUsedBytes) / result.partitions / 1024, 1),
    formatNumber((stage.externalBytes - result.before.externalBytes) / result.partitions / 1024, 1),
    String(stage.openFds),
  ];
  return [
    row('process start', result.before),
    row('all partitions open', result.opened),
    row('after one read each', result.afterReads),
  ];
}

interface Stage {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  openFds: number;
}

function main(): void {
  console.log(`# sluice log benchmark${quick ? ' (--quick)' : ''}`);
  console.log(
    `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), data in ${workDir}, median of ${REPS} run(s)\n`,
  );
  try {
    console.log(
      '## Append, 1 KiB records (ratios = sluice / plain writeSync loop of the same bytes, without and with the CRC-32C check every append makes)\n',
    );
    console.log(
      markdownTable(
        [
          'case',
          'batch size',
          'MiB written',
          'plain MB/s',
          'plain+crc32c MB/s',
          'sluice MB/s',
          'sluice k records/s',
          'ratio to plain',
          'ratio to plain+crc32c',
        ],
        benchAppend(),
      ),
    );
    const { read, recovery } = benchReadAndRecovery();
    console.log('\n## read() over a log in the page cache (ratio = sluice / plain readSync of the same file)\n');
    console.log(markdownTable(['log', 'maxBytes', 'GiB', 'reads', 'plain GB/s', 'sluice GB/s', 'ratio'], read));
    console.log('\n## Recovery: open after a crash, CRC-checked scan of an unflushed segment\n');
    console.log(
      markdownTable(['log', 'GiB', 'open s', 'scan MB/s', 'plain read+crc32c MB/s', 'ratio', 'truncations'], recovery),
    );
    console.log('\n## Memory: partitions open at once (child process; deltas from its start)\n');
    console.log(
      markdownTable(
        [
          'stage',
          'partitions',
          'segments',
          'RSS MiB',
          'RSS delta MiB',
          'heap KiB/partition',
          'external KiB/partition',
          'open fds',
        ],
        benchMemory(),
      ),
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main();
