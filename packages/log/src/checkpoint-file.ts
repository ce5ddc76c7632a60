import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './durable-file';
import { CorruptLogError } from './errors';
import type { LogFiles } from './log-files';

/**
 * Kafka's checkpoint text format: a version line, a count line, then `count` lines of
 * space-separated fields. Used for the recovery point, the log start offset and the
 * leader-epoch cache. Files are replaced atomically, so a torn file means real damage.
 */
export const CHECKPOINT_VERSION = 0;

export function formatCheckpoint(entries: ReadonlyArray<ReadonlyArray<number>>): string {
  return `${CHECKPOINT_VERSION}\n${entries.length}\n${entries.map((fields) => fields.join(' ') + '\n').join('')}`;
}

/** Parses checkpoint text; throws a plain Error with the reason (callers add the file name). */
export function parseCheckpoint(text: string, fieldsPerEntry: number): number[][] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const version = parseNonNegative(lines[0], 'version');
  if (version !== CHECKPOINT_VERSION) throw new Error(`unsupported checkpoint version ${version}`);
  const count = parseNonNegative(lines[1], 'count');
  if (lines.length !== count + 2) throw new Error(`expected ${count} entries, found ${lines.length - 2}`);
  const entries: number[][] = [];
  for (let i = 0; i < count; i++) {
    const fields = lines[i + 2]!.trim().split(/\s+/);
    if (fields.length !== fieldsPerEntry)
      throw new Error(`entry ${i} has ${fields.length} fields, expected ${fieldsPerEntry}`);
    entries.push(fields.map((field) => parseNonNegative(field, `entry ${i}`)));
  }
  return entries;
}

function parseNonNegative(field: string | undefined, what: string): number {
  if (field === undefined || !/^\d+$/.test(field.trim()))
    throw new Error(`malformed ${what}: ${JSON.stringify(field)}`);
  const value = Number(field.trim());
  if (!Number.isSafeInteger(value)) throw new Error(`${what} out of range: ${field}`);
  return value;
}

/** Reads a checkpoint file; null when absent; CorruptLogError (naming the file) when unreadable. */
export function readCheckpointFile(path: string, fieldsPerEntry: number): number[][] | null {
  if (!existsSync(path)) return null;
  try {
    return parseCheckpoint(readFileSync(path, 'utf8'), fieldsPerEntry);
  } catch (error) {
    throw new CorruptLogError(path, 0, `unreadable checkpoint: ${(error as Error).message}`);
  }
}

export function writeCheckpointFile(
  files: LogFiles,
  path: string,
  entries: ReadonlyArray<ReadonlyArray<number>>,
): void {
  writeFileAtomic(files, path, formatCheckpoint(entries));
}

/** A checkpoint holding one offset (recovery point, log start offset). */
export function readOffsetCheckpoint(path: string): number | null {
  const entries = readCheckpointFile(path, 1);
  if (entries === null) return null;
  if (entries.length !== 1) throw new CorruptLogError(path, 0, `expected one offset, found ${entries.length}`);
  return entries[0]![0]!;
}

export function writeOffsetCheckpoint(files: LogFiles, path: string, offset: number): void {
  writeCheckpointFile(files, path, [[offset]]);
}
