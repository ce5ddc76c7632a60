/**
 * What a caller asks of a LocalCluster, and its checks: bad counts, node ids, settings or
 * cluster ids are refused with INVALID_CONFIG (INCONSISTENT_CLUSTER_ID for a reused directory of
 * another cluster) before anything is written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '@sluice/protocol';
import { isKafkaUuid, randomKafkaUuid } from '@sluice/runtime';
import { ROLES, type Role, type Settings } from './roles';
import type { LocalClusterSecurity } from './security';

export interface RoleOptions {
  /** How many processes (default: the role table's; a paired role: one per process of its pair, or 0). */
  readonly count?: number;
  /** The first node id; the others follow it (default 1; a paired role takes its pair's ids). */
  readonly firstNodeId?: number;
  /** Extra configuration for every process of the role (Kafka names), over the launcher's own. */
  readonly config?: Settings;
  /** Extra environment for every process of the role (e.g. NODE_OPTIONS for a profiler hook). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Run the role from another built checkout of this repository (its `services/<service>/dist/main.js`),
   * e.g. a bench measuring this build against a baseline's; default: this workspace.
   */
  readonly workspace?: string;
}

export interface LocalClusterOptions {
  readonly baseDir: string;
  /** Default: the one in `<baseDir>/cluster.id`, else a new random one. */
  readonly clusterId?: string;
  readonly host?: string;
  /** Each process's stdout/stderr: appended to `<baseDir>/<role>-<id>.out` (default) or inherited. */
  readonly output?: 'file' | 'inherit';
  readonly roles?: Partial<Readonly<Record<Role, RoleOptions>>>;
  /** TLS everywhere, tokens and ACLs (security.ts); absent: PLAINTEXT, open, as `sluice cluster up`. */
  readonly security?: LocalClusterSecurity;
  /**
   * A fault proxy in front of every listener, and every address handed out is the proxy's, so
   * `LocalCluster.network` can partition, slow or narrow the link between any two processes
   * (Linux: callers are told apart through /proc). Default false.
   */
  readonly networkFaults?: boolean;
}

export interface StartOptions {
  /**
   * Only these roles (still in dependency order), e.g. the controllers and brokers before a test
   * creates topics, the coordinators after; a later start() starts the rest. Default: every role.
   */
  readonly roles?: readonly Role[];
  /** Bound on the wait for a controller leader. Default 30 s. */
  readonly leaderTimeoutMs?: number;
  /** Bound on the wait for every broker to be registered and unfenced. Default 60 s. */
  readonly brokersTimeoutMs?: number;
  /** Bound on waiting for a role whose processes report SERVING on grpc.health.v1 (coordinators). Default 60000. */
  readonly servingTimeoutMs?: number;
}

const CLUSTER_ID_FILE = 'cluster.id';
/** Node ids are int32 in Kafka's wire format; local clusters stay far below. */
const MAX_NODE_ID = 2 ** 31 - 1;
const MAX_PROCESSES_PER_ROLE = 64;

export function invalid(message: string): ApiError {
  return new ApiError('INVALID_CONFIG', message);
}

function checkSettings(role: Role, settings: Settings): void {
  for (const [key, value] of Object.entries(settings)) {
    // One key=value line each: a line break would smuggle in another key.
    if (!/^[a-z][a-z0-9._-]*$/.test(key))
      throw invalid(`${role} config key ${JSON.stringify(key)} is not a configuration name`);
    if (/[\r\n]/.test(String(value))) throw invalid(`${role} config ${key} has a line break in its value`);
  }
}

/** Node ids per role, in table order; throws INVALID_CONFIG on a bad count or id. */
export function nodeIdsOf(options: LocalClusterOptions): Map<Role, number[]> {
  const ids = new Map<Role, number[]>();
  for (const spec of ROLES) {
    const wanted = options.roles?.[spec.role] ?? {};
    checkSettings(spec.role, wanted.config ?? {});
    if (spec.pairedWith !== undefined) {
      const pair = ids.get(spec.pairedWith) ?? [];
      const count = wanted.count ?? pair.length;
      if (count !== 0 && count !== pair.length)
        throw invalid(`${spec.role} count ${count}: one per ${spec.pairedWith} (${pair.length}) or none`);
      if (wanted.firstNodeId !== undefined)
        throw invalid(`${spec.role}s take their ${spec.pairedWith}s' node ids; firstNodeId is not allowed`);
      ids.set(spec.role, count === 0 ? [] : [...pair]);
      continue;
    }
    const count = wanted.count ?? spec.defaultCount ?? 0;
    const first = wanted.firstNodeId ?? 1;
    if (!Number.isSafeInteger(count) || count < 0 || count > MAX_PROCESSES_PER_ROLE)
      throw invalid(`${spec.role} count ${count}: expected an integer from 0 to ${MAX_PROCESSES_PER_ROLE}`);
    if (!Number.isSafeInteger(first) || first < 0 || first + count - 1 > MAX_NODE_ID)
      throw invalid(`${spec.role} firstNodeId ${first}: expected a node id from 0 to ${MAX_NODE_ID}`);
    ids.set(
      spec.role,
      Array.from({ length: count }, (_, i) => first + i),
    );
  }
  const withoutQuorum = ROLES.find((spec) => spec.role !== 'controller' && (ids.get(spec.role) ?? []).length > 0);
  if (withoutQuorum !== undefined && (ids.get('controller') ?? []).length === 0)
    throw invalid(`${withoutQuorum.role}s need at least one controller`);
  return ids;
}

/** The cluster id: the caller's, the one a reused directory remembers, or a new one; never two at once. */
export function clusterIdFor(baseDir: string, wanted: string | undefined): string {
  const file = join(baseDir, CLUSTER_ID_FILE);
  const remembered = existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  if (wanted !== undefined && remembered !== undefined && wanted !== remembered)
    throw new ApiError(
      'INCONSISTENT_CLUSTER_ID',
      `${baseDir} holds cluster ${remembered}, not ${wanted}: use another directory or remove it`,
    );
  const clusterId = wanted ?? remembered ?? randomKafkaUuid();
  writeFileSync(file, `${clusterId}\n`);
  return clusterId;
}

/** Refuses a cluster id that is not a Kafka UUID (checked before any directory is made). */
export function checkClusterId(clusterId: string | undefined): void {
  if (clusterId !== undefined && !isKafkaUuid(clusterId))
    throw invalid(`cluster id ${JSON.stringify(clusterId)} is not a Kafka UUID (22 characters of base64url)`);
}
