/** Where each process of a LocalCluster lives: its port, its .properties, its log and its formatted data directory. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatLogDirs } from '@sluice/runtime';
import { freePorts } from './ports';
import type { NodeSlot } from './role-processes';
import type { ClusterPlaces, Role, RoleSpec, Settings } from './roles';

/** A distinct free port for every process of every role, chosen before any configuration is written. */
export async function choosePorts(
  nodeIds: ReadonlyMap<Role, readonly number[]>,
  host: string,
): Promise<(role: Role, nodeId: number) => number> {
  const places = [...nodeIds].flatMap(([role, ids]) => ids.map((nodeId) => `${role}-${nodeId}`));
  const free = await freePorts(places.length, host);
  if (free.length !== places.length) throw new Error(`asked for ${places.length} ports, got ${free.length}`);
  const portByPlace = new Map(places.map((place, i) => [place, free[i] as number]));
  return (role, nodeId) => {
    const port = portByPlace.get(`${role}-${nodeId}`);
    if (port === undefined) throw new RangeError(`no ${role} ${nodeId} in this cluster`);
    return port;
  };
}

/** Writes one process's .properties and formats its data directory; its slot in the role. */
export function writeNode(
  baseDir: string,
  spec: RoleSpec,
  node: { readonly nodeId: number; readonly port: number; readonly clusterId: string },
  places: ClusterPlaces,
  extra: Settings,
): NodeSlot {
  const name = `${spec.role}-${node.nodeId}`;
  const dataDir = spec.dataDirKey === undefined ? undefined : join(baseDir, name);
  const configFile = join(baseDir, `${name}.properties`);
  const settings = { ...spec.settings({ nodeId: node.nodeId, port: node.port, dataDir }, places, extra), ...extra };
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
  return { nodeId: node.nodeId, port: node.port, dataDir, configFile, logFile: join(baseDir, `${name}.out`) };
}
