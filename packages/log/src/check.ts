import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readInt64AsNumber } from '@sluice/protocol';
import { readCheckpointFile } from './checkpoint-file';
import { CorruptLogError } from './errors';
import {
  CLEAN_SHUTDOWN_FILE,
  isPartitionDirName,
  LEADER_EPOCH_FILE,
  LOG_START_OFFSET_FILE,
  parseSegmentFileName,
  RECOVERY_POINT_FILE,
  segmentPaths,
} from './file-names';
import { checkOffsetIndexStructure, OFFSET_INDEX_ENTRY_BYTES } from './offset-index';
import { scanSegmentFile } from './segment-scan';
import { checkTimeIndexStructure, TIME_INDEX_ENTRY_BYTES } from './time-index';

const INT32_MAX = 2 ** 31 - 1;

export interface CheckProblem {
  readonly file: string;
  /** Byte position in `file`, null when the problem is not about one place. */
  readonly position: number | null;
  readonly reason: string;
  /** `error`: data or a durable structure is wrong. `warning`: open would repair it (an index). */
  readonly severity: 'error' | 'warning';
}

export interface CheckedFile {
  readonly file: string;
  readonly kind: 'log' | 'index' | 'timeindex' | 'checkpoint';
  readonly sizeBytes: number;
  /** Batches (log) or entries (indexes, checkpoints) found valid. */
  readonly items: number;
}

export interface CheckReport {
  readonly root: string;
  readonly partitions: string[];
  readonly files: CheckedFile[];
  readonly problems: CheckProblem[];
  /** No errors (warnings allowed). */
  readonly ok: boolean;
}

/**
 * Offline verification of a partition directory, or of a data directory holding `topic-N`
 * partition directories: every batch's header and CRC, offsets increasing within and across
 * segments, batch boundaries, every index entry (sorted, inside the file, on a batch boundary
 * with the right offset / timestamp), and the checkpoints. Reads only; streams each segment once
 * with memory bounded by one scan chunk plus the segment's two index files.
 */
export function checkLogDirectory(dir: string): CheckReport {
  const report = { root: dir, partitions: [] as string[], files: [] as CheckedFile[], problems: [] as CheckProblem[] };
  const entries = readdirSync(dir, { withFileTypes: true });
  const looksLikePartition = entries.some(
    (entry) => entry.isFile() && (parseSegmentFileName(entry.name) !== null || entry.name === RECOVERY_POINT_FILE),
  );
  if (looksLikePartition) {
    checkPartition(dir, report);
  } else {
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && isPartitionDirName(entry.name)) checkPartition(join(dir, entry.name), report);
    }
  }
  return { ...report, ok: report.problems.every((problem) => problem.severity !== 'error') };
}

interface MutableReport {
  partitions: string[];
  files: CheckedFile[];
  problems: CheckProblem[];
}

function checkPartition(dir: string, report: MutableReport): void {
  report.partitions.push(dir);
  const bases = [
    ...new Set(
      readdirSync(dir)
        .map((name) => parseSegmentFileName(name))
        .filter((parsed) => parsed?.kind === 'log')
        .map((parsed) => parsed!.baseOffset),
    ),
  ].sort((a, b) => a - b);
  const cleanShutdown = existsSync(join(dir, CLEAN_SHUTDOWN_FILE));
  let expected = bases[0] ?? 0;
  let logEndOffset = expected;
  bases.forEach((base, i) => {
    const isLast = i === bases.length - 1;
    // The active segment's index files are only current after a clean shutdown.
    const indexSeverity = isLast && !cleanShutdown ? 'warning' : 'error';
    expected = Math.max(expected, base);
    expected = checkSegment(dir, base, expected, indexSeverity, report);
    logEndOffset = expected;
  });

  const offsets: Array<[string, number | null]> = [];
  for (const name of [RECOVERY_POINT_FILE, LOG_START_OFFSET_FILE]) {
    const file = join(dir, name);
    const value = readCheckpoint(file, 1, report);
    const offset = value?.[0]?.[0] ?? null;
    offsets.push([file, offset]);
    if (offset !== null && bases.length > 0 && offset > logEndOffset) {
      report.problems.push({
        file,
        position: null,
        reason: `${name} ${offset} is beyond the log end offset ${logEndOffset}${name === RECOVERY_POINT_FILE ? ': flushed data is missing' : ''}`,
        severity: 'error',
      });
    }
  }
  const epochFile = join(dir, LEADER_EPOCH_FILE);
  const epochs = readCheckpoint(epochFile, 2, report);
  if (epochs !== null) {
    for (let i = 1; i < epochs.length; i++) {
      const [previousEpoch, previousStart] = epochs[i - 1]!;
      const [epoch, start] = epochs[i]!;
      if (epoch! <= previousEpoch! || start! <= previousStart!) {
        report.problems.push({
          file: epochFile,
          position: null,
          reason: `entry ${i} (${epoch} ${start}) not above (${previousEpoch} ${previousStart})`,
          severity: 'error',
        });
      }
    }
  }
}

function readCheckpoint(file: string, fields: number, report: MutableReport): number[][] | null {
  try {
    const entries = readCheckpointFile(file, fields);
    if (entries !== null)
      report.files.push({ file, kind: 'checkpoint', sizeBytes: statSync(file).size, items: entries.length });
    return entries;
  } catch (error) {
    if (!(error instanceof CorruptLogError)) throw error;
    report.problems.push({ file, position: error.position, reason: error.reason, severity: 'error' });
    return null;
  }
}

/** Verifies one segment and its indexes; returns the offset after its last valid batch. */
function checkSegment(
  dir: string,
  base: number,
  expectedStart: number,
  indexSeverity: 'error' | 'warning',
  report: MutableReport,
): number {
  const paths = segmentPaths(dir, base);
  const sizeBytes = statSync(paths.log).size;
  const offsetIndex = loadIndex(paths.offsetIndex, indexSeverity, report, (bytes) =>
    checkOffsetIndexStructure(bytes, sizeBytes),
  );
  const timeIndex = loadIndex(paths.timeIndex, indexSeverity, report, checkTimeIndexStructure);
  let offsetSlot = 0;
  let timeSlot = 0;
  const offsetCount = offsetIndex === null ? 0 : offsetIndex.length / OFFSET_INDEX_ENTRY_BYTES;
  const timeCount = timeIndex === null ? 0 : timeIndex.length / TIME_INDEX_ENTRY_BYTES;
  const indexProblem = (file: string, position: number, reason: string): void => {
    report.problems.push({ file, position, reason, severity: indexSeverity });
  };

  let expected = expectedStart;
  const fd = openSync(paths.log, 'r');
  let result;
  try {
    result = scanSegmentFile(fd, 0, sizeBytes, true, (view) => {
      if (view.baseOffset < expected)
        return `batch base offset ${view.baseOffset} below expected ${expected} (offsets must increase)`;
      if (view.lastOffset - base > INT32_MAX) return `offset ${view.lastOffset} does not fit relative to base ${base}`;
      // Merge-walk the sorted index entries against the batches as they stream past.
      while (offsetIndex !== null && offsetSlot < offsetCount) {
        const at = offsetSlot * OFFSET_INDEX_ENTRY_BYTES;
        const position = offsetIndex.readInt32BE(at + 4);
        if (position > view.position) break;
        const offset = base + offsetIndex.readInt32BE(at);
        if (position < view.position)
          indexProblem(paths.offsetIndex, at, `entry position ${position} is not a batch boundary`);
        else if (offset !== view.baseOffset)
          indexProblem(
            paths.offsetIndex,
            at,
            `entry offset ${offset} but the batch at ${position} starts at ${view.baseOffset}`,
          );
        offsetSlot++;
      }
      while (timeIndex !== null && timeSlot < timeCount) {
        const at = timeSlot * TIME_INDEX_ENTRY_BYTES;
        const offset = base + timeIndex.readInt32BE(at + 8);
        if (offset > view.baseOffset) break;
        const timestampMs = readInt64AsNumber(timeIndex, at);
        if (offset < view.baseOffset)
          indexProblem(paths.timeIndex, at, `entry offset ${offset} is not a batch base offset`);
        else if (timestampMs !== view.maxTimestamp)
          indexProblem(
            paths.timeIndex,
            at,
            `entry timestamp ${timestampMs} but batch ${offset} has max timestamp ${view.maxTimestamp}`,
          );
        timeSlot++;
      }
      expected = view.nextOffset;
      return null;
    });
  } finally {
    closeSync(fd);
  }
  report.files.push({ file: paths.log, kind: 'log', sizeBytes, items: result.batches });
  if (result.problem !== null) {
    report.problems.push({
      file: paths.log,
      position: result.problem.position,
      reason: result.problem.reason,
      severity: 'error',
    });
  }
  if (offsetIndex !== null) {
    report.files.push({ file: paths.offsetIndex, kind: 'index', sizeBytes: offsetIndex.length, items: offsetCount });
    if (offsetSlot < offsetCount)
      indexProblem(
        paths.offsetIndex,
        offsetSlot * OFFSET_INDEX_ENTRY_BYTES,
        `entry points beyond the last valid batch`,
      );
  }
  if (timeIndex !== null) {
    report.files.push({ file: paths.timeIndex, kind: 'timeindex', sizeBytes: timeIndex.length, items: timeCount });
    if (timeSlot < timeCount)
      indexProblem(paths.timeIndex, timeSlot * TIME_INDEX_ENTRY_BYTES, `entry points beyond the last valid batch`);
  }
  return expected;
}

function loadIndex(
  file: string,
  severity: 'error' | 'warning',
  report: MutableReport,
  structure: (bytes: Buffer) => { position: number; reason: string } | null,
): Buffer | null {
  if (!existsSync(file)) {
    report.problems.push({ file, position: null, reason: 'index file missing (rebuilt on open)', severity: 'warning' });
    return null;
  }
  const bytes = readFileSync(file);
  const problem = structure(bytes);
  if (problem !== null) {
    report.problems.push({ file, position: problem.position, reason: problem.reason, severity });
    report.files.push({
      file,
      kind: file.endsWith('.index') ? 'index' : 'timeindex',
      sizeBytes: bytes.length,
      items: 0,
    });
    return null;
  }
  return bytes;
}
