import { defaultLogConfig, InvalidConfigError } from '@sluice/log';
import { parseClusterTieringConfig, parseTopicTieringConfig } from '../src';

const ON = { remoteLogStorageSystemEnable: true };
const S3 = {
  'remote.log.storage.system.enable': 'true',
  'rsm.config.storage.s3.bucket.name': 'sluice-tier',
  'rsm.config.storage.s3.region': 'us-east-1',
};

function refusal(run: () => unknown): { key: string; reason: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    const invalid = error as InvalidConfigError;
    expect(invalid.code).toBe('INVALID_CONFIG');
    return { key: invalid.key, reason: invalid.reason };
  }
  throw new Error('expected INVALID_CONFIG');
}

describe('topic tiering config (Kafka names)', () => {
  it('resolves local.retention.* = -2 (the default) to the total retention', () => {
    const config = parseTopicTieringConfig(
      { 'remote.storage.enable': 'true' },
      { ...defaultLogConfig, retentionBytes: 5000 },
      ON,
    );
    expect(config).toEqual({
      remoteStorageEnable: true,
      localRetentionMs: defaultLogConfig.retentionMs,
      localRetentionBytes: 5000,
      totalRetentionMs: defaultLogConfig.retentionMs,
      totalRetentionBytes: 5000,
    });
  });

  it('keeps explicit local retention below the total, -1 only under an unlimited total', () => {
    const config = parseTopicTieringConfig(
      { 'remote.storage.enable': 'true', 'local.retention.ms': '1000', 'local.retention.bytes': '-1' },
      { ...defaultLogConfig, retentionBytes: -1 },
      ON,
    );
    expect(config.localRetentionMs).toBe(1000);
    expect(config.localRetentionBytes).toBe(-1);
  });

  it('refuses local retention above the total, unknown values, compacted topics and a disabled system', () => {
    expect(
      refusal(() => parseTopicTieringConfig({ 'local.retention.ms': '999999999999' }, defaultLogConfig, ON)),
    ).toEqual({
      key: 'local.retention.ms',
      reason: `must not be more than retention.ms (${defaultLogConfig.retentionMs})`,
    });
    expect(
      refusal(() =>
        parseTopicTieringConfig({ 'local.retention.bytes': '-1' }, { ...defaultLogConfig, retentionBytes: 10 }, ON),
      ).key,
    ).toBe('local.retention.bytes');
    expect(refusal(() => parseTopicTieringConfig({ 'local.retention.ms': '-3' }, defaultLogConfig, ON)).key).toBe(
      'local.retention.ms',
    );
    expect(
      refusal(() => parseTopicTieringConfig({ 'remote.storage.enable': 'yes' }, defaultLogConfig, ON)).reason,
    ).toBe('must be true or false');
    // Compacted topics tier (Kafka refuses them; sluice compacts their remote segments). A
    // compact-only topic deletes nothing by retention.*, remote segments included.
    const compactOnly = parseTopicTieringConfig(
      { 'remote.storage.enable': 'true', 'local.retention.bytes': '0' },
      { ...defaultLogConfig, cleanupPolicy: 'compact' },
      ON,
    );
    expect(compactOnly.remoteStorageEnable).toBe(true);
    expect([compactOnly.totalRetentionMs, compactOnly.totalRetentionBytes]).toEqual([-1, -1]);
    expect(compactOnly.localRetentionBytes).toBe(0);
    const compactDelete = parseTopicTieringConfig(
      { 'remote.storage.enable': 'true' },
      { ...defaultLogConfig, cleanupPolicy: 'compact,delete' },
      ON,
    );
    expect(compactDelete.totalRetentionMs).toBe(defaultLogConfig.retentionMs);
    expect(
      refusal(() =>
        parseTopicTieringConfig({ 'remote.storage.enable': 'true' }, defaultLogConfig, {
          remoteLogStorageSystemEnable: false,
        }),
      ).reason,
    ).toMatch(/remote.log.storage.system.enable=false/);
  });
});

describe('cluster tiering config', () => {
  it('reads remote.log.manager.copy.merge.max.bytes (16 MiB by default, 0 = one remote segment per local one), refusing bad ones by name', () => {
    expect(parseClusterTieringConfig({}).copyMergeMaxBytes).toBe(16 * 1024 * 1024);
    expect(parseClusterTieringConfig({ 'remote.log.manager.copy.merge.max.bytes': '0' }).copyMergeMaxBytes).toBe(0);
    expect(refusal(() => parseClusterTieringConfig({ 'remote.log.manager.copy.merge.max.bytes': '-1' }))).toEqual({
      key: 'remote.log.manager.copy.merge.max.bytes',
      reason: 'must be >= 0',
    });
    expect(
      refusal(() => parseClusterTieringConfig({ 'remote.log.manager.copy.merge.max.bytes': String(2 ** 31) })),
    ).toEqual({
      key: 'remote.log.manager.copy.merge.max.bytes',
      reason: `must be <= ${1024 * 1024 * 1024}`,
    });
  });

  it('reads the remote compaction settings, refusing bad ones by name', () => {
    const defaults = parseClusterTieringConfig({});
    expect(defaults.remoteCompactionIntervalMs).toBe(3_600_000);
    expect(defaults.remoteCompactionMaxBytes).toBe(64 * 1024 * 1024);
    const set = parseClusterTieringConfig({
      'remote.log.manager.compaction.interval.ms': '2000',
      'remote.log.manager.compaction.max.bytes': '1048576',
    });
    expect([set.remoteCompactionIntervalMs, set.remoteCompactionMaxBytes]).toEqual([2000, 1048576]);
    expect(refusal(() => parseClusterTieringConfig({ 'remote.log.manager.compaction.interval.ms': '0' })).key).toBe(
      'remote.log.manager.compaction.interval.ms',
    );
    expect(refusal(() => parseClusterTieringConfig({ 'remote.log.manager.compaction.max.bytes': '4096' }))).toEqual({
      key: 'remote.log.manager.compaction.max.bytes',
      reason: 'must be >= 1048576',
    });
  });

  it('is off by default and needs no S3 settings then', () => {
    const config = parseClusterTieringConfig({});
    expect(config.remoteLogStorageSystemEnable).toBe(false);
    expect(config.remoteLogManagerTaskIntervalMs).toBe(30_000);
    expect(config.s3).toBeNull();
  });

  it('reads S3 settings from config, falling back to the AWS environment variables', () => {
    const config = parseClusterTieringConfig(
      {
        'remote.log.storage.system.enable': 'true',
        'remote.log.manager.task.interval.ms': '500',
        'remote.log.manager.copy.max.bytes.per.second': '9223372036854775807',
        'rsm.config.storage.s3.bucket.name': 'sluice-tier',
        'rsm.config.storage.s3.path.style.access.enabled': 'true',
        'rsm.config.key.prefix': 'cluster-a/',
      },
      {
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9000/',
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 'secret',
      },
    );
    expect(config.remoteLogManagerTaskIntervalMs).toBe(500);
    expect(config.copyMaxBytesPerSecond).toBe(-1);
    expect(config.s3).toEqual({
      endpointUrl: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      bucket: 'sluice-tier',
      keyPrefix: 'cluster-a/',
      pathStyleAccess: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
    // Config wins over the environment.
    expect(
      parseClusterTieringConfig({ ...S3, 'rsm.config.storage.s3.region': 'us-east-1' }, { AWS_REGION: 'eu-west-1' }).s3
        ?.region,
    ).toBe('us-east-1');
  });

  it('refuses a missing bucket or region, a bad endpoint, prefix, interval, half credentials', () => {
    const keyOf = (props: Record<string, string>, env: Record<string, string> = {}) =>
      refusal(() => parseClusterTieringConfig(props, env)).key;
    expect(keyOf({ 'remote.log.storage.system.enable': 'true' })).toBe('rsm.config.storage.s3.bucket.name');
    expect(keyOf({ ...S3, 'rsm.config.storage.s3.bucket.name': 'Bad_Bucket' })).toBe(
      'rsm.config.storage.s3.bucket.name',
    );
    expect(keyOf({ ...S3, 'rsm.config.storage.s3.region': ' ' })).toBe('rsm.config.storage.s3.region');
    expect(keyOf({ ...S3, 'rsm.config.storage.s3.endpoint.url': 'ftp://x' })).toBe(
      'rsm.config.storage.s3.endpoint.url',
    );
    expect(keyOf({ ...S3, 'rsm.config.key.prefix': 'no-slash' })).toBe('rsm.config.key.prefix');
    expect(keyOf({ ...S3, 'remote.log.manager.task.interval.ms': '0' })).toBe('remote.log.manager.task.interval.ms');
    expect(keyOf({ ...S3, 'remote.log.storage.system.enable': 'on' })).toBe('remote.log.storage.system.enable');
    expect(keyOf(S3, { AWS_ACCESS_KEY_ID: 'id' })).toBe('rsm.config.storage.aws.secret.access.key');
    expect(keyOf({ ...S3, 'rsm.config.fetch.chunk.cache.size': '5000' })).toBe('rsm.config.fetch.chunk.cache.size');
    expect(keyOf({ ...S3, 'remote.log.reader.threads': '0' })).toBe('remote.log.reader.threads');
    expect(keyOf({ ...S3, 'remote.log.reader.max.pending.tasks': '-1' })).toBe('remote.log.reader.max.pending.tasks');
  });

  it("bounds remote reads by Kafka's remote.log.reader.threads and max.pending.tasks (defaults 10 and 100)", () => {
    expect(parseClusterTieringConfig(S3)).toMatchObject({ remoteReaderMaxInFlight: 10, remoteReaderMaxPending: 100 });
    expect(
      parseClusterTieringConfig({
        ...S3,
        'remote.log.reader.threads': '4',
        'remote.log.reader.max.pending.tasks': '0',
      }),
    ).toMatchObject({ remoteReaderMaxInFlight: 4, remoteReaderMaxPending: 0 });
  });
});
