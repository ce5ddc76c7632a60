/** DeleteTopics by name or by id: one RemoveTopic record per topic (its partitions and configs go with it). */
import type { RemoveTopicRecord, TopicImage } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import type { CoreContext } from './context';
import { MAX_REQUEST_ENTRIES } from './limits';
import type { ControllerResult } from './result';

export interface DeleteTopicsRequest {
  readonly names?: readonly string[];
  readonly topicIds?: readonly string[];
}

export interface DeleteTopicResult {
  /** As requested (for ids: filled in when the topic was found). */
  readonly name?: string;
  readonly topicId?: string;
  readonly error?: ApiError;
}

export interface DeleteTopicsResponse {
  readonly topics: readonly DeleteTopicResult[];
}

export function deleteTopics(ctx: CoreContext, request: DeleteTopicsRequest): ControllerResult<DeleteTopicsResponse> {
  const names = request.names ?? [];
  const ids = request.topicIds ?? [];
  if (names.length + ids.length > MAX_REQUEST_ENTRIES) {
    throw new ApiError(
      'INVALID_REQUEST',
      `${names.length + ids.length} topics in one request exceed the limit of ${MAX_REQUEST_ENTRIES}`,
    );
  }
  const { topics } = ctx.image;
  // Resolve everything first so a topic named twice (by name, by id or both) is refused everywhere.
  const entries: { requested: { name?: string; topicId?: string }; topic: TopicImage | undefined; error?: ApiError }[] =
    [
      ...names.map((name) => {
        const topic = topics.topicByName(name);
        return {
          requested: { name },
          topic,
          ...(topic === undefined
            ? { error: new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${JSON.stringify(name)} does not exist`) }
            : {}),
        };
      }),
      ...ids.map((topicId) => {
        const topic = topics.topicById(topicId);
        // Kafka answers an unknown id with UNKNOWN_TOPIC_ID, the id-based twin of UNKNOWN_TOPIC_OR_PARTITION.
        return {
          requested: { topicId },
          topic,
          ...(topic === undefined
            ? { error: new ApiError('UNKNOWN_TOPIC_ID', `topic id ${topicId} does not exist`) }
            : {}),
        };
      }),
    ];
  const mentions = new Map<string, number>();
  for (const entry of entries)
    if (entry.topic !== undefined) mentions.set(entry.topic.topicId, (mentions.get(entry.topic.topicId) ?? 0) + 1);

  const records: RemoveTopicRecord[] = [];
  const results: DeleteTopicResult[] = [];
  for (const entry of entries) {
    const { topic } = entry;
    if (topic === undefined) {
      results.push({ ...entry.requested, ...(entry.error === undefined ? {} : { error: entry.error }) });
    } else if ((mentions.get(topic.topicId) ?? 0) > 1) {
      results.push({
        name: topic.name,
        topicId: topic.topicId,
        error: new ApiError('INVALID_REQUEST', `topic ${topic.name} is named more than once in the request`),
      });
    } else {
      records.push({ type: 'RemoveTopic', topicId: topic.topicId });
      results.push({ name: topic.name, topicId: topic.topicId });
    }
  }
  const deleted = results.filter((r) => r.error === undefined).map((r) => r.name);
  const failed = results
    .filter((r) => r.error !== undefined)
    .map((r) => `${r.name ?? r.topicId}: ${r.error?.errorName}`);
  const parts = [
    ...(deleted.length > 0 ? [`deleted ${deleted.join(', ')}`] : []),
    ...(failed.length > 0 ? [`refused ${failed.join(', ')}`] : []),
  ];
  return {
    records,
    response: { topics: results },
    summary: `deleteTopics: ${parts.length === 0 ? 'nothing requested' : parts.join('; ')}`,
  };
}
