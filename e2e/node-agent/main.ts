/**
 * The node agent: a kubelet stand-in for the chart e2e (the control plane built here has none).
 * It registers one Node, runs every pod the scheduler binds to it as local processes
 * (pod-runner.ts), gives each pod its own loopback address and maps pod DNS names to them in a
 * hosts file the pods see as /etc/hosts, reports pod status, binds each pending claim to a
 * directory-backed PersistentVolume, and honours deletion (preStop, SIGTERM, grace period, then
 * the final delete). It polls the API every POLL_MS rather than watching: simpler, and the
 * control plane is local. Run as root (mount namespaces) on Node 24:
 *
 *   node e2e/node-agent/main.ts --kubeconfig FILE --node NAME --state-dir DIR --ip-prefix 127.11.0.
 *
 * SIGTERM stops every pod (SIGTERM, then SIGKILL after 10 s) and exits.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { planPod, UnsupportedPodError, type VolumePlan } from './pod-plan.ts';
import { PodRunner, type PodSnapshot } from './pod-runner.ts';

const POLL_MS = 300;
/** Loopback addresses handed out: prefix + 2..254. */
const MAX_PODS = 250;
const SHUTDOWN_GRACE_MS = 10_000;

function argument(name: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? undefined : process.argv[at + 1];
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

const kubeconfig = argument('kubeconfig');
const nodeName = argument('node');
const stateDir = argument('state-dir');
const ipPrefix = argument('ip-prefix');
const agentLog = join(stateDir, 'agent.log');
const hostsFile = join(stateDir, 'hosts');
mkdirSync(join(stateDir, 'logs'), { recursive: true });

const log = (line: string): void => appendFileSync(agentLog, `${new Date().toISOString()} ${line}\n`);

const config = new k8s.KubeConfig();
config.loadFromFile(kubeconfig);
const core = config.makeApiClient(k8s.CoreV1Api);

interface Tracked {
  readonly uid: string;
  readonly runner: PodRunner;
  pod: k8s.V1Pod;
  reported: string;
  deleting: boolean;
}

const tracked = new Map<string, Tracked>();
const ipByPod = new Map<string, string>();
let hostsText = '';

function ipFor(podKey: string): string {
  let ip = ipByPod.get(podKey);
  if (ip === undefined) {
    if (ipByPod.size >= MAX_PODS) throw new Error('node agent: out of loopback addresses');
    ip = `${ipPrefix}${ipByPod.size + 2}`;
    ipByPod.set(podKey, ip);
  }
  return ip;
}

async function registerNode(): Promise<void> {
  const resources = { cpu: '64', memory: '256Gi', pods: String(MAX_PODS) };
  try {
    await core.createNode({
      body: {
        metadata: {
          name: nodeName,
          labels: {
            'kubernetes.io/hostname': nodeName,
            'kubernetes.io/os': 'linux',
            'topology.kubernetes.io/zone': 'local',
          },
        },
      },
    });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
  // The controller manager may change the new Node between our read and our write (a taint, an
  // annotation): the write then fails with 409 Conflict, and we read it again and retry.
  await retryOnConflict('node status', () => reportNodeStatus(resources));
  // The API server taints a new Node not-ready until its kubelet says otherwise: that is us.
  await retryOnConflict('node taints', async () => {
    const ready = await core.readNode({ name: nodeName });
    if (ready.spec?.taints !== undefined && ready.spec.taints.length > 0) {
      ready.spec.taints = ready.spec.taints.filter((taint) => !taint.key.startsWith('node.kubernetes.io/'));
      await core.replaceNode({ name: nodeName, body: ready });
    }
  });
  log(`registered node ${nodeName}`);
}

const MAX_CONFLICT_RETRIES = 10;
const CONFLICT_BACKOFF_MS = 200;

/** Runs a read-modify-write again while the API server answers 409 Conflict (bounded). */
async function retryOnConflict(what: string, readModifyWrite: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await readModifyWrite();
      return;
    } catch (error) {
      if ((error as { code?: number }).code !== 409 || attempt >= MAX_CONFLICT_RETRIES) throw error;
      log(`${what}: conflict (attempt ${attempt}), reading it again`);
      await new Promise((resolveSleep) => setTimeout(resolveSleep, CONFLICT_BACKOFF_MS));
    }
  }
}

async function reportNodeStatus(resources: Record<string, string>): Promise<void> {
  const node = await core.readNode({ name: nodeName });
  const now = new Date();
  node.status = {
    capacity: resources,
    allocatable: resources,
    addresses: [{ type: 'InternalIP', address: `${ipPrefix}1` }],
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'sluice node agent',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
    ],
    nodeInfo: {
      architecture: 'amd64',
      bootID: '',
      containerRuntimeVersion: 'sluice-node-agent://1',
      kernelVersion: '',
      kubeProxyVersion: '',
      kubeletVersion: 'v1.36.3',
      machineID: '',
      operatingSystem: 'linux',
      osImage: 'local processes',
      systemUUID: '',
    },
  };
  await core.replaceNodeStatus({ name: nodeName, body: node });
}

function podKey(pod: k8s.V1Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/** The pod's DNS name under its headless Service (hostname.subdomain.ns.svc.cluster.local). */
function podHostnames(pod: k8s.V1Pod): string[] {
  const name = pod.spec?.hostname ?? pod.metadata?.name ?? '';
  const names = [name];
  if (pod.spec?.subdomain !== undefined) {
    names.unshift(`${name}.${pod.spec.subdomain}.${pod.metadata?.namespace}.svc.cluster.local`);
  }
  return names;
}

/**
 * There is no kube-proxy: a Service's DNS name maps to the address of one Ready pod it selects
 * (the first by name), which serves as long as the Service's port equals its target port.
 */
function serviceHosts(services: readonly k8s.V1Service[], pods: readonly k8s.V1Pod[]): string[] {
  const lines: string[] = [];
  for (const service of services) {
    const selector = service.spec?.selector;
    if (service.spec?.clusterIP === 'None' || selector === undefined) continue;
    const target = pods
      .filter(
        (pod) =>
          pod.metadata?.namespace === service.metadata?.namespace && pod.metadata?.deletionTimestamp === undefined,
      )
      .filter((pod) => Object.entries(selector).every(([key, value]) => pod.metadata?.labels?.[key] === value))
      .filter((pod) => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
    if (target !== undefined) {
      lines.push(`${ipFor(podKey(target))} ${service.metadata?.name}.${service.metadata?.namespace}.svc.cluster.local`);
    }
  }
  return lines;
}

function writeHosts(pods: readonly k8s.V1Pod[], services: readonly k8s.V1Service[]): void {
  const lines = ['127.0.0.1 localhost'];
  for (const pod of pods) lines.push(`${ipFor(podKey(pod))} ${podHostnames(pod).join(' ')}`);
  lines.push(...serviceHosts(services, pods));
  const text = `${lines.join('\n')}\n`;
  if (text === hostsText) return;
  hostsText = text;
  // In place (same inode): every pod has this file bind-mounted as its /etc/hosts.
  writeFileSync(hostsFile, text);
}

async function volumeFiles(namespace: string, volume: VolumePlan): Promise<Record<string, Buffer>> {
  if (volume.kind === 'configMap') {
    const map = await core.readNamespacedConfigMap({ name: volume.source, namespace });
    return Object.fromEntries(Object.entries(map.data ?? {}).map(([key, value]) => [key, Buffer.from(value)]));
  }
  const secret = await core.readNamespacedSecret({ name: volume.source, namespace });
  return Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  );
}

function startPod(pod: k8s.V1Pod): void {
  const key = podKey(pod);
  const namespace = pod.metadata?.namespace ?? 'default';
  const uid = pod.metadata?.uid ?? '';
  let plan;
  try {
    plan = planPod(pod);
  } catch (error) {
    if (!(error instanceof UnsupportedPodError)) throw error;
    log(`${key}: cannot run: ${error.message}`);
    return;
  }
  const runner = new PodRunner(
    pod,
    plan,
    {
      podDir: join(stateDir, 'pods', `${namespace}_${pod.metadata?.name}_${uid}`),
      logFile: (container) => join(stateDir, 'logs', `${namespace}_${pod.metadata?.name}_${container}.log`),
      claimDir: (claim) => join(stateDir, 'claims', `${namespace}_${claim}`),
      hostsFile,
      podIp: ipFor(key),
      baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      secretValue: async (name, field) =>
        Buffer.from((await core.readNamespacedSecret({ name, namespace })).data?.[field] ?? '', 'base64').toString(
          'utf8',
        ),
      configMapValue: async (name, field) =>
        (await core.readNamespacedConfigMap({ name, namespace })).data?.[field] ?? '',
      volumeFiles: (volume) => volumeFiles(namespace, volume),
      log,
    },
    () => undefined,
  );
  tracked.set(key, { uid, runner, pod, reported: '', deleting: false });
  log(`${key}: starting (uid ${uid}, ip ${ipFor(key)})`);
  runner.start().catch((error: unknown) => log(`${key}: start failed: ${String(error)}`));
}

function containerStatus(c: PodSnapshot['containers'][number], image: string): k8s.V1ContainerStatus {
  const state: k8s.V1ContainerState =
    c.state === 'running'
      ? { running: { startedAt: c.startedAt } }
      : c.state === 'terminated'
        ? { terminated: { exitCode: c.exitCode ?? 0, reason: c.reason } }
        : { waiting: { reason: c.reason } };
  return { name: c.name, image, imageID: '', ready: c.ready, started: c.started, restartCount: c.restartCount, state };
}

function podStatus(entry: Tracked): k8s.V1PodStatus {
  const snapshot = entry.runner.snapshot();
  const ready = snapshot.initialized && snapshot.containers.every((c) => c.ready);
  const now = new Date();
  const condition = (type: string, status: boolean): k8s.V1PodCondition => ({
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: now,
  });
  const ip = ipFor(podKey(entry.pod));
  const images = new Map(
    [...(entry.pod.spec?.initContainers ?? []), ...(entry.pod.spec?.containers ?? [])].map((c) => [
      c.name,
      c.image ?? '',
    ]),
  );
  return {
    phase: snapshot.phase,
    hostIP: `${ipPrefix}1`,
    podIP: ip,
    podIPs: [{ ip }],
    startTime: entry.pod.status?.startTime ?? now,
    conditions: [
      condition('PodScheduled', true),
      condition('Initialized', snapshot.initialized),
      condition('ContainersReady', ready),
      condition('Ready', ready),
    ],
    initContainerStatuses: snapshot.init.map((c) => containerStatus(c, images.get(c.name) ?? '')),
    containerStatuses: snapshot.containers.map((c) => containerStatus(c, images.get(c.name) ?? '')),
  };
}

/** Reports a pod's status when it changed; conditions keep their transition time while unchanged. */
async function report(key: string, entry: Tracked): Promise<void> {
  const status = podStatus(entry);
  const fingerprint = JSON.stringify({
    ...status,
    conditions: status.conditions?.map((c) => [c.type, c.status]),
    startTime: 0,
  });
  if (fingerprint === entry.reported) return;
  const [namespace, name] = key.split('/') as [string, string];
  const current = await core.readNamespacedPod({ name, namespace });
  if (current.metadata?.uid !== entry.uid) return;
  current.status = status;
  await core.replaceNamespacedPodStatus({ name, namespace, body: current });
  entry.reported = fingerprint;
}

/** The kubelet's last word on a pod whose processes are gone: delete it now (grace 0), this uid only. */
async function deleteNow(namespace: string, name: string, uid: string): Promise<void> {
  try {
    await core.deleteNamespacedPod({
      name,
      namespace,
      gracePeriodSeconds: 0,
      body: { gracePeriodSeconds: 0, preconditions: { uid } },
    });
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code !== 404 && code !== 409) throw error;
  }
}

async function finishDeletion(key: string, entry: Tracked): Promise<void> {
  const [namespace, name] = key.split('/') as [string, string];
  const graceMs =
    (entry.pod.metadata?.deletionGracePeriodSeconds ?? entry.pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  log(`${key}: deleting (grace ${graceMs} ms)`);
  await entry.runner.stop(graceMs);
  await deleteNow(namespace, name, entry.uid);
  tracked.delete(key);
  log(`${key}: deleted`);
}

/** Claims no volume serves yet get a PersistentVolume of their own (a directory under the state dir). */
async function bindClaims(): Promise<void> {
  const claims = await core.listPersistentVolumeClaimForAllNamespaces({});
  for (const claim of claims.items) {
    if (claim.status?.phase !== 'Pending' || claim.spec?.volumeName !== undefined) continue;
    const name = `pv-${claim.metadata?.namespace}-${claim.metadata?.name}`.slice(0, 253);
    try {
      await core.createPersistentVolume({
        body: {
          metadata: { name },
          spec: {
            capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
            accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
            storageClassName: claim.spec?.storageClassName ?? '',
            persistentVolumeReclaimPolicy: 'Retain',
            hostPath: { path: join(stateDir, 'claims', `${claim.metadata?.namespace}_${claim.metadata?.name}`) },
            claimRef: { namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid },
          },
        },
      });
      log(`bound claim ${claim.metadata?.namespace}/${claim.metadata?.name} to ${name}`);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
}

async function syncOnce(): Promise<void> {
  await bindClaims();
  const pods = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` })).items;
  writeHosts(pods, (await core.listServiceForAllNamespaces({})).items);
  const seen = new Set<string>();
  for (const pod of pods) {
    const key = podKey(pod);
    seen.add(key);
    const entry = tracked.get(key);
    if (entry !== undefined && entry.uid !== pod.metadata?.uid) continue; // the old pod is still stopping
    if (entry === undefined) {
      if (pod.metadata?.deletionTimestamp === undefined) startPod(pod);
      // Deleted while nothing of it runs here (or after our delete did not land): finish it.
      else await deleteNow(pod.metadata.namespace ?? '', pod.metadata.name ?? '', pod.metadata.uid ?? '');
      continue;
    }
    entry.pod = pod;
    if (pod.metadata?.deletionTimestamp !== undefined && !entry.deleting) {
      entry.deleting = true;
      finishDeletion(key, entry).catch((error: unknown) => log(`${key}: delete failed: ${String(error)}`));
    }
    if (!entry.deleting) await report(key, entry).catch((error: unknown) => log(`${key}: status: ${String(error)}`));
  }
  // Pods removed without us (forced deletion): stop their processes at once.
  for (const [key, entry] of tracked) {
    if (!seen.has(key) && !entry.deleting) {
      entry.deleting = true;
      void entry.runner.stop(0).then(() => tracked.delete(key));
    }
  }
}

let stopping = false;
async function main(): Promise<void> {
  writeFileSync(hostsFile, '127.0.0.1 localhost\n');
  await registerNode();
  writeFileSync(join(stateDir, 'ready'), `${process.pid}\n`);
  while (!stopping) {
    try {
      await syncOnce();
    } catch (error) {
      log(`sync: ${error instanceof Error ? error.message : String(error)}`);
    }
    await new Promise((resolveSleep) => setTimeout(resolveSleep, POLL_MS));
  }
}

process.on('SIGTERM', () => {
  stopping = true;
  log('SIGTERM: stopping every pod');
  void Promise.all([...tracked.values()].map((entry) => entry.runner.stop(SHUTDOWN_GRACE_MS))).then(() =>
    process.exit(0),
  );
});

main().catch((error: unknown) => {
  log(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
