/**
 * What the node-agent e2e files share: a real control plane (e2e/test/kubernetes.ts) with the
 * node agent (e2e/node-agent) playing its one Node, pods on a loopback /24 drawn per run, this
 * process resolving pod DNS names from the agent's hosts file (there is no cluster DNS here), the
 * chart values that make the pods quick to start and stop on a loaded machine, and the readers a
 * test waits on (the release's pods, Ready, a StatefulSet rolled out). Everything started here is
 * stopped by stopNodeAgent, by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sluice/local-cluster';
import { kubernetesBinDir, startControlPlane, type ControlPlane, type KubeObject } from './kubernetes';

export const ROOT = join(__dirname, '../..');
const NODE24 = join(ROOT, 'node_modules/.bin/node');
const AGENT_READY_TIMEOUT_MS = 90_000;
const AGENT_STOP_TIMEOUT_MS = 30_000;

export interface NodeAgentRun {
  readonly plane: ControlPlane;
  /** The agent's state: its hosts file, pods' directories and logs (`logs/<ns>_<pod>_<container>.log`). */
  readonly stateDir: string;
  readonly agent: ChildProcess;
}

const originalLookup = dns.promises.lookup;

/** This process resolves pod DNS names from the agent's hosts file; everything else as before. */
function lookupFromAgentHosts(stateDir: string): void {
  const patched = async (hostname: string, options?: dns.LookupOptions): Promise<unknown> => {
    const hosts = readFileSync(join(stateDir, 'hosts'), 'utf8');
    const line = hosts.split('\n').find((l) => l.split(/\s+/).slice(1).includes(hostname));
    if (line === undefined)
      return (originalLookup as (h: string, o?: dns.LookupOptions) => Promise<unknown>)(hostname, options);
    const address = { address: line.split(/\s+/)[0] as string, family: 4 };
    return options?.all === true ? [address] : address;
  };
  dns.promises.lookup = patched as typeof dns.promises.lookup;
}

/**
 * The pods' loopback /24, drawn per run: pods listen on the chart's fixed ports at their own
 * addresses, so two suites on one machine (two worktrees), or two node-agent files in one, would
 * collide on one fixed prefix.
 */
function drawPodIpPrefix(): string {
  return `127.${12 + Math.floor(Math.random() * 240)}.${Math.floor(Math.random() * 250)}.`;
}

/** Starts the control plane and the agent; returns once the agent registered its Node. */
export async function startNodeAgent(nodeName = 'node-1'): Promise<NodeAgentRun> {
  // Each pod's processes get their own mount namespace (unshare), which takes root, as CI runs.
  if (process.getuid?.() !== 0)
    throw new Error('the node agent e2e needs root (mount namespaces for pods); .ci/run runs as root');
  const plane = await startControlPlane(kubernetesBinDir());
  const stateDir = mkdtempSync(join(tmpdir(), 'sluice-node-agent-'));
  const agent = spawn(
    NODE24,
    [
      join(ROOT, 'e2e/node-agent/main.ts'),
      '--kubeconfig',
      plane.kubeconfig,
      '--node',
      nodeName,
      '--state-dir',
      stateDir,
      '--ip-prefix',
      drawPodIpPrefix(),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}` },
    },
  );
  const run = { plane, stateDir, agent };
  try {
    await waitFor(
      'the node agent to register its Node',
      () => {
        // An agent that died will never register: the timeout's message carries its agent.log.
        if (agent.exitCode !== null || agent.signalCode !== null)
          throw new Error(`node agent exited (${agent.exitCode ?? agent.signalCode}): ${agentLogTail(stateDir)}`);
        return existsSync(join(stateDir, 'ready'));
      },
      AGENT_READY_TIMEOUT_MS,
      200,
    );
  } catch (error) {
    await stopNodeAgent(run);
    throw error;
  }
  lookupFromAgentHosts(stateDir);
  return run;
}

function agentLogTail(stateDir: string): string {
  try {
    return readFileSync(join(stateDir, 'agent.log'), 'utf8').slice(-2_000);
  } catch {
    return '(no agent.log)';
  }
}

/** Stops the agent (it stops its pods) and the control plane; keeps the state with SLUICE_KEEP_NODE_AGENT_STATE. */
export async function stopNodeAgent(run: NodeAgentRun | undefined): Promise<void> {
  dns.promises.lookup = originalLookup;
  if (run === undefined) return;
  const { agent } = run;
  if (agent.exitCode === null && agent.signalCode === null) {
    const exited = new Promise((resolveExit) => agent.once('exit', resolveExit));
    agent.kill('SIGTERM');
    const force = setTimeout(() => agent.kill('SIGKILL'), AGENT_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(force);
  }
  await run.plane.stop();
  if (process.env.SLUICE_KEEP_NODE_AGENT_STATE === undefined) rmSync(run.stateDir, { recursive: true, force: true });
}

/**
 * Chart values for pods run by the agent: the workspace's own build instead of an image, fast
 * probes and short grace periods (a loaded 2-core machine), no dashboards, no resource requests
 * (one Node). A test's own values go in a second -f file.
 */
export function agentChartValues(): object {
  return {
    image: { appDir: ROOT },
    metrics: { dashboards: { enabled: false } },
    preStopSleepSeconds: 1,
    probes: {
      startup: { periodSeconds: 1, failureThreshold: 120, timeoutSeconds: 2 },
      readiness: { periodSeconds: 1, failureThreshold: 3, timeoutSeconds: 2 },
      liveness: { periodSeconds: 5, failureThreshold: 6, timeoutSeconds: 2 },
    },
    controller: { resources: {}, config: { 'broker.session.timeout.ms': 4000 }, terminationGracePeriodSeconds: 30 },
    broker: {
      resources: {},
      config: { 'replica.fetch.wait.max.ms': 200, 'replica.lag.time.max.ms': 5000 },
      terminationGracePeriodSeconds: 60,
    },
    coordinator: { resources: {}, terminationGracePeriodSeconds: 30 },
  };
}

/** The release's service pods in `namespace` (the `helm test` pod left Succeeded is not one of them). */
export function servicePods(plane: ControlPlane, namespace: string): KubeObject[] {
  return (
    JSON.parse(plane.kubectl(['get', 'pods', '-n', namespace, '-o', 'json'])) as { items: KubeObject[] }
  ).items.filter((pod) => pod.metadata.labels?.['app.kubernetes.io/component'] !== 'test');
}

/** What `kubectl rollout status` waits for: every replica on the new revision and Ready. */
export function statefulSetRolledOut(plane: ControlPlane, namespace: string, statefulSet: string): boolean {
  const set = JSON.parse(
    plane.kubectl(['get', 'statefulset', statefulSet, '-n', namespace, '-o', 'json']),
  ) as KubeObject;
  return (
    set.status.observedGeneration === set.metadata.generation &&
    set.status.updateRevision === set.status.currentRevision &&
    set.status.updatedReplicas === set.spec.replicas &&
    set.status.readyReplicas === set.spec.replicas
  );
}

export const isReady = (pod: KubeObject): boolean =>
  pod.metadata.deletionTimestamp === undefined &&
  (pod.status?.conditions ?? []).some(
    (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
  );
