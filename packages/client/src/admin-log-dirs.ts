/**
 * Kafka's Admin.describeLogDirs: each broker asked over its own DescribeLogDirs (a broker only
 * knows its own disks), all at once, each answer or failure per broker so one broker down does
 * not hide the others.
 */
import { fromGrpcError, unaryCall, type BrokerClient, type LogDirDescription__Output } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import { apiErrorFromName } from './errors';

export interface LogDirPartitionInfo {
  readonly topic: string;
  readonly partition: number;
  /** The replica's local log (every segment on this disk). */
  readonly sizeBytes: number;
  /** How far its log end is below the high watermark it knows (0: caught up, or the leader). */
  readonly offsetLag: number;
  readonly isFuture: boolean;
}

export interface LogDirInfo {
  readonly path: string;
  /** KAFKA_STORAGE_ERROR: the directory is offline (its partitions are not listed). */
  readonly error?: ApiError;
  /** -1: unknown. */
  readonly totalBytes: number;
  readonly usableBytes: number;
  readonly partitions: readonly LogDirPartitionInfo[];
}

export interface BrokerLogDirs {
  readonly brokerId: number;
  readonly logDirs: readonly LogDirInfo[];
  /** The broker did not answer (unreachable, not registered, or refused the request). */
  readonly error?: ApiError;
}

/** Which replicas to describe: absent / empty = all; a topic without partitions = all of it. */
export type LogDirsTopics = readonly { readonly topic: string; readonly partitions?: readonly number[] }[];

export interface DescribeLogDirsTarget {
  readonly brokerId: number;
  /** null: the broker is not registered with the controllers. */
  readonly address: string | null;
}

/** One DescribeLogDirs per target broker, in parallel; answers in the targets' order. */
export async function describeLogDirs(
  targets: readonly DescribeLogDirsTarget[],
  topics: LogDirsTopics,
  clientFor: (address: string) => BrokerClient,
  timeoutMs: number,
): Promise<BrokerLogDirs[]> {
  const request = { topics: topics.map((t) => ({ name: t.topic, partitions: [...(t.partitions ?? [])] })) };
  return Promise.all(
    targets.map(async ({ brokerId, address }): Promise<BrokerLogDirs> => {
      if (address === null)
        return {
          brokerId,
          logDirs: [],
          error: new ApiError('BROKER_NOT_AVAILABLE', `broker ${brokerId} is not registered with the controllers`),
        };
      try {
        const answer = await unaryCall(clientFor(address), 'DescribeLogDirs', request, { timeoutMs });
        return { brokerId, logDirs: answer.logDirs.map(logDirFromWire) };
      } catch (error) {
        return { brokerId, logDirs: [], error: error instanceof ApiError ? error : fromGrpcError(error) };
      }
    }),
  );
}

function logDirFromWire(dir: LogDirDescription__Output): LogDirInfo {
  return {
    path: dir.logDir,
    ...(dir.errorName === '' || dir.errorName === 'NONE'
      ? {}
      : { error: apiErrorFromName(dir.errorName, dir.errorMessage) }),
    totalBytes: Number(dir.totalBytes),
    usableBytes: Number(dir.usableBytes),
    partitions: dir.topics.flatMap((topic) =>
      topic.partitions.map((p) => ({
        topic: topic.name,
        partition: p.partition,
        sizeBytes: Number(p.sizeBytes),
        offsetLag: Number(p.offsetLag),
        isFuture: p.isFuture,
      })),
    ),
  };
}
