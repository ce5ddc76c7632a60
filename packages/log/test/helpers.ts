import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchLayout as L, crc32c, iterateBatches, writeInt64FromNumber } from '@sluice/protocol';
import type { Clock, LogLogger } from '@sluice/log';

export interface BatchSpec {
  readonly baseOffset?: number;
  readonly records?: number;
  readonly payloadBytes?: number;
  readonly maxTimestampMs?: number;
  readonly leaderEpoch?: number;
  /** Fills the opaque records section, so content can be checked after reads. */
  readonly fill?: number;
}

/**
 * A valid RecordBatch v2: the 61-byte header, opaque "records" bytes and a correct CRC. The log
 * never decodes records, so their content does not need to be real records.
 */
export function makeBatch(spec: BatchSpec = {}): Buffer {
  const records = spec.records ?? 1;
  const payload = spec.payloadBytes ?? 16;
  const buffer = Buffer.alloc(L.RECORDS + payload, spec.fill ?? 0x5a);
  writeInt64FromNumber(buffer, spec.baseOffset ?? 0, L.BASE_OFFSET);
  buffer.writeInt32BE(buffer.length - 12, L.BATCH_LENGTH);
  buffer.writeInt32BE(spec.leaderEpoch ?? -1, L.PARTITION_LEADER_EPOCH);
  buffer.writeInt8(2, L.MAGIC);
  buffer.writeInt16BE(0, L.ATTRIBUTES);
  buffer.writeInt32BE(records - 1, L.LAST_OFFSET_DELTA);
  const ts = spec.maxTimestampMs ?? 1_000;
  writeInt64FromNumber(buffer, ts, L.BASE_TIMESTAMP);
  writeInt64FromNumber(buffer, ts, L.MAX_TIMESTAMP);
  buffer.writeInt32BE(-1, L.PRODUCER_ID);
  buffer.writeInt32BE(-1, L.PRODUCER_ID + 4);
  buffer.writeInt16BE(-1, L.PRODUCER_EPOCH);
  buffer.writeInt32BE(-1, L.BASE_SEQUENCE);
  buffer.writeInt32BE(records, L.RECORDS_COUNT);
  buffer.writeUInt32BE(crc32c(buffer.subarray(L.ATTRIBUTES)), L.CRC);
  return buffer;
}

export interface BatchSummary {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestampMs: number;
  readonly leaderEpoch: number;
  readonly sizeBytes: number;
  readonly fill: number;
}

export function summarize(records: Buffer): BatchSummary[] {
  return [...iterateBatches(records, { verifyCrc: true })].map((view) => ({
    baseOffset: view.baseOffset,
    lastOffset: view.lastOffset,
    maxTimestampMs: view.maxTimestamp,
    leaderEpoch: view.partitionLeaderEpoch,
    sizeBytes: view.sizeBytes,
    fill: view.recordsBytes()[0] ?? -1,
  }));
}

export class FakeClock implements Clock {
  constructor(public now = 1_000_000) {}
  nowMs(): number {
    return this.now;
  }
  advance(ms: number): void {
    this.now += ms;
  }
}

export class RecordingLogger implements LogLogger {
  readonly lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, fields });
  }
}

/** A fresh directory under the OS temp dir; `cleanup` removes it. */
export function tempDir(prefix = 'sluice-log-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
