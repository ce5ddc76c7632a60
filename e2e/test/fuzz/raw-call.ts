/**
 * One fuzz request on the wire: raw request bytes sent on any method path (so bytes the encoder
 * would never produce reach the server), unary or streaming, and what came back classified.
 *
 * An outcome is acceptable when it is an answer that decodes as the method's response type and
 * names only Kafka errors in its per-item error fields, or a refusal carrying a Kafka error name
 * (the `sluice-error-name` trailer). Anything else is a finding: a status without a name, a
 * decode failure, UNKNOWN_SERVER_ERROR (an exception the server did not expect), no answer from a
 * call that does not wait, or a server gone.
 */
import { isApiErrorName } from '../../../packages/protocol/src';
import type { BrokerClient } from '../../../packages/proto/src';
import type { ContractRpc } from './contract';

/** grpc-js status codes the classification needs. */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

export type Outcome =
  | { readonly kind: 'answered'; readonly messages: readonly unknown[]; readonly allItemsRefused: boolean }
  | { readonly kind: 'refused'; readonly errorName: string; readonly details: string }
  | { readonly kind: 'waiting' }
  | { readonly kind: 'finding'; readonly what: string };

/** Calls whose request may legitimately hold the answer past our deadline (long polls, acks waits). */
const MAY_WAIT = new Set([
  '/sluice.v1.Broker/Fetch',
  '/sluice.v1.Broker/FetchRecords',
  '/sluice.v1.Broker/ShareFetch',
  '/sluice.v1.Broker/Produce',
  '/sluice.v1.Broker/ProduceRecords',
  '/sluice.v1.Broker/ProduceStream',
  '/sluice.v1.Broker/ReplicaFetchStream',
  '/sluice.v1.Broker/FetchStream',
]);

interface StatusLike {
  readonly code: number;
  readonly details?: string;
  readonly metadata?: { get(key: string): unknown[] };
}

/** Every `*errorName` string in an answer, however deep. */
function errorNames(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) errorNames(item, into);
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value))
    for (const [key, field] of Object.entries(value)) {
      if (/errorName$/i.test(key) && typeof field === 'string') into.push(field);
      else errorNames(field, into);
    }
  return into;
}

function classifyAnswer(rpc: ContractRpc, payloads: readonly Buffer[]): Outcome {
  const messages: unknown[] = [];
  for (const bytes of payloads) {
    try {
      messages.push(rpc.deserializeResponse(bytes));
    } catch (error) {
      return { kind: 'finding', what: `answer does not decode as a response: ${(error as Error).message}` };
    }
  }
  const names = errorNames(messages);
  const bad = names.filter((name) => name !== '' && !(isApiErrorName(name) && name !== 'NONE'));
  if (bad.length > 0) return { kind: 'finding', what: `answer names unknown errors: ${bad.join(', ')}` };
  if (names.includes('UNKNOWN_SERVER_ERROR'))
    return { kind: 'finding', what: 'answer carries UNKNOWN_SERVER_ERROR (an unexpected exception)' };
  return { kind: 'answered', messages, allItemsRefused: names.length > 0 && names.every((name) => name !== '') };
}

function classifyStatus(rpc: ContractRpc, status: StatusLike): Outcome {
  const nameValue = status.metadata?.get('sluice-error-name')[0];
  const name = typeof nameValue === 'string' ? nameValue : undefined;
  const details = status.details ?? '';
  if (name !== undefined) {
    if (!isApiErrorName(name) || name === 'NONE') return { kind: 'finding', what: `refusal with unknown name ${name}` };
    if (name === 'UNKNOWN_SERVER_ERROR')
      return { kind: 'finding', what: `UNKNOWN_SERVER_ERROR (an unexpected exception): ${details}` };
    return { kind: 'refused', errorName: name, details };
  }
  if (status.code === GrpcCode.DEADLINE_EXCEEDED && MAY_WAIT.has(rpc.path)) return { kind: 'waiting' };
  // grpc.health.v1 is Google's protocol: NOT_FOUND for a service it does not know is its answer.
  if (rpc.service === 'grpc.health.v1.Health' && status.code === GrpcCode.NOT_FOUND)
    return { kind: 'refused', errorName: 'NOT_FOUND', details };
  return { kind: 'finding', what: `status ${status.code} without a Kafka error name: ${details}` };
}

export interface RawCallOptions {
  readonly timeoutMs: number;
  /** Streaming answers: how long to read them before cancelling the call. */
  readonly streamReadMs: number;
  /** Streaming answers: at most this many are kept. */
  readonly maxMessages: number;
}

/** A grpc-js client of any service: its generic make*Request methods take any path. */
export type AnyClient = BrokerClient;

const identity = (bytes: Buffer): Buffer => bytes;

/** Sends `requests` (raw bytes; one for unary requests, any number for a client stream) and classifies the outcome. */
export function rawCall(
  client: AnyClient,
  rpc: ContractRpc,
  requests: readonly Buffer[],
  options: RawCallOptions,
): Promise<Outcome> {
  const deadline = new Date(Date.now() + options.timeoutMs);
  return new Promise<Outcome>((resolve) => {
    const answers: Buffer[] = [];
    let settled = false;
    const settle = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const onStatus = (error: StatusLike | null): void => {
      if (error === null || error.code === GrpcCode.OK) settle(classifyAnswer(rpc, answers));
      // We cancelled a stream we had read enough of: what arrived is the answer.
      else if (error.code === GrpcCode.CANCELLED && cancelledByUs) settle(classifyAnswer(rpc, answers));
      else settle(classifyStatus(rpc, error));
    };
    let cancelledByUs = false;
    const first = requests[0] ?? Buffer.alloc(0);
    if (!rpc.requestStream && !rpc.responseStream) {
      client.makeUnaryRequest(rpc.path, identity, identity, first, { deadline }, (error, value) => {
        if (value !== undefined && value !== null) answers.push(value);
        onStatus(error as StatusLike | null);
      });
      return;
    }
    if (rpc.requestStream && !rpc.responseStream) {
      const call = client.makeClientStreamRequest(rpc.path, identity, identity, { deadline }, (error, value) => {
        if (value !== undefined && value !== null) answers.push(value);
        onStatus(error as StatusLike | null);
      });
      call.on('error', () => undefined);
      for (const bytes of requests) call.write(bytes);
      call.end();
      return;
    }
    const bidi = rpc.requestStream ? client.makeBidiStreamRequest(rpc.path, identity, identity, { deadline }) : null;
    const call = bidi ?? client.makeServerStreamRequest(rpc.path, identity, identity, first, { deadline });
    const stopReading = setTimeout(() => {
      cancelledByUs = true;
      call.cancel();
    }, options.streamReadMs);
    call.on('data', (bytes: Buffer) => {
      if (answers.length < options.maxMessages) answers.push(bytes);
    });
    call.on('error', (error: StatusLike) => {
      clearTimeout(stopReading);
      onStatus(error);
    });
    call.on('status', (status: StatusLike) => {
      clearTimeout(stopReading);
      if (status.code === GrpcCode.OK) onStatus(null);
    });
    if (bidi !== null) {
      for (const bytes of requests) bidi.write(bytes);
      bidi.end();
    }
  });
}
