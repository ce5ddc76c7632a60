/**
 * `meta.properties`: the file `sluice storage format` writes into every log directory, naming
 * the cluster, the node and the directory (Kafka's MetaProperties, version 1). A node refuses to
 * start on a directory without one, or with one from another cluster or another node, because
 * joining the wrong quorum with old data is how metadata gets silently corrupted.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const META_PROPERTIES_FILE = 'meta.properties';
export const META_PROPERTIES_VERSION = 1;

export interface MetaProperties {
  readonly version: number;
  readonly clusterId: string;
  readonly nodeId: number;
  readonly directoryId: string;
}

/** Why a directory cannot be used; `message` says what to do about it. */
export class MetaPropertiesError extends Error {
  override readonly name = 'MetaPropertiesError';
  constructor(
    readonly reason:
      'NOT_FORMATTED' | 'CORRUPT' | 'INCONSISTENT_CLUSTER_ID' | 'INCONSISTENT_NODE_ID' | 'INVALID_ARGUMENT',
    message: string,
  ) {
    super(message);
  }
}

/** Kafka prints a Uuid as 22 characters of base64url (16 bytes, no padding). */
const UUID_TEXT = /^[A-Za-z0-9_-]{21}[AQgw]$/;

export function isKafkaUuid(text: string): boolean {
  return UUID_TEXT.test(text) && text !== 'AAAAAAAAAAAAAAAAAAAAAA';
}

/** A random Kafka-style Uuid; like Kafka's Uuid.randomUuid it never starts with '-'. */
export function randomKafkaUuid(random: (count: number) => Uint8Array = randomBytes): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const text = Buffer.from(random(16)).toString('base64url');
    if (!text.startsWith('-') && isKafkaUuid(text)) return text;
  }
  throw new Error('assertion: random source keeps producing unusable UUIDs');
}

function parseSimpleProperties(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at < 0) continue;
    entries.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return entries;
}

export function renderMetaProperties(meta: MetaProperties, now: Date = new Date()): string {
  return [
    '#',
    `#${now.toUTCString()}`,
    `cluster.id=${meta.clusterId}`,
    `directory.id=${meta.directoryId}`,
    `node.id=${meta.nodeId}`,
    `version=${meta.version}`,
    '',
  ].join('\n');
}

export function parseMetaProperties(text: string, where: string): MetaProperties {
  const entries = parseSimpleProperties(text);
  const need = (key: string): string => {
    const value = entries.get(key);
    if (value === undefined || value === '') throw new MetaPropertiesError('CORRUPT', `${where}: missing ${key}`);
    return value;
  };
  const version = Number(need('version'));
  if (version !== META_PROPERTIES_VERSION) {
    throw new MetaPropertiesError(
      'CORRUPT',
      `${where}: unsupported version ${entries.get('version')} (this build reads ${META_PROPERTIES_VERSION})`,
    );
  }
  const nodeIdText = need('node.id');
  const nodeId = Number(nodeIdText);
  if (!/^\d+$/.test(nodeIdText) || !Number.isSafeInteger(nodeId)) {
    throw new MetaPropertiesError(
      'CORRUPT',
      `${where}: node.id ${JSON.stringify(nodeIdText)} is not a non-negative integer`,
    );
  }
  const clusterId = need('cluster.id');
  const directoryId = need('directory.id');
  return { version, clusterId, nodeId, directoryId };
}

/** The directory's meta.properties, or undefined when the directory is not formatted. */
export function readMetaProperties(dir: string): MetaProperties | undefined {
  const path = join(dir, META_PROPERTIES_FILE);
  if (!existsSync(path)) return undefined;
  return parseMetaProperties(readFileSync(path, 'utf8'), path);
}

/** Writes meta.properties durably: a temporary file, fsync, rename, fsync of the directory. */
export function writeMetaProperties(dir: string, meta: MetaProperties): void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, META_PROPERTIES_FILE);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, renderMetaProperties(meta));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}

export interface FormatRequest {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly logDirs: readonly string[];
  /** Kafka's --ignore-formatted: a directory already formatted for this cluster and node is fine. */
  readonly ignoreFormatted?: boolean;
  readonly randomUuid?: () => string;
}

export interface FormatOutcome {
  readonly dir: string;
  readonly action: 'formatted' | 'already-formatted';
  readonly meta: MetaProperties;
}

/**
 * Formats every log directory, or none: all directories are checked before the first write, so
 * a conflict in the third directory does not leave the first two formatted.
 */
export function formatLogDirs(request: FormatRequest): FormatOutcome[] {
  if (!isKafkaUuid(request.clusterId)) {
    throw new MetaPropertiesError(
      'INVALID_ARGUMENT',
      `cluster id ${JSON.stringify(request.clusterId)} is not a Kafka UUID (22 base64url characters); make one with \`sluice storage random-uuid\``,
    );
  }
  if (!Number.isSafeInteger(request.nodeId) || request.nodeId < 0) {
    throw new MetaPropertiesError('INVALID_ARGUMENT', `node.id ${request.nodeId} is not a non-negative integer`);
  }
  if (request.logDirs.length === 0) throw new MetaPropertiesError('INVALID_ARGUMENT', 'no log directories to format');
  const randomUuid = request.randomUuid ?? (() => randomKafkaUuid());
  const plan: { dir: string; existing: MetaProperties | undefined }[] = [];
  for (const dir of request.logDirs) {
    const existing = readMetaProperties(dir);
    if (existing !== undefined) {
      if (existing.clusterId !== request.clusterId) {
        throw new MetaPropertiesError(
          'INCONSISTENT_CLUSTER_ID',
          `${dir} is already formatted for cluster ${existing.clusterId}, not ${request.clusterId}; refusing to reformat a directory that holds another cluster's data`,
        );
      }
      if (existing.nodeId !== request.nodeId) {
        throw new MetaPropertiesError(
          'INCONSISTENT_NODE_ID',
          `${dir} is already formatted for node ${existing.nodeId}, not node ${request.nodeId}`,
        );
      }
      if (request.ignoreFormatted !== true) {
        throw new MetaPropertiesError(
          'INVALID_ARGUMENT',
          `${dir} is already formatted (use --ignore-formatted to accept that)`,
        );
      }
    }
    plan.push({ dir, existing });
  }
  return plan.map(({ dir, existing }) => {
    if (existing !== undefined) return { dir, action: 'already-formatted', meta: existing };
    const meta: MetaProperties = {
      version: META_PROPERTIES_VERSION,
      clusterId: request.clusterId,
      nodeId: request.nodeId,
      directoryId: randomUuid(),
    };
    writeMetaProperties(dir, meta);
    return { dir, action: 'formatted', meta };
  });
}

/**
 * What a node checks at start: every log dir formatted, all for one cluster and this node.
 * Returns the cluster id. `expectedClusterId`, when given, must match too.
 */
export function verifyFormattedLogDirs(logDirs: readonly string[], nodeId: number, expectedClusterId?: string): string {
  let clusterId: string | undefined = expectedClusterId;
  for (const dir of logDirs) {
    const meta = readMetaProperties(dir);
    if (meta === undefined) {
      throw new MetaPropertiesError(
        'NOT_FORMATTED',
        `log directory ${dir} is not formatted (no ${META_PROPERTIES_FILE}); run \`sluice storage format --cluster-id <id> --config <file>\` first`,
      );
    }
    if (clusterId !== undefined && meta.clusterId !== clusterId) {
      throw new MetaPropertiesError(
        'INCONSISTENT_CLUSTER_ID',
        `log directory ${dir} belongs to cluster ${meta.clusterId}, but this node is in cluster ${clusterId}; refusing to start`,
      );
    }
    if (meta.nodeId !== nodeId) {
      throw new MetaPropertiesError(
        'INCONSISTENT_NODE_ID',
        `log directory ${dir} was formatted for node.id ${meta.nodeId}, but the configuration says node.id ${nodeId}; refusing to start`,
      );
    }
    clusterId = meta.clusterId;
  }
  if (clusterId === undefined) throw new MetaPropertiesError('INVALID_ARGUMENT', 'no log directories configured');
  return clusterId;
}
