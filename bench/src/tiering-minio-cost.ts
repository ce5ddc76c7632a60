/**
 * `bench:tiering --minio-cost`: where MinIO's CPU goes when segments are PUT to it, per PUT and
 * per byte. On this machine MinIO shares the brokers' two cores, so its CPU per GB produced is
 * part of the produce rows' gap (S3 would not share them). For each case a fresh MinIO on
 * loopback takes PutObject of whole files (as the brokers' `.log` uploads: `putFile`, streamed,
 * UNSIGNED-PAYLOAD) at three object sizes, DEFAULT_IN_FLIGHT at once; its CPU (from /proc) over
 * PUTs and bytes is fitted to `msPerPut * puts + secondsPerGB * GB`. Cases:
 *   - MinIO as the bench starts it, the SDK's checksums WHEN_REQUIRED and no `Expect:
 *     100-continue` (the brokers' settings);
 *   - the SDK's default `Expect: 100-continue` on PUTs of 2 MiB and more (here the 16 MiB objects),
 *     which its HTTP handler sends on a new connection each, closed after the PUT;
 *   - uploads read into a fresh Buffer per 1 MiB chunk instead of reused ones (UploadChunkPool):
 *     the client's CPU, not MinIO's, is what differs;
 *   - the SDK's default WHEN_SUPPORTED: a CRC32 of every body, sent as aws-chunked with a trailer
 *     that MinIO recomputes and checks;
 *   - MinIO with `--no-compat`: the ETag of a PUT without Content-MD5 is a random id instead of the
 *     body's MD5 (MinIO warns against it in production; measured only to size MD5's share).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minioTieringSettings, startMinioProcess } from '@sluice/local-cluster';
import { parseClusterTieringConfig, S3ObjectStore } from '@sluice/tiering';
import { readProc } from './compare-procs';
import { MiB, mbPerSecond } from './measure';
import { formatNumber, markdownTable } from './table';

const KiB = 1024;
/** PUTs in flight at once: the partition tierer's default group uploads four segments together. */
const DEFAULT_IN_FLIGHT = 4;
const OBJECT_SIZES = [64 * KiB, 1 * MiB, 16 * MiB] as const;
const WARM_UP_PUTS = 8;

interface CostCase {
  readonly name: string;
  readonly serverFlags: readonly string[];
  readonly checksums: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
  readonly expectContinue: boolean;
  /** Reused upload read buffers (S3ObjectStore's idleUploadBuffers); undefined: the default. */
  readonly idleUploadBuffers?: number;
}

const CASES: readonly CostCase[] = [
  {
    name: 'MinIO as started by the bench, SDK checksums WHEN_REQUIRED, no Expect: 100-continue (the brokers)',
    serverFlags: [],
    checksums: 'WHEN_REQUIRED',
    expectContinue: false,
  },
  {
    name: 'SDK default Expect: 100-continue from 2 MiB (a new connection per such PUT)',
    serverFlags: [],
    checksums: 'WHEN_REQUIRED',
    expectContinue: true,
  },
  {
    name: 'uploads read into fresh Buffers (no reuse of read buffers)',
    serverFlags: [],
    checksums: 'WHEN_REQUIRED',
    expectContinue: false,
    idleUploadBuffers: 0,
  },
  {
    name: 'SDK checksums WHEN_SUPPORTED (SDK v3 default: aws-chunked, CRC32 trailer)',
    serverFlags: [],
    checksums: 'WHEN_SUPPORTED',
    expectContinue: false,
  },
  {
    name: 'MinIO --no-compat (ETag not the MD5; not for production)',
    serverFlags: ['--no-compat'],
    checksums: 'WHEN_REQUIRED',
    expectContinue: false,
  },
];

interface SizeRun {
  readonly objectBytes: number;
  readonly puts: number;
  readonly minioCpuSeconds: number;
  readonly clientCpuSeconds: number;
  readonly seconds: number;
}

/** Least squares of cost per PUT against object size: [seconds per PUT, seconds per byte]. */
export function fitPerPutAndPerByte(
  points: ReadonlyArray<readonly [objectBytes: number, secondsPerPut: number]>,
): [number, number] {
  if (points.length < 2) throw new RangeError('a fit needs at least two object sizes');
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  if (variance === 0) throw new RangeError('a fit needs at least two different object sizes');
  const perByte = covariance / variance;
  return [meanY - perByte * meanX, perByte];
}

async function putAll(
  store: S3ObjectStore,
  prefix: string,
  file: string,
  objectBytes: number,
  puts: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < puts) {
      const index = next++;
      await store.putFile(`${prefix}/${index}`, file, objectBytes);
    }
  };
  await Promise.all(Array.from({ length: DEFAULT_IN_FLIGHT }, worker));
}

async function measureCase(
  binary: string,
  workDir: string,
  costCase: CostCase,
  bytesPerSize: number,
): Promise<SizeRun[]> {
  const baseDir = join(workDir, 'minio');
  rmSync(baseDir, { recursive: true, force: true });
  const minio = await startMinioProcess({ binary, baseDir, serverFlags: costCase.serverFlags });
  const s3 = parseClusterTieringConfig(minioTieringSettings(minio.endpointUrl, 'sluice-cost')).s3!;
  const store = new S3ObjectStore(s3, {
    checksums: costCase.checksums,
    expectContinue: costCase.expectContinue,
    ...(costCase.idleUploadBuffers === undefined ? {} : { idleUploadBuffers: costCase.idleUploadBuffers }),
  });
  const runs: SizeRun[] = [];
  try {
    await store.ensureBucket();
    for (const objectBytes of OBJECT_SIZES) {
      const file = join(workDir, `object-${objectBytes}`);
      // Random bytes: nothing on the way compresses or dedupes them.
      writeFileSync(file, randomBytes(objectBytes));
      await putAll(store, `warm/${objectBytes}`, file, objectBytes, WARM_UP_PUTS);
      const puts = Math.max(WARM_UP_PUTS, Math.round(bytesPerSize / objectBytes));
      const minioBefore = readProc(minio.pid())?.cpuSeconds ?? 0;
      const clientBefore = process.cpuUsage();
      const start = process.hrtime.bigint();
      await putAll(store, `cost/${objectBytes}`, file, objectBytes, puts);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const client = process.cpuUsage(clientBefore);
      runs.push({
        objectBytes,
        puts,
        minioCpuSeconds: (readProc(minio.pid())?.cpuSeconds ?? 0) - minioBefore,
        clientCpuSeconds: (client.user + client.system) / 1e6,
        seconds,
      });
    }
  } finally {
    store.destroy();
    await minio.stop();
    rmSync(baseDir, { recursive: true, force: true });
  }
  return runs;
}

/** Runs every case (a fresh MinIO each) and returns the markdown report. */
export async function measureMinioCost(binary: string, workDir: string, bytesPerSize: number): Promise<string> {
  mkdirSync(workDir, { recursive: true });
  const rows: string[][] = [];
  const fits: string[][] = [];
  for (const costCase of CASES) {
    const runs = await measureCase(binary, workDir, costCase, bytesPerSize);
    for (const run of runs) {
      const gb = (run.objectBytes * run.puts) / 1e9;
      rows.push([
        costCase.name,
        `${formatNumber(run.objectBytes / KiB, 0)} KiB x ${run.puts}`,
        formatNumber((run.minioCpuSeconds * 1000) / run.puts, 2),
        formatNumber(run.minioCpuSeconds / gb, 2),
        formatNumber((run.clientCpuSeconds * 1000) / run.puts, 2),
        formatNumber(run.clientCpuSeconds / gb, 2),
        formatNumber(mbPerSecond(run.objectBytes * run.puts, run.seconds)),
      ]);
    }
    const [secondsPerPut, secondsPerByte] = fitPerPutAndPerByte(
      runs.map((run) => [run.objectBytes, run.minioCpuSeconds / run.puts] as const),
    );
    fits.push([costCase.name, formatNumber(secondsPerPut * 1000, 2), formatNumber(secondsPerByte * 1e9, 2)]);
  }
  return [
    `MinIO's CPU per PutObject on loopback, ${DEFAULT_IN_FLIGHT} PUTs in flight, ${formatNumber(bytesPerSize / MiB, 0)} MiB per object size`,
    markdownTable(
      ['case', 'objects', 'MinIO CPU ms / PUT', 'MinIO CPU s / GB', 'client CPU ms / PUT', 'client CPU s / GB', 'MB/s'],
      rows,
    ),
    'Fitted: MinIO CPU = ms per PUT x PUTs + s per GB x GB',
    markdownTable(['case', 'MinIO CPU ms per PUT', 'MinIO CPU s per GB'], fits),
  ].join('\n\n');
}
