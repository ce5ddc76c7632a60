/**
 * The e2e suite's cluster: a LocalCluster of one controller, three brokers
 * (min.insync.replicas 2) and, when a test gives coordinator configuration, one group
 * coordinator per broker, in a fresh temp directory. Stop it with
 * `stop({ removeBaseDir: true })`.
 *
 * `secure: true` runs the same cluster with security on: a real OpenID provider (oidc-provider,
 * its own process), mutual TLS between the processes, SASL_SSL listeners and ACLs. The test's own
 * clients then authenticate as `User:checker` with client-credentials tokens from that issuer
 * (the process's default client security), holding ACLs for what a checker does and nothing
 * more (no CLUSTER_ACTION); `cluster.admin` stays the admin certificate (a super user).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientCredentialsTokenSource, type AclBinding, type AclOperation } from '../../packages/client/src';
import { setDefaultClientSecurity } from '../../packages/proto/src';
import { LocalCluster, type Settings } from '@sluice/local-cluster';
import { startOidcIssuer } from './oidc-issuer';

export interface SluiceOptions {
  /** The data directory's prefix under the OS temp dir. */
  readonly name: string;
  readonly brokerConfig?: Settings;
  /** Extra environment of every broker process (e.g. the fsync journal of the power-loss test). */
  readonly brokerEnv?: Readonly<Record<string, string>>;
  /** Coordinators are started only when this is given. */
  readonly coordinatorConfig?: Settings;
  /** E.g. a short `broker.session.timeout.ms` for tests that kill brokers (default: Kafka's 9000). */
  readonly controllerConfig?: Settings;
  /** Extra environment for every service process (e.g. OTEL_* to export traces). */
  readonly env?: Readonly<Record<string, string>>;
  /** TLS, tokens from a real OpenID provider, and ACLs (see above). */
  readonly secure?: boolean;
}

/** The two ways each checker runs: `describe.each(SECURITY_MODES)`. */
export const SECURITY_MODES = ['plaintext', 'secure'] as const;

const CHECKER_SECRET = 'checker-secret';

/** What a checker's clients do: produce, consume, join and manage groups, manage topics. */
function checkerAcls(): AclBinding[] {
  const on = (
    resourceType: AclBinding['resourceType'],
    resourceName: string,
    operations: readonly AclOperation[],
  ): AclBinding[] =>
    operations.map((operation) => ({ resourceType, resourceName, principal: 'User:checker', operation }));
  return [
    ...on('TOPIC', '*', [
      'READ',
      'WRITE',
      'DESCRIBE',
      'CREATE',
      'DELETE',
      'ALTER',
      'DESCRIBE_CONFIGS',
      'ALTER_CONFIGS',
    ]),
    ...on('GROUP', '*', ['READ', 'DESCRIBE', 'DELETE']),
    ...on('CLUSTER', 'kafka-cluster', ['IDEMPOTENT_WRITE', 'DESCRIBE', 'ALTER']),
  ];
}

export async function startSluice(options: SluiceOptions, baseDir?: string): Promise<LocalCluster> {
  const dir = baseDir ?? mkdtempSync(join(tmpdir(), `sluice-${options.name}-`));
  if (options.secure !== true) return startCluster(options, dir);
  const issuer = await startOidcIssuer(dir, [{ clientId: 'checker', clientSecret: CHECKER_SECRET }]);
  let cluster: LocalCluster;
  try {
    cluster = await startCluster(options, dir, {
      oauthBearer: { issuer: issuer.issuer, audience: issuer.audience },
    });
  } catch (error) {
    await issuer.kill();
    throw error;
  }
  const stop = cluster.stop.bind(cluster);
  // The issuer and the default security live as long as the cluster.
  cluster.stop = async (stopOptions) => {
    setDefaultClientSecurity({});
    try {
      await stop(stopOptions);
    } finally {
      await issuer.kill();
    }
  };
  try {
    const created = await cluster.admin.createAcls(checkerAcls());
    const failed = created.find((result) => result.error !== undefined);
    if (failed !== undefined) throw failed.error;
    setDefaultClientSecurity({
      tls: { caFile: cluster.issued?.admin.caFile as string },
      tokens: new ClientCredentialsTokenSource({
        tokenEndpointUrl: issuer.tokenEndpoint,
        clientId: 'checker',
        clientSecret: CHECKER_SECRET,
      }),
    });
  } catch (error) {
    await cluster.stop({ removeBaseDir: true });
    throw error;
  }
  return cluster;
}

function startCluster(
  options: SluiceOptions,
  baseDir: string,
  security?: Parameters<typeof LocalCluster.start>[0]['security'],
): Promise<LocalCluster> {
  return LocalCluster.start({
    baseDir,
    ...(security === undefined ? {} : { security }),
    roles: {
      controller: { count: 1, config: options.controllerConfig ?? {}, env: options.env ?? {} },
      broker: {
        config: { 'broker.heartbeat.interval.ms': 200, 'min.insync.replicas': 2, ...options.brokerConfig },
        env: { ...options.env, ...options.brokerEnv },
      },
      coordinator:
        options.coordinatorConfig === undefined
          ? { count: 0 }
          : { config: options.coordinatorConfig, env: options.env ?? {} },
    },
  });
}

/** The leader broker of a partition, from the controller's metadata. */
export async function leaderOf(cluster: LocalCluster, topic: string, partition: number): Promise<number> {
  const described = await cluster.admin.describeTopic(topic);
  const found = described.partitions.find((p) => p.partition === partition);
  if (found === undefined) throw new Error(`${topic} has no partition ${partition}`);
  return found.leader;
}
