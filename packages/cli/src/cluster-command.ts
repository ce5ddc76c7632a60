import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { ClusterInfo } from '@sluice/client';
import {
  findMinioBinary,
  LocalCluster,
  minioBinaryPath,
  minioTieringSettings,
  startMinioProcess,
  type MinioProcess,
} from '@sluice/local-cluster';
import {
  removeBootstrapFile,
  removeCoordinatorsFile,
  withAdmin,
  withConnectionOptions,
  writeBootstrapFile,
  writeCoordinatorsFile,
  writeTieringServiceFile,
  removeTieringServiceFile,
} from './bootstrap';
import type { ConnectionOptions } from './bootstrap';
import { removeSecurityFile, securityFile, writeSecurityFile, type LocalSecurityFile } from './security-options';
import type { IssuedFiles } from '@sluice/local-cluster';

function adminFiles(files: IssuedFiles): LocalSecurityFile {
  return { caFile: files.caFile, certificateFile: files.certificateFile, privateKeyFile: files.privateKeyFile };
}
import { parseClusterTieringConfig, S3ObjectStore } from '@sluice/tiering';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';
import { brokerConfigCommand } from './broker-config-command';
import { clusterDrainCommand } from './reassign-command';

/** How long `cluster up` waits for the quorum to elect a leader before giving up. */
const LEADER_WAIT_MS = 30_000;
const BROKER_WAIT_MS = 30_000;
/** Broker ids start here so they never collide with controller node ids (1, 2, 3, ...). */
const FIRST_BROKER_ID = 101;
/** The bucket `cluster up --tiering` keeps remote segments in (the brokers create it). */
const TIERING_BUCKET = 'sluice-tiered';

function positiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 9)
    throw new UsageError(`${flag} must be an integer from 1 to 9, got ${JSON.stringify(text)}`);
  return Number(text);
}

interface UpOptions {
  readonly controllers: string;
  readonly brokers: string;
  readonly dir?: string;
  readonly for?: string;
  readonly tiering?: boolean;
  readonly tls?: boolean;
  readonly oidcIssuer?: string;
  readonly oidcAudience?: string;
  readonly acls: boolean;
}

/**
 * `sluice cluster up`: starts a local cluster (controllers, brokers, one group coordinator per
 * broker) as real child processes on loopback through LocalCluster (formatted in a temporary
 * directory, or in --dir, which is kept and reused), prints the endpoints, and stops them all on
 * Ctrl-C.
 */
export function clusterCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const cluster = new Command('cluster').description('run and inspect a local sluice cluster');
  cluster
    .command('up')
    .description('start a local cluster of real processes (controllers, brokers, group coordinators) until Ctrl-C')
    .option('--controllers <n>', 'number of controller processes', '3')
    .option('--brokers <n>', 'number of broker processes', '3')
    .option('--dir <path>', 'data directory for the local cluster (kept; reused on the next run)')
    .option('--for <seconds>', 'stop by itself after this many seconds (smoke runs)')
    .option(
      '--tiering',
      'tiered storage on the brokers, against a local MinIO (built by scripts/build-minio.sh) started with the cluster',
    )
    .option(
      '--tls',
      'secure mode: a local CA and a certificate per process (mutual TLS), SASL_SSL listeners, ACLs; other sluice commands use the admin certificate it issues',
    )
    .option('--oidc-issuer <url>', 'with --tls: also accept bearer JWTs from this OpenID issuer (JWKS by discovery)')
    .option('--oidc-audience <aud>', 'with --oidc-issuer: the `aud` tokens must carry')
    .option('--no-acls', 'with --tls: no authorizer (every authenticated caller may do everything)')
    .action(async (options: UpOptions) => {
      setExitCode(await clusterUp(options, io));
    });
  withConnectionOptions(
    cluster
      .command('describe')
      .description('cluster id, the active controller, controllers and registered brokers')
      .option('--json', 'one JSON document instead of text'),
  ).action(async (options: ConnectionOptions & { json?: boolean }) => {
    setExitCode(
      await withAdmin(options, io, async (admin) => {
        const info = await admin.describeCluster();
        io.out(options.json === true ? `${JSON.stringify(info, null, 2)}\n` : formatCluster(info));
        return ExitCode.OK;
      }),
    );
  });
  cluster.addCommand(clusterDrainCommand(io, setExitCode));
  cluster.addCommand(brokerConfigCommand(io, setExitCode));
  return cluster;
}

export function formatCluster(info: ClusterInfo): string {
  const lines = [
    `ClusterId: ${info.clusterId}`,
    `Controller: ${info.controllerId < 0 ? 'none' : `${info.controllerId} at ${info.controllerAddress}`}\tTerm: ${info.raftTerm}\tMetadataOffset: ${info.metadataOffset}`,
    `Controllers: ${info.controllers.map((c) => `${c.nodeId}@${c.address}`).join(',')}`,
    `Brokers: ${info.brokers.length}`,
    ...info.brokers.map(
      (b) =>
        `\tBroker: ${b.brokerId}\tEpoch: ${b.brokerEpoch}\tState: ${b.fenced ? 'fenced' : 'unfenced'}\tRack: ${b.rack ?? 'none'}\tListeners: ${b.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(',')}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

async function clusterUp(options: UpOptions, io: CliIo): Promise<ExitCode> {
  const controllers = positiveInt(options.controllers, '--controllers');
  const brokers = Number(options.brokers);
  if (!Number.isSafeInteger(brokers) || brokers < 0 || brokers > 64)
    throw new UsageError(`--brokers must be an integer from 0 to 64, got ${JSON.stringify(options.brokers)}`);
  const runForMs = options.for === undefined ? undefined : Number(options.for) * 1000;
  if (runForMs !== undefined && !(Number.isFinite(runForMs) && runForMs >= 0))
    throw new UsageError(`--for must be a number of seconds, got ${JSON.stringify(options.for)}`);
  if (options.tls !== true && (options.oidcIssuer !== undefined || options.acls === false))
    throw new UsageError('--oidc-issuer and --no-acls need --tls');
  if (options.oidcAudience !== undefined && options.oidcIssuer === undefined)
    throw new UsageError('--oidc-audience needs --oidc-issuer');
  let minioBinary: string | null = null;
  if (options.tiering === true) {
    minioBinary = findMinioBinary();
    if (minioBinary === null) {
      io.err(
        `error: --tiering needs MinIO, not found at ${minioBinaryPath()}: build it once with scripts/build-minio.sh ` +
          '(go install of the pinned github.com/minio/minio, about 4 minutes), then run sluice cluster up --tiering again\n',
      );
      return ExitCode.FAILURE;
    }
  }
  const keep = options.dir !== undefined;
  const baseDir = options.dir ?? mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  // Tiered storage's object store first: the brokers' configs name its endpoint.
  let minio: MinioProcess | null = null;
  if (minioBinary !== null) {
    try {
      minio = await startMinioProcess({ binary: minioBinary, baseDir: join(baseDir, 'minio') });
      // The bucket exists before anything needs it, as a production bucket does: the tiering
      // service reports NOT_SERVING while its bucket does not answer.
      await createLocalBucket(minio.endpointUrl);
    } catch (error) {
      await minio?.stop();
      io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!keep) rmSync(baseDir, { recursive: true, force: true });
      return ExitCode.FAILURE;
    }
  }
  const tieringSettings =
    minio === null
      ? {}
      : { ...minioTieringSettings(minio.endpointUrl, TIERING_BUCKET), 'remote.log.manager.task.interval.ms': '5000' };
  // One group coordinator per broker, owning the __consumer_offsets and __share_group_state
  // partitions its broker leads; the brokers keep share group state through them.
  const replicationFactor = Math.min(3, brokers);
  // A kept directory remembers its cluster id (LocalCluster keeps it there), so its data stays its own.
  let local: LocalCluster;
  try {
    local = await LocalCluster.create({
      baseDir,
      ...(options.tls === true
        ? {
            security: {
              authorizer: options.acls,
              ...(options.oidcIssuer === undefined
                ? {}
                : {
                    oauthBearer: {
                      issuer: options.oidcIssuer,
                      ...(options.oidcAudience === undefined ? {} : { audience: options.oidcAudience }),
                    },
                  }),
            },
          }
        : {}),
      roles: {
        controller: { count: controllers },
        broker: { count: brokers, firstNodeId: FIRST_BROKER_ID, config: tieringSettings },
        coordinator: {
          config: {
            'offsets.topic.replication.factor': replicationFactor,
            'share.coordinator.state.topic.replication.factor': replicationFactor,
            'share.coordinator.state.topic.min.isr': Math.min(2, replicationFactor),
          },
        },
        // The tiering service (scheduled scrub, status with remote sizes) beside MinIO: hourly
        // scrubs with the default grace period, as in production; with --tls secured as the rest.
        tiering: { count: minio === null || brokers === 0 ? 0 : 1, config: tieringSettings },
      },
    });
  } catch (error) {
    await minio?.stop();
    throw error;
  }
  let stopped = false;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (local.coordinators.nodeIds.length > 0) removeCoordinatorsFile(local.coordinators.addresses());
    if (local.tiering.nodeIds.length > 0) removeTieringServiceFile(local.tiering.addresses());
    removeBootstrapFile(local.controllers.addresses());
    if (local.issued !== undefined) removeSecurityFile(adminFiles(local.issued.admin));
    // Coordinators, then brokers while the controllers can still move their leaderships (controlled shutdown).
    await local.stop();
    await minio?.stop();
    if (!keep) rmSync(baseDir, { recursive: true, force: true });
  };
  try {
    await local.start({ leaderTimeoutMs: LEADER_WAIT_MS, brokersTimeoutMs: BROKER_WAIT_MS });
    const leader = await local.waitForControllerLeader(LEADER_WAIT_MS);
    if (local.coordinators.nodeIds.length > 0) writeCoordinatorsFile(local.coordinators.addresses());
    const tieringPath =
      local.tiering.nodeIds.length > 0 ? writeTieringServiceFile(local.tiering.addresses()) : undefined;
    const bootstrapPath = writeBootstrapFile(local.controllers.addresses());
    // The other commands follow the newest local cluster: its admin certificate, or none.
    const securityPath = local.issued === undefined ? undefined : writeSecurityFile(adminFiles(local.issued.admin));
    if (local.issued === undefined) rmSync(securityFile(), { force: true });
    const endpoint = (role: 'controller' | 'broker' | 'coordinator' | 'tiering', id: number): string =>
      `${local.role(role).address(id)}  pid ${local.role(role).pid(id) ?? '?'}  metrics http://${local.role(role).metricsAddress(id)}/metrics`;
    const lines = [
      `sluice cluster up: cluster.id ${local.clusterId}, data in ${baseDir}${keep ? '' : ' (temporary)'}`,
      ...local.controllers.nodeIds.map(
        (id) =>
          `  controller ${id}: ${endpoint('controller', id)}${id === leader ? '  (active controller)' : ''}  log ${local.controllers.logFile(id)}`,
      ),
      `  bootstrap (Controller gRPC API): ${local.controllers.addresses().join(',')}  (written to ${bootstrapPath}; other sluice commands use it by default)`,
      ...(local.issued === undefined
        ? []
        : [
            `  security: TLS everywhere (CA ${local.issued.admin.caFile}), listeners SASL_SSL${options.oidcIssuer === undefined ? ' (client certificates)' : ` (tokens from ${options.oidcIssuer}, or client certificates)`}, ${options.acls ? 'ACLs on (super user: User:CN=admin)' : 'no ACLs'}; admin certificate in ${local.issued.admin.dir} (written to ${securityPath}; other sluice commands use it by default)`,
          ]),
      ...(brokers > 0
        ? local.brokers.nodeIds.map(
            (id) => `  broker ${id}: ${endpoint('broker', id)}  log ${local.brokers.logFile(id)}`,
          )
        : ['  brokers: none asked for']),
      ...local.coordinators.nodeIds.map(
        (id) =>
          `  coordinator ${id} (paired with broker ${id}): ${endpoint('coordinator', id)}  log ${local.coordinators.logFile(id)}`,
      ),
      '  try: sluice topic create demo; seq 10 | sluice produce demo; sluice consume demo --from-beginning   (sluice = npx -y pnpm@12 sluice)',
      ...(minio === null
        ? []
        : [
            `  tiered storage: MinIO ${minio.endpointUrl}  pid ${minio.pid()}  bucket ${TIERING_BUCKET}  log ${minio.logFile}`,
            ...local.tiering.nodeIds.map(
              (id) =>
                `  tiering service ${id}: ${endpoint('tiering', id)}  log ${local.tiering.logFile(id)}  (written to ${tieringPath}; tiering status and topic describe use it)`,
            ),
            '  try: sluice topic create cold --config remote.storage.enable=true --config local.retention.ms=60000; sluice tiering status cold',
          ]),
      runForMs === undefined ? 'Press Ctrl-C to stop every process.' : `Stopping after ${runForMs / 1000} s.`,
      '',
    ];
    io.out(lines.join('\n'));
    await new Promise<void>((resolve) => {
      // A timer, not sleep(): stopped by Ctrl-C it must not keep the process alive until --for ends.
      const timer = runForMs === undefined ? undefined : setTimeout(() => done(), runForMs);
      const done = (): void => {
        clearTimeout(timer);
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    io.out('stopping the tiering service, coordinators, brokers (controlled shutdown), then controllers...\n');
    await stopAll();
    io.out('stopped.\n');
    return ExitCode.OK;
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}; process output is in ${baseDir}\n`);
    await stopAll();
    return ExitCode.FAILURE;
  }
}

async function createLocalBucket(endpointUrl: string): Promise<void> {
  const store = new S3ObjectStore(parseClusterTieringConfig(minioTieringSettings(endpointUrl, TIERING_BUCKET)).s3!);
  try {
    await store.ensureBucket();
  } finally {
    store.destroy();
  }
}
