/**
 * A request message that is not valid protobuf for its method gets INVALID_REQUEST with Kafka's
 * name, like every other refusal, instead of grpc-js's nameless INTERNAL "Error deserializing
 * request" (Kafka answers a request it cannot parse with INVALID_REQUEST too).
 *
 * grpc-js decodes a message before any interceptor or handler sees it and answers a failed
 * decode itself. So the servers' method definitions decode tolerantly (`tolerantRequests`): a
 * message that does not decode becomes a `MalformedRequest` value, and a server interceptor
 * (`refuseMalformedRequests`) answers it before it reaches a handler. It works the same for
 * unary calls and every kind of stream: a stream ends at its first malformed message.
 */
import {
  ServerInterceptingCall,
  ServerListenerBuilder,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { toGrpcStatus } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';

/** What a message that failed to decode is handed on as (never to a handler). */
export class MalformedRequest {
  constructor(readonly reason: string) {}
}

interface MethodDefinitionLike {
  readonly path: string;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
}

function isMethodDefinition(value: unknown): value is MethodDefinitionLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { path?: unknown }).path === 'string' &&
    typeof (value as { requestDeserialize?: unknown }).requestDeserialize === 'function'
  );
}

const tolerant = new WeakMap<PackageDefinition, PackageDefinition>();

/** The same package definition, its services' request decoders turned tolerant (see above). */
export function tolerantRequests(definition: PackageDefinition): PackageDefinition {
  const known = tolerant.get(definition);
  if (known !== undefined) return known;
  const copy: PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    const methods = Object.entries(entry as object);
    if (methods.length === 0 || !methods.every(([, method]) => isMethodDefinition(method))) {
      copy[name] = entry;
      continue;
    }
    copy[name] = Object.fromEntries(
      methods.map(([methodName, method]) => {
        const { requestDeserialize } = method as MethodDefinitionLike;
        return [
          methodName,
          {
            ...(method as object),
            requestDeserialize: (bytes: Buffer): unknown => {
              try {
                return requestDeserialize(bytes);
              } catch (error) {
                return new MalformedRequest(error instanceof Error ? error.message : String(error));
              }
            },
          },
        ];
      }),
    ) as unknown as PackageDefinition[string];
  }
  tolerant.set(definition, copy);
  return copy;
}

/** Answers a call whose message did not decode with INVALID_REQUEST; passes everything else on. */
export const refuseMalformedRequests: ServerInterceptor = (method: ServerMethodDefinition<unknown, unknown>, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next(
        new ServerListenerBuilder()
          .withOnReceiveMessage((message, passOn) => {
            if (!(message instanceof MalformedRequest)) {
              passOn(message);
              return;
            }
            call.sendStatus(
              toGrpcStatus(
                new ApiError(
                  'INVALID_REQUEST',
                  `the request to ${method.path} is not a valid message: ${message.reason}`,
                ),
              ) as Parameters<typeof call.sendStatus>[0],
            );
          })
          .build(),
      );
    },
  });
