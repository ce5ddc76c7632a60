/**
 * Typed unary calls on the generated clients. The method is named as in the proto
 * (`unaryCall(broker, 'InitProducerId', request, { timeoutMs })`): a misspelt name, a streaming
 * method or a wrong request field fails to compile, and the answer is typed as what arrives
 * (`InitProducerIdResponse__Output`: int64 as decimal strings, defaults filled).
 *
 * Streams need no helper: the generated clients type them already (`broker.ProduceStream()` is a
 * `ClientDuplexStream<ProduceStreamRequest, ProduceStreamResponse__Output>`); map their errors
 * with `fromGrpcError`.
 */
import { Metadata } from '@grpc/grpc-js';
import type { Client, ClientUnaryCall, requestCallback, ServiceClientConstructor } from '@grpc/grpc-js';
import { fromGrpcError } from './errors';

/**
 * A unary client method's last overload is `(argument, callback)`, which is the one TypeScript
 * infers from; a streaming method's last overload takes no callback (`(options?)` or
 * `(argument, options?)`), so its parameter list does not match.
 */
type UnarySignature<F> = F extends (...args: infer Args) => ClientUnaryCall
  ? Args extends [infer Request, requestCallback<infer Response>]
    ? { request: Request; response: Response }
    : never
  : never;

/**
 * The unary methods of a generated client, by their proto names. Generated clients also carry
 * lowerCamelCase aliases and grpc-js's own methods: neither is capitalized.
 */
export type UnaryMethodName<C> = {
  [K in keyof C & string]: K extends Capitalize<K> ? ([UnarySignature<C[K]>] extends [never] ? never : K) : never;
}[keyof C & string];

/** What the caller sends: the generated input type (every field optional, int64 as number | string | Long). */
export type UnaryRequest<C, M extends keyof C> = UnarySignature<C[M]>['request'];

/** What the caller receives: the generated `__Output` type. */
export type UnaryResponse<C, M extends keyof C> = UnarySignature<C[M]>['response'];

export interface UnaryCallOptions {
  readonly timeoutMs: number;
  readonly metadata?: Metadata;
  /** Wait for the channel to connect instead of failing fast when the peer is unreachable. Default false. */
  readonly waitForReady?: boolean;
}

export function deadlineAfter(timeoutMs: number, nowMs: number = Date.now()): Date {
  return new Date(nowMs + timeoutMs);
}

/** grpc-js's four-argument form of every unary client method. */
type UnaryInvocation = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date; waitForReady: boolean },
  callback: (error: Error | null, response?: unknown) => void,
) => ClientUnaryCall;

/**
 * One unary call with a deadline. Rejects with the server's ApiError (same Kafka name and
 * detail), REQUEST_TIMED_OUT on deadline, NETWORK_EXCEPTION when unreachable.
 */
export function unaryCall<C extends Client, M extends UnaryMethodName<C>>(
  client: C,
  method: M,
  request: UnaryRequest<C, M>,
  options: UnaryCallOptions,
): Promise<UnaryResponse<C, M>> {
  // The types rule these out; past a cast (or from plain JS) say which method rather than hang or
  // fail with "undefined is not a function".
  const definition = (client.constructor as Partial<ServiceClientConstructor>).service?.[method];
  if (definition === undefined || definition.requestStream || definition.responseStream)
    return Promise.reject(new Error(`${method} is not a unary method of this client`));
  const invoke = client[method] as unknown as UnaryInvocation;
  return new Promise((resolveCall, rejectCall) => {
    invoke.call(
      client,
      request,
      options.metadata ?? new Metadata(),
      { deadline: deadlineAfter(options.timeoutMs), waitForReady: options.waitForReady ?? false },
      (error, response) =>
        error !== null ? rejectCall(fromGrpcError(error)) : resolveCall(response as UnaryResponse<C, M>),
    );
  });
}
