import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillPageCacheChoice, parsePlan, UsageError } from '../src/compare-workload';
import {
  ballastBytes,
  CHUNK_BYTES,
  MEMORY_RESERVE_BYTES,
  memAvailableBytes,
  meminfoBytes,
  readSparseBallast,
} from '../src/page-cache-ballast';

const GiB = 1024 ** 3;

describe('bench:compare page-cache ballast: when it is on', () => {
  it('is on by default in the fair run against Kafka (the table)', () => {
    expect(parsePlan([]).fillPageCache).toBe(true);
    expect(parsePlan(['--systems', 'sluice,kafka', '--probe-runs', '4']).fillPageCache).toBe(true);
    expect(parsePlan(['--systems', 'kafka']).fillPageCache).toBe(true);
  });

  it('is off by default in a sluice-only fair run (bench:builds, like with like against older builds), --quick and --scaling', () => {
    expect(parsePlan(['--systems', 'sluice']).fillPageCache).toBe(false);
    expect(parsePlan(['--quick']).fillPageCache).toBe(false);
    expect(parsePlan(['--scaling']).fillPageCache).toBe(false);
  });

  it('--no-fill-page-cache turns it off, --fill-page-cache on, both is a usage error', () => {
    expect(parsePlan(['--no-fill-page-cache', '--systems', 'sluice,kafka']).fillPageCache).toBe(false);
    const plan = parsePlan(['--fill-page-cache', '--systems', 'sluice']);
    expect(plan.fillPageCache).toBe(true);
    expect(plan.systems).toEqual(['sluice']);
    expect(parsePlan(['--quick', '--fill-page-cache']).fillPageCache).toBe(true);
    expect(() => parsePlan(['--fill-page-cache', '--no-fill-page-cache'])).toThrow(UsageError);
    expect(() => parsePlan(['--no-fill-page-cache', 'yes'])).toThrow(/unexpected argument/);
    expect(fillPageCacheChoice([], 'fair', ['kafka', 'nats'])).toBe(true);
    expect(fillPageCacheChoice([], 'quick', ['sluice', 'kafka'])).toBe(false);
  });
});

describe('bench:compare page-cache ballast: how much', () => {
  it("reads MemAvailable and MemFree from /proc/meminfo's text, in bytes", () => {
    const meminfo =
      'MemTotal:       24683772 kB\nMemFree:        21602256 kB\nMemAvailable:   22990116 kB\nBuffers: 1 kB\n';
    expect(memAvailableBytes(meminfo)).toBe(22_990_116 * 1024);
    expect(meminfoBytes(meminfo, 'MemFree')).toBe(21_602_256 * 1024);
    expect(memAvailableBytes('MemTotal: 1 kB\n')).toBeNull();
  });

  it('fills what is available less the reserve, in whole chunks, and nothing below one chunk', () => {
    expect(ballastBytes(22.6 * GiB)).toBe(Math.floor((22.6 * GiB - MEMORY_RESERVE_BYTES) / CHUNK_BYTES) * CHUNK_BYTES);
    expect(ballastBytes(MEMORY_RESERVE_BYTES + 3 * CHUNK_BYTES + 5)).toBe(3 * CHUNK_BYTES);
    expect(ballastBytes(MEMORY_RESERVE_BYTES + CHUNK_BYTES - 1)).toBe(0);
    expect(ballastBytes(2 * GiB)).toBe(0);
    expect(ballastBytes(10 * GiB, 0)).toBe(10 * GiB);
    expect(() => ballastBytes(Number.NaN)).toThrow(RangeError);
    expect(() => ballastBytes(10 * GiB, -1)).toThrow(RangeError);
  });
});

describe('bench:compare page-cache ballast: the file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is a sparse file of the asked size that takes no disk blocks, and remove() deletes it', () => {
    const ballast = readSparseBallast(dir, 2 * CHUNK_BYTES + 4096);
    const stat = statSync(ballast.path);
    expect(stat.size).toBe(2 * CHUNK_BYTES + 4096);
    expect(stat.blocks).toBe(0);
    expect(ballast.bytes).toBe(2 * CHUNK_BYTES + 4096);
    expect(ballast.seconds).toBeGreaterThanOrEqual(0);
    ballast.remove();
    expect(existsSync(ballast.path)).toBe(false);
  });

  it('refuses a size that is not a whole number of bytes', () => {
    expect(() => readSparseBallast(dir, -1)).toThrow(RangeError);
    expect(() => readSparseBallast(dir, 1.5)).toThrow(RangeError);
  });
});
