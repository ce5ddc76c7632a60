/**
 * Jaeger v2 for the e2e: built once by scripts/build-jaeger.sh from the Go module proxy into a
 * cache outside the repository, started as a process on loopback with every port chosen by the OS
 * (its OTLP receivers, query API, health check), in-memory storage, stopped by pid. The query API's
 * `GET /api/traces/<id>` answers with the spans it received, as Jaeger's UI reads them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, loopbackHost, sleep } from '@sluice/local-cluster';

const BUILD_SCRIPT = join(__dirname, '../../scripts/build-jaeger.sh');
/** The first build takes about 5 minutes on 2 cores; later ones print the cached path. */
const BUILD_TIMEOUT_MS = 20 * 60_000;

export interface JaegerTag {
  readonly key: string;
  readonly type: string;
  readonly value: string | number | boolean;
}

export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references: readonly { readonly refType: string; readonly traceID: string; readonly spanID: string }[];
  readonly startTime: number;
  readonly duration: number;
  readonly tags: readonly JaegerTag[];
  readonly processID: string;
}

export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { readonly serviceName: string; readonly tags: readonly JaegerTag[] }>>;
}

export interface RunningJaeger {
  /** OTLP over HTTP, e.g. `http://127.0.0.1:43185` (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly otlpHttpEndpoint: string;
  readonly queryUrl: string;
  readonly pid: number;
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  stop(): Promise<void>;
}

/** The binary's path, building it first when the cache lacks it. */
export function jaegerBinary(): string {
  const out = execFileSync('bash', [BUILD_SCRIPT], {
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const path = out.trim().split('\n').at(-1);
  if (path === undefined || path === '') throw new Error('scripts/build-jaeger.sh printed no binary path');
  return path;
}

function configYaml(ports: {
  host: string;
  otlpGrpc: number;
  otlpHttp: number;
  query: number;
  queryGrpc: number;
  health: number;
}): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: ${ports.host}:${ports.query}
    grpc:
      endpoint: ${ports.host}:${ports.queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  healthcheckv2:
    use_v2: true
    http:
      endpoint: ${ports.host}:${ports.health}
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: ${ports.host}:${ports.otlpGrpc}
      http:
        endpoint: ${ports.host}:${ports.otlpHttp}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`;
}

function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * OTLP/HTTP's export of no spans (an empty ExportTraceServiceRequest, in its JSON form): 200 only
 * once the receiver listens and hands requests to the pipeline. Sends no span to the store.
 */
async function otlpReceiverAnswers(otlpHttpEndpoint: string): Promise<boolean> {
  return fetch(`${otlpHttpEndpoint}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  }).then(
    (response) => response.ok,
    () => false,
  );
}

/**
 * Starts Jaeger and waits (bounded) until both parts the tests use answer: the OTLP/HTTP receiver
 * the services export to, and the query API the tests read. The query API alone is not enough: it
 * is an extension, and the collector (go.opentelemetry.io/collector/service, Service.Start) starts
 * every extension before the pipelines, the receivers last, so `/api/services` answers 200 while
 * the OTLP port still refuses connections (polled in a tight loop: the query API first in 19 of
 * 20 starts, 1-71 ms before the receiver; docs/performance.md section 44). Spans exported then are lost and the trace never appears.
 */
export async function startJaeger(readyTimeoutMs = 60_000): Promise<RunningJaeger> {
  const binary = jaegerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-jaeger-'));
  // This process's own loopback address: another jest worker's OS-chosen ports never land on it.
  const host = loopbackHost();
  const [otlpGrpc, otlpHttp, query, queryGrpc, health] = (await freePorts(5, host)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const configFile = join(dir, 'jaeger.yaml');
  writeFileSync(configFile, configYaml({ host, otlpGrpc, otlpHttp, query, queryGrpc, health }));
  const logFd = openSync(join(dir, 'jaeger.log'), 'a');
  const child = spawn(binary, ['--config', configFile], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const queryUrl = `http://${host}:${query}`;
  const otlpHttpEndpoint = `http://${host}:${otlpHttp}`;
  const stop = async (): Promise<void> => {
    await stopChild(child, 5_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`jaeger exited with ${child.exitCode} before answering (config ${configFile})`);
    }
    const queryOk = await fetch(`${queryUrl}/api/services`).then(
      (response) => response.ok,
      () => false,
    );
    const otlpOk = queryOk && (await otlpReceiverAnswers(otlpHttpEndpoint));
    if (otlpOk) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `jaeger did not serve within ${readyTimeoutMs} ms (query API ${queryOk ? 'up' : 'down'}, ` +
          `OTLP/HTTP receiver down; config ${configFile})`,
      );
    }
    await sleep(200);
  }
  return {
    otlpHttpEndpoint,
    queryUrl,
    pid: child.pid!,
    trace: async (traceId) => {
      const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`GET /api/traces/${traceId}: HTTP ${response.status}`);
      const body = (await response.json()) as { data?: JaegerTrace[] };
      return body.data?.[0];
    },
    stop,
  };
}

/** A tag's value, or undefined. */
export function tagOf(span: JaegerSpan, key: string): JaegerTag['value'] | undefined {
  return span.tags.find((tag) => tag.key === key)?.value;
}

/**
 * The span's parent, or undefined for a root. Jaeger puts the OTLP parent first among a span's
 * references, as CHILD_OF; when the span also links to its parent (a batch span links to every
 * record, the first one included), its translator keeps one reference and gives it the link's
 * type, FOLLOWS_FROM. Either way the parent is the first reference within the span's own trace
 * (a root's links all point into other traces).
 */
export function parentOf(span: JaegerSpan): string | undefined {
  const first = span.references[0];
  return first !== undefined && first.traceID === span.traceID ? first.spanID : undefined;
}

/** The trace as an indented tree: name, kind, service, broker, links. */
export function spanTree(trace: JaegerTrace): string {
  const children = new Map<string | undefined, JaegerSpan[]>();
  const ids = new Set(trace.spans.map((span) => span.spanID));
  for (const span of trace.spans) {
    const parent = parentOf(span);
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    const spans = (children.get(parent) ?? []).sort((a, b) => a.startTime - b.startTime);
    for (const span of spans) {
      const broker = tagOf(span, 'sluice.broker.id');
      const links = span.references.filter((reference) => reference.refType === 'FOLLOWS_FROM').length;
      lines.push(
        `${'  '.repeat(depth)}${span.operationName} [${tagOf(span, 'span.kind') ?? 'internal'}] ` +
          `${trace.processes[span.processID]?.serviceName ?? '?'}` +
          `${broker === undefined ? '' : ` broker=${broker}`}` +
          `${links === 0 ? '' : ` links=${links}`} ${(span.duration / 1_000).toFixed(2)} ms`,
      );
      walk(span.spanID, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
