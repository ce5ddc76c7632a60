/**
 * Kafka's `replication-offset-checkpoint`: the high watermark of every partition in a log
 * directory, so a restarted broker knows what was committed without asking (consumers' reads, and
 * the floor a follower truncates to when the leader cannot say where an epoch ends). A lost or
 * stale file is safe: a lower high watermark only means more refetching. Written atomically
 * (temp file, fdatasync, rename, directory fsync, as Kafka), off the event loop on its cadence
 * and synchronously at shutdown; text: a version line, a count line, then `topic partition hw`
 * lines.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic, writeFileAtomicAsync, type LogFiles } from '@sluice/log';
import type { Logger } from '@sluice/runtime';

export const HIGH_WATERMARK_CHECKPOINT_FILE = 'replication-offset-checkpoint';
const VERSION = 0;

/** `<topic>-<partition>` -> high watermark; empty when the file is missing or unreadable. */
export function readHighWatermarks(path: string, log: Logger): Map<string, number> {
  const result = new Map<string, number>();
  if (!existsSync(path)) return result;
  try {
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    if (Number(lines[0]) !== VERSION) throw new Error(`unknown version ${lines[0]}`);
    const count = Number(lines[1]);
    if (!Number.isSafeInteger(count) || count !== lines.length - 2)
      throw new Error(`count ${lines[1]} does not match ${lines.length - 2} entries`);
    for (const line of lines.slice(2)) {
      const match = /^(\S+) (\d+) (\d+)$/.exec(line);
      if (match === null) throw new Error(`bad entry ${JSON.stringify(line)}`);
      result.set(`${match[1]}-${match[2]}`, Number(match[3]));
    }
  } catch (error) {
    log.warn({ path, err: error }, 'high watermark checkpoint unreadable; starting from 0');
    result.clear();
  }
  return result;
}

function formatHighWatermarks(highWatermarks: ReadonlyMap<string, number>): string {
  const lines = [String(VERSION), String(highWatermarks.size)];
  for (const [key, hw] of highWatermarks) {
    const dash = key.lastIndexOf('-');
    lines.push(`${key.slice(0, dash)} ${key.slice(dash + 1)} ${hw}`);
  }
  return `${lines.join('\n')}\n`;
}

export function writeHighWatermarks(files: LogFiles, path: string, highWatermarks: ReadonlyMap<string, number>): void {
  writeFileAtomic(files, path, formatHighWatermarks(highWatermarks));
}

/**
 * The same off the event loop; the caller keeps one in flight. `stillWanted` is asked right
 * before the rename (false: a synchronous write overtook this one, which is then discarded).
 */
export function writeHighWatermarksAsync(
  files: LogFiles,
  path: string,
  highWatermarks: ReadonlyMap<string, number>,
  stillWanted: () => boolean,
): Promise<boolean> {
  return writeFileAtomicAsync(files, path, formatHighWatermarks(highWatermarks), stillWanted);
}
