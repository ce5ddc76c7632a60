/**
 * The OpenTelemetry messaging semantic conventions as sluice uses them, in both generations:
 *
 * - default: the names instrumentations have emitted since semconv 1.24 (`messaging.operation`,
 *   `messaging.kafka.destination.partition`, `messaging.kafka.message.offset`,
 *   `messaging.kafka.consumer.group`, `messaging.client_id`);
 * - `OTEL_SEMCONV_STABILITY_OPT_IN=messaging`: the newer names (`messaging.operation.type` and
 *   `.name`, `messaging.destination.partition.id`, `messaging.kafka.offset`,
 *   `messaging.consumer.group.name`, `messaging.client.id`);
 * - `messaging/dup`: both at once, for a migration (the same scheme as `http/dup`).
 *
 * Span names are `{operation} {destination}` (e.g. `send orders`) in every mode.
 *
 * `messaging.system` is `kafka`: sluice implements Kafka's data model exactly (topics,
 * partitions, offsets, RecordBatch v2, consumer groups), the conventions' `messaging.kafka.*`
 * attributes (offset, message key, consumer group) are defined for that system only, and tracing
 * backends' Kafka views (queue time, consumer lag by trace) key on it. `service.name`
 * (`sluice-broker`, ...) says that the broker is sluice's rather than Apache Kafka's.
 */
import type { Attributes } from '@opentelemetry/api';

export const MESSAGING_SYSTEM = 'kafka';

export type SemconvMode = 'old' | 'stable' | 'dup';

/**
 * Operations sluice traces. The client ones are the conventions' operation types; the broker's
 * and coordinator's (append, replicate, hw_advance, acquire, heartbeat, ...) have no convention
 * and are named for what the server does.
 */
export type MessagingOperation =
  | 'create'
  | 'send'
  | 'receive'
  | 'process'
  | 'settle'
  | 'append'
  | 'replicate'
  | 'hw_advance'
  | 'acquire'
  | 'acknowledge'
  | 'heartbeat'
  | 'commit'
  | 'share_state_write';

/** The convention's operation type for the client operations; the others are internal to sluice. */
const OPERATION_TYPES: Partial<Record<MessagingOperation, string>> = {
  create: 'create',
  send: 'send',
  receive: 'receive',
  process: 'process',
  settle: 'settle',
  acknowledge: 'settle',
  commit: 'settle',
};

/** semconv 1.24's `messaging.operation` values (`send` was `publish`, `process` was `deliver`). */
const OLD_OPERATIONS: Partial<Record<MessagingOperation, string>> = {
  create: 'create',
  send: 'publish',
  receive: 'receive',
  process: 'deliver',
};

/** Reads OTEL_SEMCONV_STABILITY_OPT_IN (a comma-separated list, as the spec defines it). */
export function semconvModeFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): SemconvMode {
  const values = (env.OTEL_SEMCONV_STABILITY_OPT_IN ?? '')
    .split(',')
    .map((value) => value.trim().toLowerCase())
    .filter((value) => value !== '');
  if (values.includes('messaging/dup')) return 'dup';
  if (values.includes('messaging')) return 'stable';
  return 'old';
}

export interface MessagingAttributesInput {
  readonly operation: MessagingOperation;
  readonly destination: string;
  readonly partition?: number;
  /** A single message's offset, or a batch's first. */
  readonly offset?: number;
  /** A single message's key (UTF-8 when it decodes cleanly; otherwise not recorded). */
  readonly key?: Buffer | null;
  /** Messages in the batch the span is about (only for batches, as the conventions say). */
  readonly batchMessageCount?: number;
  readonly consumerGroup?: string;
  readonly clientId?: string;
}

/** The longest message key recorded as an attribute; longer keys are cut (attributes are bounded). */
const MAX_KEY_ATTRIBUTE_CHARS = 256;

/** Attribute names and span names for one semconv mode; make one per process (reads env once). */
export class MessagingConventions {
  constructor(readonly mode: SemconvMode = semconvModeFromEnv()) {}

  spanName(operation: MessagingOperation, destination: string): string {
    return `${operation} ${destination}`;
  }

  /** A message offset known only after the span started (a send's or an append's base offset). */
  offsetAttributes(offset: number): Attributes {
    const attributes: Attributes = {};
    if (this.mode !== 'old') attributes['messaging.kafka.offset'] = offset;
    if (this.mode !== 'stable') attributes['messaging.kafka.message.offset'] = offset;
    return attributes;
  }

  attributes(input: MessagingAttributesInput): Attributes {
    const old = this.mode !== 'stable';
    const stable = this.mode !== 'old';
    const attributes: Attributes = {
      'messaging.system': MESSAGING_SYSTEM,
      'messaging.destination.name': input.destination,
    };
    const operationType = OPERATION_TYPES[input.operation];
    if (stable) {
      attributes['messaging.operation.name'] = input.operation;
      if (operationType !== undefined) attributes['messaging.operation.type'] = operationType;
    }
    if (old) attributes['messaging.operation'] = OLD_OPERATIONS[input.operation] ?? input.operation;
    if (input.partition !== undefined) {
      if (stable) attributes['messaging.destination.partition.id'] = String(input.partition);
      if (old) attributes['messaging.kafka.destination.partition'] = input.partition;
    }
    if (input.offset !== undefined && input.offset >= 0) {
      if (stable) attributes['messaging.kafka.offset'] = input.offset;
      if (old) attributes['messaging.kafka.message.offset'] = input.offset;
    }
    if (input.key !== undefined && input.key !== null) {
      const key = keyAttribute(input.key);
      if (key !== undefined) attributes['messaging.kafka.message.key'] = key;
    }
    if (input.batchMessageCount !== undefined) attributes['messaging.batch.message_count'] = input.batchMessageCount;
    if (input.consumerGroup !== undefined) {
      if (stable) attributes['messaging.consumer.group.name'] = input.consumerGroup;
      if (old) attributes['messaging.kafka.consumer.group'] = input.consumerGroup;
    }
    if (input.clientId !== undefined) {
      if (stable) attributes['messaging.client.id'] = input.clientId;
      if (old) attributes['messaging.client_id'] = input.clientId;
    }
    return attributes;
  }
}

/** A key as the conventions want it (a string); binary keys that are not UTF-8 are left out. */
function keyAttribute(key: Buffer): string | undefined {
  const text = key.subarray(0, MAX_KEY_ATTRIBUTE_CHARS * 4).toString('utf8');
  if (text.includes('\uFFFD')) return undefined;
  return text.length > MAX_KEY_ATTRIBUTE_CHARS ? text.slice(0, MAX_KEY_ATTRIBUTE_CHARS) : text;
}

let shared: MessagingConventions | undefined;

/** The process's conventions (OTEL_SEMCONV_STABILITY_OPT_IN read on first use). */
export function messagingConventions(): MessagingConventions {
  return (shared ??= new MessagingConventions());
}
