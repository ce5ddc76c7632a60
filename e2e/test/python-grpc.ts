/**
 * Python with grpcio-tools from PyPI, for the e2e that drives sluice from another language: a
 * virtualenv built once on first use into a cache outside the repository (versions pinned), and
 * Python stubs generated from proto/ with grpcio-tools' protoc (which also proves the contract is
 * valid for protoc, not only for proto-loader).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Pinned: the stubs and the test must not move with PyPI. */
export const GRPCIO_VERSION = '1.85.4';
const PIP_TIMEOUT_MS = 10 * 60_000;

export const REPO_ROOT = resolve(__dirname, '..', '..');
const PROTO_DIR = join(REPO_ROOT, 'proto');

function cacheDir(): string {
  return join(
    process.env.SLUICE_TOOLS_CACHE ?? join(homedir(), '.cache', 'sluice-tools'),
    `python-grpcio-${GRPCIO_VERSION}`,
  );
}

/** The venv's python, creating the venv (python3 -m venv + pip install) on first use. */
export function pythonWithGrpc(): string {
  const venv = cacheDir();
  const python = join(venv, 'bin', 'python');
  const ready = join(venv, '.sluice-ready');
  if (existsSync(ready)) return python;
  const system = spawnSync('python3', ['--version']);
  if (system.status !== 0)
    throw new Error('python3 is not installed: the Python client e2e needs it (Debian: apt-get install python3-venv)');
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(venv, { recursive: true });
  execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit', timeout: 120_000 });
  execFileSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `grpcio==${GRPCIO_VERSION}`,
      `grpcio-tools==${GRPCIO_VERSION}`,
    ],
    { stdio: 'inherit', timeout: PIP_TIMEOUT_MS },
  );
  execFileSync(python, ['-c', 'open(__import__("sys").argv[1], "w").close()', ready]);
  return python;
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
