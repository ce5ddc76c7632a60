/**
 * What the node agent runs for one pod, decided from the pod spec alone (pure: no I/O). Each
 * container becomes one local process started through `unshare --mount`: inside its own mount
 * namespace, every volume is a directory of the agent's bind-mounted at the container's mount
 * path, and /etc/hosts is the agent's hosts file (pod DNS names -> their loopback addresses). The
 * file system is otherwise the host's: there are no images; the pod's command must exist here.
 */
import type { V1Container, V1EnvVar, V1Pod, V1Probe, V1Volume } from '@kubernetes/client-node';

export interface VolumePlan {
  readonly name: string;
  /** emptyDir: made per pod run; claim: kept across pods (the PersistentVolume); configMap/secret: files written. */
  readonly kind: 'emptyDir' | 'claim' | 'configMap' | 'secret';
  /** The claim or the ConfigMap/Secret name. */
  readonly source: string;
}

export type ProbePlan =
  | { readonly kind: 'grpc'; readonly port: number; readonly service: string; readonly plan: ProbeTiming }
  | { readonly kind: 'tcp'; readonly port: number; readonly plan: ProbeTiming }
  | { readonly kind: 'http'; readonly port: number; readonly path: string; readonly plan: ProbeTiming };

export interface ProbeTiming {
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
}

export interface ContainerPlan {
  readonly name: string;
  readonly argv: readonly string[];
  /** Values that need the API (secretKeyRef, configMapKeyRef) are resolved by the agent. */
  readonly env: readonly V1EnvVar[];
  readonly mounts: readonly { readonly volume: string; readonly path: string }[];
  readonly startup?: ProbePlan;
  readonly readiness?: ProbePlan;
  readonly liveness?: ProbePlan;
  readonly preStop?: readonly string[];
}

export interface PodPlan {
  readonly volumes: readonly VolumePlan[];
  readonly init: readonly ContainerPlan[];
  readonly containers: readonly ContainerPlan[];
  readonly gracePeriodMs: number;
  /** Always: restart whatever exits; OnFailure: only what fails; Never: the pod ends (helm test pods). */
  readonly restartPolicy: 'Always' | 'OnFailure' | 'Never';
}

/** A refusal to run a pod the agent cannot honour; the pod is reported Failed with this reason. */
export class UnsupportedPodError extends Error {}

export function planPod(pod: V1Pod): PodPlan {
  const spec = pod.spec;
  if (spec === undefined) throw new UnsupportedPodError('pod has no spec');
  // A StatefulSet's volumeClaimTemplates arrive here as persistentVolumeClaim volumes.
  const volumes = (spec.volumes ?? []).map(planVolume);
  const known = new Set(volumes.map((v) => v.name));
  const plan = (container: V1Container): ContainerPlan => planContainer(container, known);
  return {
    volumes,
    init: (spec.initContainers ?? []).map(plan),
    containers: spec.containers.map(plan),
    gracePeriodMs: (spec.terminationGracePeriodSeconds ?? 30) * 1000,
    restartPolicy: restartPolicy(spec.restartPolicy),
  };
}

function restartPolicy(policy: string | undefined): PodPlan['restartPolicy'] {
  if (policy === undefined || policy === 'Always' || policy === 'OnFailure' || policy === 'Never')
    return policy ?? 'Always';
  throw new UnsupportedPodError(`restartPolicy ${policy} is not a Kubernetes restart policy`);
}

function planVolume(volume: V1Volume): VolumePlan {
  if (volume.emptyDir !== undefined) return { name: volume.name, kind: 'emptyDir', source: '' };
  if (volume.persistentVolumeClaim !== undefined)
    return { name: volume.name, kind: 'claim', source: volume.persistentVolumeClaim.claimName };
  if (volume.configMap?.name !== undefined)
    return { name: volume.name, kind: 'configMap', source: volume.configMap.name };
  if (volume.secret?.secretName !== undefined)
    return { name: volume.name, kind: 'secret', source: volume.secret.secretName };
  throw new UnsupportedPodError(`volume ${volume.name}: only emptyDir, persistentVolumeClaim, configMap and secret`);
}

function planContainer(container: V1Container, volumes: ReadonlySet<string>): ContainerPlan {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv.length === 0)
    throw new UnsupportedPodError(`container ${container.name}: no command (images have no entrypoint here)`);
  const mounts = (container.volumeMounts ?? []).map((mount) => {
    if (!volumes.has(mount.name)) throw new UnsupportedPodError(`container ${container.name}: no volume ${mount.name}`);
    if (mount.subPath !== undefined)
      throw new UnsupportedPodError(`container ${container.name}: subPath is not supported`);
    return { volume: mount.name, path: mount.mountPath };
  });
  const ports = new Map((container.ports ?? []).map((p) => [p.name ?? '', p.containerPort]));
  const probe = (p: V1Probe | undefined): ProbePlan | undefined =>
    p === undefined ? undefined : planProbe(p, ports, container.name);
  const preStop = container.lifecycle?.preStop?.exec?.command;
  return {
    name: container.name,
    argv,
    env: container.env ?? [],
    mounts,
    startup: probe(container.startupProbe),
    readiness: probe(container.readinessProbe),
    liveness: probe(container.livenessProbe),
    preStop: preStop === undefined ? undefined : [...preStop],
  };
}

function planProbe(probe: V1Probe, ports: ReadonlyMap<string, number>, container: string): ProbePlan {
  const plan: ProbeTiming = {
    periodMs: (probe.periodSeconds ?? 10) * 1000,
    timeoutMs: (probe.timeoutSeconds ?? 1) * 1000,
    failureThreshold: probe.failureThreshold ?? 3,
  };
  if (probe.grpc !== undefined) return { kind: 'grpc', port: probe.grpc.port, service: probe.grpc.service ?? '', plan };
  const portNumber = (port: number | string): number => {
    const number = typeof port === 'number' ? port : (ports.get(port) ?? Number(port));
    if (!Number.isInteger(number)) throw new UnsupportedPodError(`container ${container}: no port named ${port}`);
    return number;
  };
  if (probe.tcpSocket !== undefined) return { kind: 'tcp', port: portNumber(probe.tcpSocket.port), plan };
  if (probe.httpGet !== undefined) {
    if ((probe.httpGet.scheme ?? 'HTTP') !== 'HTTP')
      throw new UnsupportedPodError(`container ${container}: only HTTP httpGet probes are supported`);
    return { kind: 'http', port: portNumber(probe.httpGet.port), path: probe.httpGet.path ?? '/', plan };
  }
  throw new UnsupportedPodError(`container ${container}: only grpc, tcpSocket and httpGet probes are supported`);
}

/** The downward API fields a pod's env may name, as the kubelet fills them. */
export function fieldValue(pod: V1Pod, podIp: string, fieldPath: string): string {
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'status.podIP':
    case 'status.hostIP':
      return podIp;
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    default:
      throw new UnsupportedPodError(`downward API field ${fieldPath} is not supported`);
  }
}

/** Kubernetes' $(VAR) expansion in command and args, from the container's env; $$ escapes. */
export function expandArg(arg: string, env: ReadonlyMap<string, string>): string {
  return arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    const value = env.get(name as string);
    return value === undefined ? match : value;
  });
}

/**
 * The shell script run as `unshare --mount --propagation private sh -c SCRIPT sh ARGV...`: bind
 * each volume directory and the hosts file into place, then exec the container's command. A
 * mount over a directory that holds the agent's own directories (a pod's /tmp over the agent's
 * state under /tmp) goes last, or it would hide the sources of the mounts after it.
 */
export function mountScript(
  binds: readonly { readonly from: string; readonly to: string }[],
  hostsFile: string,
  keepVisible: readonly string[] = [],
): string {
  const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
  const sources = [hostsFile, ...binds.map((b) => b.from)];
  const under = (path: string, to: string): boolean => path === to || path.startsWith(`${to.replace(/\/$/, '')}/`);
  const hides = (to: string): boolean => sources.some((from) => under(from, to));
  const ordered = [...binds.filter((b) => !hides(b.to)), ...binds.filter((b) => hides(b.to))];
  // Host paths the processes need (the workspace they run from, e.g. a checkout under /tmp) that a
  // volume's mount point would hide: stashed first, bound back over the volume afterwards.
  const hidden = keepVisible.filter((path) => binds.some((b) => under(path, b.to)));
  const lines = ['set -e', `mount --bind ${quote(hostsFile)} /etc/hosts`];
  hidden.forEach((path, i) =>
    lines.push(`mkdir -p /run/sluice-agent-keep/${i}`, `mount --bind ${quote(path)} /run/sluice-agent-keep/${i}`),
  );
  for (const bind of ordered)
    lines.push(`mkdir -p ${quote(bind.to)}`, `mount --bind ${quote(bind.from)} ${quote(bind.to)}`);
  hidden.forEach((path, i) =>
    lines.push(`mkdir -p ${quote(path)}`, `mount --bind /run/sluice-agent-keep/${i} ${quote(path)}`),
  );
  lines.push('exec "$@"');
  return lines.join('\n');
}
