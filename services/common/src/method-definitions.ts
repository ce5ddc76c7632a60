/**
 * The grpc-js method definitions inside a proto-loader PackageDefinition, and copies of it with
 * some methods' functions replaced: how a server's definition gets its tolerant request decoders
 * (malformed-requests.ts) and its hand-encoded answers (record-answer-serializers.ts) without
 * touching the definition clients share.
 */
import type { PackageDefinition } from '@grpc/proto-loader';

export interface MethodDefinitionLike {
  /** `/sluice.v1.Broker/Fetch` */
  readonly path: string;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
  readonly responseSerialize: (value: unknown) => Buffer;
}

export function isMethodDefinition(value: unknown): value is MethodDefinitionLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { path?: unknown }).path === 'string' &&
    typeof (value as { requestDeserialize?: unknown }).requestDeserialize === 'function' &&
    typeof (value as { responseSerialize?: unknown }).responseSerialize === 'function'
  );
}

/**
 * A copy of `definition` in which every method of every service is `replace(method)`; entries
 * that are not services (messages, enums) are kept as they are.
 */
export function mapMethods(
  definition: PackageDefinition,
  replace: (method: MethodDefinitionLike) => MethodDefinitionLike,
): PackageDefinition {
  const copy: PackageDefinition = {};
  for (const [name, entry] of Object.entries(definition)) {
    const methods = Object.entries(entry as object);
    copy[name] =
      methods.length === 0 || !methods.every(([, method]) => isMethodDefinition(method))
        ? entry
        : (Object.fromEntries(
            methods.map(([methodName, method]) => [methodName, replace(method as MethodDefinitionLike)]),
          ) as unknown as PackageDefinition[string]);
  }
  return copy;
}
