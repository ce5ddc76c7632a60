/**
 * Loading the repository's `.proto` files at run time with @grpc/proto-loader.
 *
 * Loader options (one set for every service, so a message looks the same to every caller; the
 * generated types in ./generated are made with the matching `proto-loader-gen-types` flags, see
 * scripts/generate.js, so changing one means changing both):
 * - `keepCase: false`: fields become lowerCamelCase in JS (`leader_address` -> `leaderAddress`),
 *   the idiom of the TypeScript code on both sides. NestJS's gRPC transport is given the same
 *   options (`PROTO_LOADER_OPTIONS`) so a Nest controller and a raw grpc-js client agree.
 * - `longs: String`: int64/uint64 fields arrive as decimal strings. Offsets, producer ids and
 *   epochs can exceed 2^53, and a silently rounded offset is a lost record; callers convert
 *   with BigInt or Number where they know the range. On the way out numbers, strings and Longs
 *   are all accepted.
 * - `enums: String`: enum values arrive as their names.
 * - `bytes: Buffer`: record batches stay Buffers end to end (no base64, no copies).
 * - `defaults: true`, `oneofs: true`: absent scalars read as their proto3 defaults; a oneof's
 *   set member is named by a virtual field.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';
import { installSchemaEncoders } from './schema-encoder';
import { installHandDecoders } from './stream-message-decoders';

export const PROTO_LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: false,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
});

/** Environment variable naming the proto root explicitly (containers that ship `proto/` elsewhere). */
export const PROTO_DIR_ENV = 'SLUICE_PROTO_DIR';

/** Upper bound on directories walked up from `startDir`; the repo is never this deep. */
const MAX_WALK_UP_DIRS = 32;

export class ProtoDirNotFoundError extends Error {
  override readonly name = 'ProtoDirNotFoundError';
}

/**
 * The repository's `proto/` directory: `$SLUICE_PROTO_DIR` when set, otherwise `proto/` next to
 * the nearest `pnpm-workspace.yaml` above `startDir`. Works the same from `src/` (jest) and
 * `dist/` (node), whatever the working directory.
 */
export function findProtoDir(startDir: string = __dirname, env: NodeJS.ProcessEnv = process.env): string {
  const override = env[PROTO_DIR_ENV];
  if (override !== undefined && override !== '') {
    const dir = isAbsolute(override) ? override : resolve(override);
    if (!existsSync(dir)) throw new ProtoDirNotFoundError(`${PROTO_DIR_ENV}=${override}: directory does not exist`);
    return dir;
  }
  let dir = resolve(startDir);
  for (let step = 0; step < MAX_WALK_UP_DIRS; step++) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) {
      const protoDir = join(dir, 'proto');
      if (!existsSync(protoDir)) throw new ProtoDirNotFoundError(`workspace root ${dir} has no proto/ directory`);
      return protoDir;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ProtoDirNotFoundError(
    `no pnpm-workspace.yaml above ${startDir}; set ${PROTO_DIR_ENV} to the directory holding sluice/v1/*.proto`,
  );
}

/**
 * Loads proto files given relative to a proto root (e.g. `sluice/v1/raft.proto`); imports
 * resolve against the same roots, searched in order. Throws with the file name when a file is
 * missing or invalid.
 */
export function loadProtos(
  files: readonly string[],
  protoDirs: string | readonly string[] = findProtoDir(),
): PackageDefinition {
  const dirs = typeof protoDirs === 'string' ? [protoDirs] : [...protoDirs];
  for (const file of files) {
    if (!dirs.some((dir) => existsSync(join(dir, file))))
      throw new ProtoDirNotFoundError(`proto file ${file} not found under ${dirs.join(', ')}`);
  }
  return protoLoader.loadSync([...files], { ...PROTO_LOADER_OPTIONS, includeDirs: dirs });
}

/** The standard gRPC health protocol, vendored as published (Kubernetes probes speak it). */
export const HEALTH_PROTO_FILE = 'grpc/health/v1/health.proto';

/** Every file of the contract, relative to the proto root: sluice.v1 and the standard health protocol. */
export const CONTRACT_PROTO_FILES = Object.freeze([
  'sluice/v1/common.proto',
  'sluice/v1/broker.proto',
  'sluice/v1/controller.proto',
  'sluice/v1/coordinator.proto',
  'sluice/v1/raft.proto',
  'sluice/v1/tiering.proto',
  HEALTH_PROTO_FILE,
] as const);

let contractPackage: PackageDefinition | undefined;

/** The whole contract loaded once per process (every service and client shares it). */
export function contractPackageDefinition(): PackageDefinition {
  if (contractPackage === undefined) {
    contractPackage = loadProtos(CONTRACT_PROTO_FILES);
    // The produce path's stream messages without protobufjs' reflection (the same values and bytes).
    installHandDecoders(contractPackage);
    installSchemaEncoders(contractPackage);
  }
  return contractPackage;
}
