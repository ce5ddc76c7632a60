/**
 * Where a tiered topic's partitions start remotely and locally, and how big each side is. With the
 * tiering service known (`--tiering-service`, `$SLUICE_TIERING`, or `cluster up --tiering`), its
 * DescribeTieredPartitions answers, remote sizes included; without it, the leaders' ListOffsets
 * earliest (remote storage included), earliest-local (the leader's disk) and latest, and their
 * DescribeLogDirs for the local sizes (the remote ones need the service's metadata replay).
 */
import { topicPartitionKey, type Admin, type TopicInfo } from '@sluice/client';
import { createGrpcClient, unaryCall, type TieredTopic__Output } from '@sluice/proto';
import { ApiError, isApiErrorName } from '@sluice/protocol';
import type { Command } from 'commander';

export interface PartitionTieringOffsets {
  readonly partition: number;
  readonly leader: number;
  /** The first offset readable anywhere (ListOffsets earliest). */
  readonly logStartOffset: number;
  /** The first offset on the leader's disk (ListOffsets earliest-local). */
  readonly localLogStartOffset: number;
  readonly highWatermark: number;
  /** The leader's local log bytes (DescribeLogDirs); -1 unknown. */
  readonly localSizeBytes: number;
  /** What the object store holds (from the tiering service only). */
  readonly remote?: RemotePartitionSummary;
}

export interface RemotePartitionSummary {
  /** -1: nothing copied. */
  readonly startOffset: number;
  /** Inclusive; -1: nothing copied. */
  readonly endOffset: number;
  readonly segments: number;
  readonly sizeBytes: number;
  readonly unfinishedUploads: number;
}

export function isTiered(topic: TopicInfo): boolean {
  return topic.configs['remote.storage.enable']?.trim().toLowerCase() === 'true';
}

/** The three offsets and the local size of every partition of a tiered topic, from its leaders. */
export async function tieringOffsets(admin: Admin, topic: TopicInfo): Promise<PartitionTieringOffsets[]> {
  const partitions = topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition }));
  const [earliest, earliestLocal, latest, localSizes] = await Promise.all([
    admin.listOffsets(partitions, 'earliest'),
    admin.listOffsets(partitions, 'earliest-local'),
    admin.listOffsets(partitions, 'latest'),
    leaderLocalSizes(admin, topic),
  ]);
  const offsetOf = (map: Map<string, { offset: number }>, partition: number): number =>
    map.get(topicPartitionKey(topic.name, partition))?.offset ?? -1;
  return topic.partitions.map((p) => ({
    partition: p.partition,
    leader: p.leader,
    logStartOffset: offsetOf(earliest, p.partition),
    localLogStartOffset: offsetOf(earliestLocal, p.partition),
    highWatermark: offsetOf(latest, p.partition),
    localSizeBytes: localSizes.get(p.partition) ?? -1,
  }));
}

/**
 * Each partition's local size on its leader (DescribeLogDirs of the topic on each leader). Sizes
 * are a look, not a promise: a leader that does not answer leaves its partitions at -1 rather
 * than failing the offsets beside them.
 */
async function leaderLocalSizes(admin: Admin, topic: TopicInfo): Promise<Map<number, number>> {
  const leaders = [...new Set(topic.partitions.map((p) => p.leader).filter((leader) => leader >= 0))];
  const sizes = new Map<number, number>();
  if (leaders.length === 0) return sizes;
  const answers = await admin.describeLogDirs(leaders, [{ topic: topic.name }]);
  const leaderOf = new Map(topic.partitions.map((p) => [p.partition, p.leader]));
  for (const answer of answers)
    for (const dir of answer.logDirs)
      for (const replica of dir.partitions)
        if (replica.topic === topic.name && !replica.isFuture && leaderOf.get(replica.partition) === answer.brokerId)
          sizes.set(replica.partition, replica.sizeBytes);
  return sizes;
}

/** The offsets and remote sizes of every partition of `topic`, from the tiering service at one of `addresses`. */
export async function tieringStatusFromService(
  addresses: readonly string[],
  topic: TopicInfo,
  timeoutMs: number,
): Promise<PartitionTieringOffsets[]> {
  let lastError: unknown;
  for (const address of addresses) {
    const client = createGrpcClient('Tiering', address);
    try {
      const answer = await unaryCall(client, 'DescribeTieredPartitions', { topics: [topic.name] }, { timeoutMs });
      return partitionsOf(answer.topics[0], topic.name);
    } catch (error) {
      // A named error is the service's answer; only an unreachable service is worth the next address.
      if (error instanceof ApiError) throw error;
      lastError = error;
    } finally {
      client.close();
    }
  }
  throw new Error(
    `no tiering service answered at ${addresses.join(',')}: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}

function partitionsOf(topic: TieredTopic__Output | undefined, name: string): PartitionTieringOffsets[] {
  if (topic === undefined) throw new Error(`the tiering service did not answer for ${name}`);
  if (topic.errorName !== '')
    throw new ApiError(
      isApiErrorName(topic.errorName) && topic.errorName !== 'NONE' ? topic.errorName : 'UNKNOWN_SERVER_ERROR',
      topic.errorMessage,
    );
  return topic.partitions.map((p) => ({
    partition: p.partition,
    leader: p.leaderId,
    logStartOffset: Number(p.logStartOffset),
    localLogStartOffset: Number(p.localLogStartOffset),
    highWatermark: Number(p.highWatermark),
    localSizeBytes: Number(p.localSizeBytes),
    remote: {
      startOffset: Number(p.remoteStartOffset),
      endOffset: Number(p.remoteEndOffset),
      segments: p.remoteSegments,
      sizeBytes: Number(p.remoteSizeBytes),
      unfinishedUploads: p.unfinishedUploads,
    },
  }));
}

/** The service's answer when one is known, else the leaders' offsets. */
export async function tieringStatus(
  admin: Admin,
  topic: TopicInfo,
  service: readonly string[] | null,
  timeoutMs: number,
): Promise<PartitionTieringOffsets[]> {
  return service === null ? tieringOffsets(admin, topic) : tieringStatusFromService(service, topic, timeoutMs);
}

/** `\tLocalSizeBytes: N` (-1: the leader did not say). */
export function formatLocalColumns(offsets: PartitionTieringOffsets): string {
  return `\tLocalSizeBytes: ${offsets.localSizeBytes}`;
}

/** `\tRemoteSegments: N\tRemoteSizeBytes: N` when the tiering service answered; '' otherwise. */
export function formatRemoteColumns(offsets: PartitionTieringOffsets): string {
  const remote = offsets.remote;
  if (remote === undefined) return '';
  return `\tRemoteSegments: ${remote.segments}\tRemoteSizeBytes: ${remote.sizeBytes}\tRemoteEndOffset: ${remote.endOffset}${remote.unfinishedUploads > 0 ? `\tUnfinishedUploads: ${remote.unfinishedUploads}` : ''}`;
}
/** Adds --tiering-service to a command that shows tiered partitions. */
export function withTieringServiceOption(command: Command): Command {
  return command.option(
    '--tiering-service <host:port,...>',
    'the tiering service, for remote sizes (default: $SLUICE_TIERING, else the one `cluster up --tiering` started; none: offsets from the leaders only)',
  );
}
