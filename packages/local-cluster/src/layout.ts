/** Where each process of a LocalCluster lives: its port, its .properties, its log and its formatted data directory. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLogDirs } from '@sluice/runtime';
import { freePorts } from './ports';
import type { NodeSlot } from './role-processes';
import type { ClusterPlaces, Role, RoleSpec, Settings } from './roles';

/** Which of a process's ports: its gRPC listener, its /metrics server, or the fault proxy in front of its listener. */
export type PortKind = 'grpc' | 'metrics' | 'proxy';

/**
 * Distinct free ports for every process of every role (gRPC and /metrics, and the fault proxy's
 * when `withProxies`), chosen before any configuration is written, so they stay the same across
 * restarts and a scraper can be told them.
 */
export async function choosePorts(
  nodeIds: ReadonlyMap<Role, readonly number[]>,
  host: string,
  withProxies = false,
): Promise<(role: Role, nodeId: number, kind?: PortKind) => number> {
  const kinds: PortKind[] = withProxies ? ['grpc', 'metrics', 'proxy'] : ['grpc', 'metrics'];
  const places = [...nodeIds].flatMap(([role, ids]) =>
    ids.flatMap((nodeId) => kinds.map((kind) => `${role}-${nodeId}-${kind}`)),
  );
  const free = await freePorts(places.length, host);
  if (free.length !== places.length) throw new Error(`asked for ${places.length} ports, got ${free.length}`);
  const portByPlace = new Map(places.map((place, i) => [place, free[i] as number]));
  return (role, nodeId, kind = 'grpc') => {
    const port = portByPlace.get(`${role}-${nodeId}-${kind}`);
    if (port === undefined) throw new RangeError(`no ${role} ${nodeId} in this cluster`);
    return port;
  };
}

/** Writes one process's .properties and formats its data directory; its slot in the role. */
export function writeNode(
  baseDir: string,
  spec: RoleSpec,
  node: {
    readonly nodeId: number;
    readonly port: number;
    /** Where the others dial it: `port`, or its fault proxy's. */
    readonly advertisedPort: number;
    readonly metricsPort: number;
    readonly clusterId: string;
  },
  places: ClusterPlaces,
  extra: Settings,
): NodeSlot {
  const name = `${spec.role}-${node.nodeId}`;
  const dataDir = spec.dataDirKey === undefined ? undefined : join(baseDir, name);
  const configFile = join(baseDir, `${name}.properties`);
  const settings = {
    ...spec.settings(
      {
        nodeId: node.nodeId,
        port: node.port,
        advertisedPort: node.advertisedPort,
        metricsPort: node.metricsPort,
        dataDir,
      },
      places,
      extra,
    ),
    ...extra,
  };
  writeFileSync(
    configFile,
    `${Object.entries(settings)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n')}\n`,
  );
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    formatLogDirs({ clusterId: node.clusterId, nodeId: node.nodeId, logDirs: [dataDir], ignoreFormatted: true });
  }
  // A caller's own metrics.port (0: OS-chosen, or another) wins over the chosen one.
  const metricsPort = Number(settings['metrics.port'] ?? node.metricsPort);
  return {
    nodeId: node.nodeId,
    port: node.port,
    advertisedPort: node.advertisedPort,
    metricsPort,
    dataDir,
    configFile,
    logFile: join(baseDir, `${name}.out`),
  };
}
