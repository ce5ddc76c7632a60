/**
 * fast-check values for the hand-written protobuf encoders' "wider" properties: what
 * proto-loader's serializer accepts beyond the shapes the services build, so each encoder is
 * compared with protobufjs on them (fetch, share fetch and produce request encoders).
 */
import fc from 'fast-check';

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** Any int32, and doubles (protobufjs truncates them). */
export const anyInt32 = fc.oneof(
  fc.integer({ min: INT32_MIN, max: INT32_MAX }),
  fc.double({ noNaN: true, min: -1e10, max: 1e10 }),
);

/** int64 as numbers or decimal strings. */
export const anyInt64 = fc.oneof(
  fc.maxSafeInteger(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }).map(String),
);

/** Any UTF-16, lone surrogates included. */
export const anyString = fc.oneof(fc.string({ maxLength: 50 }), fc.string({ unit: 'binary', maxLength: 50 }));
