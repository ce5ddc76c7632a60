/**
 * Kubernetes for the chart tests, with real parts: helm, and a control plane (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler) built once by
 * scripts/build-kubernetes.sh from the Go module proxy into a cache outside the repository, started
 * on loopback with every port chosen free, a fresh etcd and certificates per run, stopped by pid.
 * There is no kubelet: pods are created by the real StatefulSet controller and stay Pending unless
 * something plays a node.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { freePorts, waitFor } from '@sluice/local-cluster';

const BUILD_SCRIPT = join(__dirname, '../../scripts/build-kubernetes.sh');
export const CHART_DIR = join(__dirname, '../../deploy/helm/sluice');
/** The control plane's version: `helm template` renders for it (a `go install`ed helm defaults to 1.20). */
export const KUBE_VERSION = '1.36.3';
/** The first build takes about 10 minutes on 2 cores; later ones print the cached directory. */
export const BUILD_TIMEOUT_MS = 30 * 60_000;
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
const COMMAND_TIMEOUT_MS = 120_000;

/**
 * The directory holding helm, etcd and the kube-* binaries, building them first when the cache
 * lacks them; with `helmOnly`, only helm is built (for tests that just render the chart).
 */
export function kubernetesBinDir(helmOnly = false): string {
  const out = execFileSync('bash', [BUILD_SCRIPT, ...(helmOnly ? ['--helm-only'] : [])], {
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dir = out.trim().split('\n').at(-1);
  if (dir === undefined || dir === '') throw new Error('scripts/build-kubernetes.sh printed no directory');
  return dir;
}

/** One object of rendered or served YAML, loosely typed: tests read the fields they check. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form; tests navigate them
  readonly [key: string]: any;
}

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs helm with `args` (and KUBECONFIG when given); never throws on a non-zero exit. */
export function runHelm(binDir: string, args: readonly string[], kubeconfig?: string): HelmResult {
  const result = spawnSync(join(binDir, 'helm'), args, {
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
    env: { ...process.env, ...(kubeconfig === undefined ? {} : { KUBECONFIG: kubeconfig }) },
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Writes `values` to a temporary file for `-f` (JSON is YAML); removed by the caller's cleanup. */
export function valuesFile(dir: string, name: string, values: object): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(values));
  return file;
}

/** Parses a multi-document YAML stream into its non-empty documents. */
export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`bad YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((doc): doc is KubeObject => doc !== null && typeof doc === 'object');
}

export interface ControlPlane {
  readonly kubeconfig: string;
  readonly binDir: string;
  /** kubectl against this control plane; throws with its stderr on a non-zero exit. */
  kubectl(args: readonly string[], input?: string): string;
  helm(args: readonly string[]): HelmResult;
  stop(): Promise<void>;
}

interface Started {
  readonly name: string;
  readonly child: ChildProcess;
}

/**
 * Starts etcd, kube-apiserver, kube-controller-manager (every controller but node IPAM and node
 * lifecycle: there are no real nodes) and kube-scheduler on 127.0.0.1, each on free ports, with
 * logs in `<workDir>/<name>.log`; returns once `kubectl get namespaces` answers.
 */
export async function startControlPlane(binDir: string): Promise<ControlPlane> {
  const workDir = mkdtempSync(join(tmpdir(), 'sluice-k8s-'));
  const [etcdClient, etcdPeer, apiserver, kcm, scheduler] = await freePorts(5);
  const started: Started[] = [];
  const start = (name: string, args: string[]): void => {
    const log = openSync(join(workDir, `${name}.log`), 'a');
    const child = spawn(join(binDir, name), args, { stdio: ['ignore', log, log], detached: false });
    closeSync(log);
    started.push({ name, child });
  };
  const stop = async (): Promise<void> => {
    for (const { child } of [...started].reverse()) await stopChild(child);
    started.length = 0;
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    execFileSync('openssl', ['genrsa', '-out', join(workDir, 'sa.key'), '2048'], { stdio: 'ignore' });
    execFileSync('openssl', ['rsa', '-in', join(workDir, 'sa.key'), '-pubout', '-out', join(workDir, 'sa.pub')], {
      stdio: 'ignore',
    });
    writeFileSync(join(workDir, 'tokens.csv'), 'admintoken,admin,admin,system:masters\n');
    const kubeconfig = join(workDir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: local, cluster: {server: "https://127.0.0.1:${apiserver}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: admin, user: {token: admintoken}}]',
        'contexts: [{name: local, context: {cluster: local, user: admin}}]',
        'current-context: local',
        '',
      ].join('\n'),
    );
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    start('etcd', [
      `--data-dir=${join(workDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--listen-metrics-urls=',
    ]);
    start('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      `--secure-port=${apiserver}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(workDir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(workDir, 'sa.key')}`,
      `--cert-dir=${join(workDir, 'certs')}`,
      '--authorization-mode=AlwaysAllow',
      `--token-auth-file=${join(workDir, 'tokens.csv')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
    ]);
    const plane: ControlPlane = {
      kubeconfig,
      binDir,
      kubectl: (args, input) =>
        execFileSync('kubectl', args, {
          encoding: 'utf8',
          timeout: COMMAND_TIMEOUT_MS,
          input,
          env: { ...process.env, KUBECONFIG: kubeconfig },
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      helm: (args) => runHelm(binDir, args, kubeconfig),
      stop,
    };
    await waitFor(
      'kube-apiserver to answer',
      () => plane.kubectl(['get', '--raw', '/readyz']).trim() === 'ok',
      START_TIMEOUT_MS,
      500,
    );
    start('kube-controller-manager', [
      `--kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${kcm}`,
      `--service-account-private-key-file=${join(workDir, 'sa.key')}`,
      '--use-service-account-credentials=false',
      '--controllers=*,-nodeipam,-nodelifecycle',
      '--leader-elect=false',
    ]);
    start('kube-scheduler', [
      `--kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${scheduler}`,
      '--leader-elect=false',
    ]);
    // The default namespace's service account comes from the controller manager: objects that
    // need it (and helm's checks) work once it exists.
    await waitFor(
      'the default service account',
      () => plane.kubectl(['get', 'serviceaccount', 'default', '-o', 'name']).trim() === 'serviceaccount/default',
      START_TIMEOUT_MS,
      500,
    );
    // The scheduler's /readyz (always allowed without credentials) includes sched-handler-sync:
    // ok once its informers have synced and its event handlers see pods and nodes
    // (cmd/kube-scheduler/app/server.go), so pods created from here on get scheduled.
    await waitFor(
      `kube-scheduler ready (log ${join(workDir, 'kube-scheduler.log')})`,
      async () => (await httpsStatus(`https://127.0.0.1:${scheduler}/readyz`)) === 200,
      START_TIMEOUT_MS,
      200,
    );
    return plane;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The status of a GET to a control-plane component's own port (a self-signed certificate). */
function httpsStatus(url: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const request = httpsGet(url, { rejectUnauthorized: false, timeout: 5_000 }, (response) => {
      response.resume();
      resolveStatus(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on('error', reject);
  });
}

/** SIGTERM, then SIGKILL after a bound; resolves once the process has exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(force);
}
