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
import { mapMethods } from './method-definitions';

/** What a message that failed to decode is handed on as (never to a handler). */
export class MalformedRequest {
  constructor(readonly reason: string) {}
}

const tolerant = new WeakMap<PackageDefinition, PackageDefinition>();

/** The same package definition, its services' request decoders turned tolerant (see above). */
export function tolerantRequests(definition: PackageDefinition): PackageDefinition {
  const known = tolerant.get(definition);
  if (known !== undefined) return known;
  const copy = mapMethods(definition, (method) => ({
    ...method,
    requestDeserialize: (bytes: Buffer): unknown => {
      try {
        return method.requestDeserialize(bytes);
      } catch (error) {
        return new MalformedRequest(error instanceof Error ? error.message : String(error));
      }
    },
  }));
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
