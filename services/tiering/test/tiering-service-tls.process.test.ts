/**
 * The tiering service on a secure cluster, as real processes (services/tiering/dist/main.js beside
 * a controller and three brokers from LocalCluster with `security`, and a real MinIO): its listener
 * is SASL_SSL with client certificates requested, its own calls to the controllers and brokers go
 * over mutual TLS with its certificate (DescribeTieredPartitions needs the controllers' topics, the
 * leaders' ListOffsets and DescribeLogDirs and the brokers' __remote_log_metadata), it enforces the
 * ACLs it follows from the metadata log, and it refuses and audits a caller who does not
 * authenticate. The CLI reaches it over TLS with the operator's certificate.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from '@sluice/client';
import { ExitCode, runCli } from '@sluice/cli';
import { LocalCluster, waitFor } from '@sluice/local-cluster';
import { createGrpcClient, unaryCall, type ClientSecurity, type TieredPartition__Output } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { parseClusterTieringConfig, S3ObjectStore } from '@sluice/tiering';
import { MINIO_PASSWORD, MINIO_USER, startMinio, type RunningMinio } from '../../../test-support/minio';

jest.setTimeout(240_000);

const BUCKET = 'sluice-tiering-tls';
const TOPIC = 'cold-secure';
const PARTITIONS = 2;

async function sluiceCli(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

async function errorNameOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'NONE';
  } catch (error) {
    return error instanceof ApiError ? error.errorName : String(error);
  }
}

describe('tiering service with TLS, authentication and ACLs', () => {
  let baseDir: string;
  let minio: RunningMinio | undefined;
  let cluster: LocalCluster | undefined;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-tiering-tls-'));
    minio = await startMinio();
  });

  afterAll(async () => {
    for (const close of closers) close();
    await cluster?.stop();
    await minio?.destroy();
    rmSync(baseDir, { recursive: true, force: true });
  });

  it('serves DescribeTieredPartitions and scrubs over mutual TLS, and refuses a caller without credentials', async () => {
    const settings = {
      'remote.log.storage.system.enable': 'true',
      'remote.log.manager.task.interval.ms': '500',
      'remote.log.metadata.topic.num.partitions': '3',
      'rsm.config.storage.s3.endpoint.url': minio!.endpointUrl,
      'rsm.config.storage.s3.region': 'us-east-1',
      'rsm.config.storage.s3.bucket.name': BUCKET,
      'rsm.config.storage.s3.path.style.access.enabled': 'true',
      'rsm.config.storage.aws.access.key.id': MINIO_USER,
      'rsm.config.storage.aws.secret.access.key': MINIO_PASSWORD,
      'rsm.config.key.prefix': 'tls/',
    };
    const store = new S3ObjectStore(parseClusterTieringConfig(settings).s3!);
    closers.push(() => store.destroy());
    await store.ensureBucket();
    cluster = await LocalCluster.create({
      baseDir: join(baseDir, 'cluster'),
      security: {},
      roles: {
        controller: { count: 1 },
        broker: { config: settings },
        coordinator: { count: 0 },
        tiering: { count: 1, config: { ...settings, 'tiering.scrub.interval.ms': 0 } },
      },
    });
    await cluster.start();
    const admin = cluster.issued!.admin;
    const operator: ClientSecurity = cluster.adminSecurity!;
    const address = cluster.tiering.address(cluster.tiering.nodeIds[0]!);
    await cluster.admin.createTopic({
      name: TOPIC,
      numPartitions: PARTITIONS,
      replicationFactor: 3,
      configs: { 'remote.storage.enable': 'true', 'segment.bytes': '1048576' },
    });
    const producer = new Producer({ bootstrap: cluster.brokers.addresses(), security: operator, lingerMs: 5 });
    const value = Buffer.alloc(1024, 3);
    await Promise.all(
      Array.from({ length: 200 }, (_, seq) => producer.send({ topic: TOPIC, partition: seq % PARTITIONS, value })),
    );
    await producer.close();

    // The operator (a super user by certificate): the service's own mutual-TLS calls answer it.
    const tiering = createGrpcClient('Tiering', address, undefined, operator);
    closers.push(() => tiering.close());
    let partitions: TieredPartition__Output[] = [];
    await waitFor(
      'the leaders answer the tiering service over mutual TLS',
      async () => {
        const answer = await unaryCall(tiering, 'DescribeTieredPartitions', { topics: [TOPIC] }, { timeoutMs: 20_000 });
        partitions = answer.topics[0]?.partitions ?? [];
        return partitions.length === PARTITIONS && partitions.every((p) => p.errorName === '');
      },
      60_000,
      500,
    );
    for (const p of partitions) {
      expect(Number(p.highWatermark)).toBe(100);
      expect(Number(p.localSizeBytes)).toBeGreaterThan(100 * value.length);
    }
    const dryRun = await unaryCall(tiering, 'ScrubRemoteStorage', { dryRun: true, graceMs: 0 }, { timeoutMs: 30_000 });
    expect(dryRun).toMatchObject({ bucket: BUCKET, prefix: 'tls/', deleted: 0 });

    // TLS without a certificate or a token: no principal, refused by name and audited.
    const stranger = createGrpcClient('Tiering', address, undefined, { tls: { caFile: admin.caFile } });
    closers.push(() => stranger.close());
    expect(
      await errorNameOf(unaryCall(stranger, 'DescribeTieredPartitions', { topics: [TOPIC] }, { timeoutMs: 10_000 })),
    ).toBe('SASL_AUTHENTICATION_FAILED');
    const auditFile = join(cluster.baseDir, `audit-tiering-${cluster.tiering.nodeIds[0]}.log`);
    await waitFor(
      'the refusal is audited by the tiering service',
      () =>
        existsSync(auditFile) &&
        readFileSync(auditFile, 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .some(
            (line) =>
              line.rpc === 'sluice.v1.Tiering/DescribeTieredPartitions' && line.result === 'SASL_AUTHENTICATION_FAILED',
          ),
      10_000,
      200,
    );

    // The CLI over TLS with the operator's certificate: local sizes from the service.
    const status = await sluiceCli(
      'tiering',
      'status',
      TOPIC,
      '--bootstrap',
      cluster.controllers.addresses().join(','),
      '--tiering-service',
      address,
      '--tls-ca',
      admin.caFile,
      '--tls-cert',
      admin.certificateFile,
      '--tls-key',
      admin.privateKeyFile,
    );
    expect(status.err).toBe('');
    expect(status.code).toBe(ExitCode.OK);
    expect(status.out).toMatch(/Partition: 0\t.*HighWatermark: 100\tLocalSizeBytes: [1-9]\d*\t.*RemoteSizeBytes: \d+/);
  });
});
