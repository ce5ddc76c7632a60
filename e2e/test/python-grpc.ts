/**
 * Tools for the e2e that drives sluice from other clients: Python with grpcio-tools from PyPI (a
 * virtualenv made once by scripts/python-grpc-venv.sh, versions pinned), Python stubs generated
 * from proto/ with grpcio-tools' protoc (which also proves the contract is valid for protoc, not
 * only for proto-loader), and grpcurl (scripts/build-grpcurl.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
const PROTO_DIR = join(REPO_ROOT, 'proto');

/**
 * The venv's python (grpcio and grpcio-tools pinned), made on first use by
 * scripts/python-grpc-venv.sh (CI runs it before the suite).
 */
export function pythonWithGrpc(): string {
  const out = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'python-grpc-venv.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10 * 60_000,
  });
  return out.trim().split('\n').pop() as string;
}

/** grpcurl built from the Go module proxy by scripts/build-grpcurl.sh; undefined without Go. */
export function grpcurl(): string | undefined {
  const run = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'build-grpcurl.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10 * 60_000,
  });
  if (run.status === 2) return undefined;
  if (run.status !== 0) throw new Error(`scripts/build-grpcurl.sh exited ${run.status}`);
  return run.stdout.trim().split('\n').pop();
}

/** Every .proto under proto/, relative to it. */
function protoFiles(dir = PROTO_DIR, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? protoFiles(dir, join(prefix, entry.name))
        : entry.name.endsWith('.proto')
          ? [join(prefix, entry.name)]
          : [],
    )
    .sort();
}

/** Generates Python messages and gRPC stubs for the whole contract into `outDir`; returns the files protoc was given. */
export function generatePythonStubs(python: string, outDir: string): string[] {
  const files = protoFiles();
  mkdirSync(outDir, { recursive: true });
  execFileSync(
    python,
    ['-m', 'grpc_tools.protoc', `-I${PROTO_DIR}`, `--python_out=${outDir}`, `--grpc_python_out=${outDir}`, ...files],
    { stdio: ['ignore', 'inherit', 'inherit'], timeout: 120_000 },
  );
  return files;
}
