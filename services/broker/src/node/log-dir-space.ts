/**
 * The size of a log directory's file system and the space still usable in it (statfs, off the
 * event loop), for DescribeLogDirs' total_bytes / usable_bytes (Kafka's KIP-827).
 */
import { statfs } from 'node:fs/promises';

export interface LogDirSpace {
  readonly totalBytes: number;
  /** What an unprivileged writer may still use (f_bavail, as Kafka's usableSpace). */
  readonly usableBytes: number;
}

/** null when statfs fails (the directory gone, an I/O error): the answer says -1, the sizes still come. */
export async function readLogDirSpace(dir: string): Promise<LogDirSpace | null> {
  try {
    const stats = await statfs(dir);
    return {
      totalBytes: Number(stats.blocks) * Number(stats.bsize),
      usableBytes: Number(stats.bavail) * Number(stats.bsize),
    };
  } catch {
    return null;
  }
}
