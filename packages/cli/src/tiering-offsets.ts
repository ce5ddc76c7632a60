/**
 * Where a tiered topic's partitions start remotely and locally. With the tiering service known
 * (`--tiering-service`, `$SLUICE_TIERING`, or `cluster up --tiering`), its DescribeTieredPartitions
 * answers, remote sizes included; without it, the leaders' ListOffsets earliest (remote storage
 * included), earliest-local (the leader's disk) and latest, and no sizes.
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

/** The three offsets of every partition of a tiered topic, from its leaders. */
export async function tieringOffsets(admin: Admin, topic: TopicInfo): Promise<PartitionTieringOffsets[]> {
  const partitions = topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition }));
  const [earliest, earliestLocal, latest] = await Promise.all([
    admin.listOffsets(partitions, 'earliest'),
    admin.listOffsets(partitions, 'earliest-local'),
    admin.listOffsets(partitions, 'latest'),
  ]);
  const offsetOf = (map: Map<string, { offset: number }>, partition: number): number =>
    map.get(topicPartitionKey(topic.name, partition))?.offset ?? -1;
  return topic.partitions.map((p) => ({
    partition: p.partition,
    leader: p.leader,
    logStartOffset: offsetOf(earliest, p.partition),
    localLogStartOffset: offsetOf(earliestLocal, p.partition),
    highWatermark: offsetOf(latest, p.partition),
  }));
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
