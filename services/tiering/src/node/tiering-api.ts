/**
 * The Tiering RPCs over the node: request validation and the wire shapes (int64 as decimal
 * strings on the way in, numbers on the way out). No decisions here.
 */
import type * as pb from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import type { TieringNode } from './tiering-node';

/** Topic names one request may name. */
const MAX_TOPICS_PER_REQUEST = 1_000;

export class TieringApi {
  constructor(private readonly node: TieringNode) {}

  async describeTieredPartitions(
    request: pb.DescribeTieredPartitionsRequest__Output,
  ): Promise<pb.DescribeTieredPartitionsResponse> {
    const names = request.topics;
    if (names.length > MAX_TOPICS_PER_REQUEST)
      throw new ApiError('INVALID_REQUEST', `${names.length} topics named, at most ${MAX_TOPICS_PER_REQUEST}`);
    if (names.some((name) => name === ''))
      throw new ApiError('INVALID_TOPIC_EXCEPTION', 'a topic name must not be empty');
    const topics = await this.node.describeTieredPartitions(names);
    return { topics: topics.map((topic) => ({ ...topic, partitions: [...topic.partitions] })) };
  }

  async scrubRemoteStorage(request: pb.ScrubRemoteStorageRequest__Output): Promise<pb.ScrubRemoteStorageResponse> {
    const graceMs = Number(request.graceMs);
    if (!Number.isSafeInteger(graceMs) || graceMs < -1)
      throw new ApiError('INVALID_REQUEST', `grace_ms ${request.graceMs} must be -1 (the default) or >= 0`);
    const result = await this.node.scrub({
      dryRun: request.dryRun,
      graceMs: graceMs === -1 ? this.node.options.scrubGraceMs : graceMs,
    });
    return {
      bucket: this.node.bucket,
      prefix: this.node.options.tiering.s3!.keyPrefix,
      orphanKeys: result.orphans.map((object) => object.key),
      tooYoung: result.tooYoung.length,
      named: result.named,
      foreign: result.foreign,
      deleted: result.deleted,
      abortedMultipartUploads: result.abortedMultipartUploads,
      deletedTopicPartitions: result.deletedTopicPartitions,
      deletedTopicUploads: result.deletedTopicUploads,
    };
  }
}
