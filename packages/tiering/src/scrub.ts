import { remoteObjectKeys, type RemoteSegmentFile } from './object-keys';
import type { ObjectStore, ObjectSummary } from './object-store';
import type { RemoteLogMetadataLog } from './metadata-log';
import { RemotePartitionState } from './remote-log-metadata';

/** What an object key says, when it follows the layout of `remoteObjectKey`. */
export interface ParsedObjectKey {
  readonly topic: string;
  readonly topicId: string;
  readonly partition: number;
  readonly baseOffset: number;
  readonly leaderEpoch: number;
  readonly uploadId: string;
  readonly file: RemoteSegmentFile;
}

const SUFFIXES: ReadonlyArray<readonly [string, RemoteSegmentFile]> = [
  ['.leader-epoch-checkpoint', 'leader-epoch-checkpoint'],
  ['.timeindex', 'timeindex'],
  ['.snapshot', 'producer-snapshot'],
  ['.indexes', 'indexes'],
  ['.index', 'index'],
  ['.log', 'log'],
];

/**
 * `<topic>-<topicId>/<partition>/<baseOffset>-<leaderEpoch>-<uploadId>.<ext>` under `prefix`, or
 * null for anything else (never touched by a scrub: it is not ours). Topic ids are 22 base64url
 * characters, so the last `-` before them splits the topic name off.
 */
export function parseObjectKey(prefix: string, key: string): ParsedObjectKey | null {
  if (!key.startsWith(prefix)) return null;
  const parts = key.slice(prefix.length).split('/');
  if (parts.length !== 3) return null;
  const [topicDir, partitionText, fileName] = parts as [string, string, string];
  const topicMatch = /^(.+)-([A-Za-z0-9_-]{22})$/.exec(topicDir);
  if (topicMatch === null || !/^\d+$/.test(partitionText)) return null;
  const suffix = SUFFIXES.find(([ext]) => fileName.endsWith(ext));
  if (suffix === undefined) return null;
  const stem = /^(\d{20})-(\d+)-(.+)$/.exec(fileName.slice(0, -suffix[0].length));
  if (stem === null) return null;
  return {
    topic: topicMatch[1]!,
    topicId: topicMatch[2]!,
    partition: Number(partitionText),
    baseOffset: Number(stem[1]),
    leaderEpoch: Number(stem[2]),
    uploadId: stem[3]!,
    file: suffix[1],
  };
}

export interface ScrubPlan {
  /** Objects no metadata names, older than the grace period: to delete. */
  readonly orphans: ObjectSummary[];
  /** Objects no metadata names yet, younger than the grace period (a copy may be starting). */
  readonly tooYoung: ObjectSummary[];
  /** Objects the metadata names (copied, or an unfinished upload the leader will clean up). */
  readonly named: number;
  /** Keys under the prefix that do not follow the layout: left alone. */
  readonly foreign: number;
}

/**
 * Pure: which objects are orphans. `namedKeys` are the keys every upload the metadata still
 * names would have (all states: an unfinished upload is the leader's to clean up, not a scrub's).
 * The grace period covers the window between a PUT and the metadata a scrub replays.
 */
export function planScrub(
  prefix: string,
  objects: readonly ObjectSummary[],
  namedKeys: ReadonlySet<string>,
  nowMs: number,
  graceMs: number,
): ScrubPlan {
  const orphans: ObjectSummary[] = [];
  const tooYoung: ObjectSummary[] = [];
  let named = 0;
  let foreign = 0;
  for (const object of objects) {
    if (parseObjectKey(prefix, object.key) === null) foreign++;
    else if (namedKeys.has(object.key)) named++;
    else if (nowMs - object.lastModifiedMs >= graceMs) orphans.push(object);
    else tooYoung.push(object);
  }
  return { orphans, tooYoung, named, foreign };
}

export interface ScrubResult extends ScrubPlan {
  readonly deleted: number;
  /** Stale multipart uploads aborted (none are started by sluice, which PUTs whole objects). */
  readonly abortedMultipartUploads: number;
}

/**
 * `sluice tiering scrub`: lists every object under `prefix`, replays the remote-log metadata of
 * each partition found there, and deletes (unless `dryRun`) the objects no metadata names that
 * are older than `graceMs`, and multipart uploads older than `graceMs`.
 */
export async function scrubRemoteStorage(options: {
  readonly store: ObjectStore;
  readonly metadataLog: RemoteLogMetadataLog;
  readonly prefix: string;
  readonly graceMs: number;
  readonly dryRun: boolean;
  readonly nowMs: number;
}): Promise<ScrubResult> {
  const { store, prefix } = options;
  if (!(Number.isSafeInteger(options.graceMs) && options.graceMs >= 0)) {
    throw new RangeError(`grace period ${options.graceMs} ms must be >= 0`);
  }
  const objects = await store.list(prefix);
  const partitions = new Map<string, { topicId: string; partition: number }>();
  for (const object of objects) {
    const parsed = parseObjectKey(prefix, object.key);
    if (parsed !== null) partitions.set(`${parsed.topicId}:${parsed.partition}`, parsed);
  }
  const namedKeys = new Set<string>();
  for (const { topicId, partition } of partitions.values()) {
    const state = new RemotePartitionState(topicId, partition);
    for (const record of await options.metadataLog.replay(topicId, partition)) state.apply(record);
    for (const entry of state.all()) for (const key of remoteObjectKeys(prefix, entry.metadata)) namedKeys.add(key);
  }
  const plan = planScrub(prefix, objects, namedKeys, options.nowMs, options.graceMs);
  const stale = (await store.listMultipartUploads(prefix)).filter(
    (upload) => options.nowMs - upload.initiatedMs >= options.graceMs,
  );
  if (!options.dryRun) {
    await store.deleteMany(plan.orphans.map((object) => object.key));
    for (const upload of stale) await store.abortMultipartUpload(upload.key, upload.uploadId);
  }
  return {
    ...plan,
    deleted: options.dryRun ? 0 : plan.orphans.length,
    abortedMultipartUploads: options.dryRun ? 0 : stale.length,
  };
}
