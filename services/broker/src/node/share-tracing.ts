/**
 * Share groups' (KIP-932) broker work as spans, inside the ShareFetch / ShareAcknowledge RPC's
 * server span when one is active:
 * - `acquire {topic}` (INTERNAL): records locked for a member, linked to each acquired record's
 *   creation context (the covering batches are decoded only when a tracer is registered);
 * - `acknowledge {topic}` (INTERNAL): a member's ACCEPT / RELEASE / REJECT of offset ranges, with
 *   the state write to the share coordinator that must succeed before the answer.
 * Without a registered tracer both are a single check.
 */
import { context as otelContext, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { activeTracer, batchParent, contextsOfBatches, messagingConventions, recordLinks } from '@sluice/tracing';

export interface ShareSpanTarget {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly brokerId: number;
}

/** Records an `acquire` span for records just locked for `memberId` (their covering batch bytes). */
export function recordAcquireSpan(
  target: ShareSpanTarget,
  memberId: string,
  covering: Buffer,
  acquired: readonly { readonly firstOffset: number; readonly lastOffset: number }[],
  startMs: number,
): void {
  const tracer = activeTracer('sluice-broker');
  if (tracer === undefined || acquired.length === 0) return;
  const contexts = contextsOfBatches(covering);
  const count = acquired.reduce((n, range) => n + range.lastOffset - range.firstOffset + 1, 0);
  const conventions = messagingConventions();
  tracer
    .startSpan(
      conventions.spanName('acquire', target.topic),
      {
        kind: SpanKind.INTERNAL,
        startTime: startMs,
        links: recordLinks(contexts),
        attributes: {
          ...conventions.attributes({
            operation: 'acquire',
            destination: target.topic,
            partition: target.partition,
            offset: acquired[0]!.firstOffset,
            batchMessageCount: count,
            consumerGroup: target.groupId,
          }),
          'sluice.share.member_id': memberId,
          'sluice.broker.id': target.brokerId,
        },
      },
      batchParent(contexts, otelContext.active()),
    )
    .end();
}

/** Starts an `acknowledge` span (undefined without a tracer); end it with `endShareSpan`. */
export function startAcknowledgeSpan(
  target: ShareSpanTarget,
  memberId: string,
  batches: readonly { readonly firstOffset: number; readonly lastOffset: number; readonly type: string }[],
): Span | undefined {
  const tracer = activeTracer('sluice-broker');
  if (tracer === undefined || batches.length === 0) return undefined;
  const counts: Record<string, number> = {};
  for (const batch of batches)
    counts[`sluice.share.${batch.type.toLowerCase()}_records`] =
      (counts[`sluice.share.${batch.type.toLowerCase()}_records`] ?? 0) + batch.lastOffset - batch.firstOffset + 1;
  const conventions = messagingConventions();
  return tracer.startSpan(conventions.spanName('acknowledge', target.topic), {
    kind: SpanKind.INTERNAL,
    attributes: {
      ...conventions.attributes({
        operation: 'acknowledge',
        destination: target.topic,
        partition: target.partition,
        offset: batches[0]!.firstOffset,
        consumerGroup: target.groupId,
      }),
      ...counts,
      'sluice.share.member_id': memberId,
      'sluice.broker.id': target.brokerId,
    },
  });
}

export function endShareSpan(span: Span | undefined, errorName: string | undefined): void {
  if (span === undefined) return;
  if (errorName !== undefined) {
    span.setAttribute('error.type', errorName);
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorName });
  }
  span.end();
}
