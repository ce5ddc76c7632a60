/**
 * Tracing end to end with real parts only: Jaeger v2 (built from the Go module proxy by
 * scripts/build-jaeger.sh, started on loopback) receives OTLP from a LocalCluster of one
 * controller and three brokers (OTEL_* in their environment) and from the `sluice` CLI run as
 * child processes: `produce --trace` writes traced records to a topic with replication factor 3
 * (acks=all) and prints their trace ids; `consume --trace --json` reads them back, shows each
 * record's trace id and wraps printing in a process span. Jaeger's `GET /api/traces/<id>` must then
 * hold, in the trace of the batch's first record: the producer's create (root) and send, the
 * leader's append, each follower's replication (the two other brokers), the high-watermark
 * advance, and the consumer's receive and process, with their kinds, each a child of the create
 * span, and the batch spans linked to the records. The span tree is printed.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LocalCluster } from '@sluice/local-cluster';
import {
  startJaeger,
  parentOf,
  spanTree,
  tagOf,
  type JaegerSpan,
  type JaegerTrace,
  type RunningJaeger,
} from './jaeger';
import { leaderOf, startSluice } from './local-sluice';

jest.setTimeout(25 * 60_000);

const CLI_MAIN = join(__dirname, '../../packages/cli/dist/main.js');
const TOPIC = 'traced-orders';
const RECORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

interface CliRun {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs the CLI as its own process (its own OpenTelemetry SDK), bounded by `timeoutMs`, killed by pid past it. */
function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  input: string,
  timeoutMs = 60_000,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} did not finish in ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    child.stdin.end(input);
  });
}

describe('a traced record through three brokers, in Jaeger', () => {
  let jaeger: RunningJaeger | undefined;
  let cluster: LocalCluster | undefined;
  let otelEnv: Record<string, string>;

  beforeAll(async () => {
    jaeger = await startJaeger();
    otelEnv = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      // Export within a fraction of a second, so the test waits little for the batch processor.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    cluster = await startSluice({
      name: 'tracing',
      env: otelEnv,
      coordinatorConfig: { 'offsets.topic.num.partitions': 3, 'group.consumer.heartbeat.interval.ms': 300 },
    });
    await cluster.admin.createTopic({ name: TOPIC, numPartitions: 1, replicationFactor: 3 });
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
    await jaeger?.stop();
  });

  it('holds send, append, both replications, the high-watermark advance, receive and process in one trace', async () => {
    const bootstrap = cluster!.controllers.addresses().join(',');
    const produced = await runCli(
      ['produce', TOPIC, '--bootstrap', bootstrap, '--trace', '--json', '--acks', 'all', '--linger-ms', '200'],
      otelEnv,
      `${RECORDS.join('\n')}\n`,
    );
    expect({ code: produced.code, err: produced.err }).toEqual({ code: 0, err: '' });
    const lines = produced.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const traced = lines.filter((line) => 'traceId' in line) as { traceId: string; offset: number }[];
    expect(traced).toHaveLength(RECORDS.length);
    expect(traced.every((line) => /^[0-9a-f]{32}$/.test(line.traceId))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ records: RECORDS.length, failed: 0 });

    const consumed = await runCli(
      [
        'consume',
        TOPIC,
        '--bootstrap',
        bootstrap,
        '--from-beginning',
        '--count',
        String(RECORDS.length),
        '--json',
        '--trace',
        '--timeout-ms',
        '20000',
      ],
      otelEnv,
      '',
    );
    expect(consumed.code).toBe(0);
    const records = consumed.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { offset: number; value: string; traceId?: string });
    expect(records.map((record) => record.value)).toEqual(RECORDS);
    // `consume --json` shows the trace each record was created in: the ones `produce --trace` printed.
    const byOffset = new Map(traced.map((line) => [line.offset, line.traceId]));
    for (const record of records) expect(record.traceId).toBe(byOffset.get(record.offset));

    const leader = await leaderOf(cluster!, TOPIC, 0);
    const traceId = byOffset.get(0)!;
    const wanted = ['create', 'send', 'append', 'hw_advance', 'receive', 'process'].map((op) => `${op} ${TOPIC}`);
    let trace: JaegerTrace | undefined;
    const deadline = Date.now() + 30_000;
    for (;;) {
      trace = await jaeger!.trace(traceId);
      const names = trace?.spans.map((span) => span.operationName) ?? [];
      const complete =
        wanted.every((name) => names.includes(name)) &&
        names.filter((name) => name === `replicate ${TOPIC}`).length === 2;
      if (complete) break;
      if (Date.now() > deadline) throw new Error(`trace ${traceId} incomplete after 30 s: ${JSON.stringify(names)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const spans = trace!.spans;
    const tree = spanTree(trace!);
    if (process.env.SLUICE_TEST_DUMP_TRACE) process.stdout.write(`${JSON.stringify(trace, null, 1)}\n`);
    process.stdout.write(`\nJaeger trace ${traceId} (GET /api/traces/${traceId}):\n${tree}\n\n`);

    const one = (operation: string): JaegerSpan => {
      const matching = spans.filter((span) => span.operationName === `${operation} ${TOPIC}`);
      expect([operation, matching.length]).toEqual([operation, 1]);
      return matching[0]!;
    };
    const service = (span: JaegerSpan): string | undefined => trace!.processes[span.processID]?.serviceName;
    const create = one('create');
    expect(tagOf(create, 'span.kind')).toBe('producer');
    expect(parentOf(create)).toBeUndefined();
    expect(service(create)).toBe('sluice-cli');
    const expected: [string, string, string][] = [
      ['send', 'client', 'sluice-cli'],
      ['append', 'server', 'sluice-broker'],
      ['hw_advance', 'internal', 'sluice-broker'],
      ['receive', 'client', 'sluice-cli'],
      ['process', 'consumer', 'sluice-cli'],
    ];
    for (const [operation, kind, serviceName] of expected) {
      const span = one(operation);
      // Jaeger leaves span.kind off internal spans.
      expect([operation, tagOf(span, 'span.kind') ?? 'internal', service(span), parentOf(span)]).toEqual([
        operation,
        kind,
        serviceName,
        create.spanID,
      ]);
      expect(tagOf(span, 'messaging.system')).toBe('kafka');
    }
    const replications = spans.filter((span) => span.operationName === `replicate ${TOPIC}`);
    expect(replications.map((span) => [tagOf(span, 'span.kind'), service(span), parentOf(span)])).toEqual([
      ['consumer', 'sluice-broker', create.spanID],
      ['consumer', 'sluice-broker', create.spanID],
    ]);
    expect(replications.map((span) => tagOf(span, 'sluice.broker.id')).sort()).toEqual(
      [1, 2, 3].filter((id) => id !== leader),
    );
    expect(tagOf(one('append'), 'sluice.broker.id')).toBe(leader);
    expect(tagOf(one('hw_advance'), 'sluice.broker.id')).toBe(leader);
    // The batch spans link to every record's creation context (other records' traces included).
    const allTraces = new Set(traced.map((line) => line.traceId));
    for (const operation of ['send', 'append', 'hw_advance', 'receive']) {
      const linked = new Set(
        one(operation)
          .references.filter((reference) => reference.refType === 'FOLLOWS_FROM')
          .map((reference) => reference.traceID),
      );
      expect([operation, [...allTraces].filter((id) => !linked.has(id))]).toEqual([operation, []]);
    }
    for (const span of replications)
      expect(span.references.filter((reference) => reference.refType === 'FOLLOWS_FROM').length).toBe(RECORDS.length);
    // Every service exported: the controller's spans are the brokers' RPCs to it (heartbeats).
    const services = (await fetch(`${jaeger!.queryUrl}/api/services`).then((r) => r.json())) as { data: string[] };
    expect(services.data).toEqual(expect.arrayContaining(['sluice-broker', 'sluice-controller', 'sluice-cli']));
  });

  it("traces a consumer group's heartbeats and commits in the coordinator", async () => {
    const consumed = await runCli(
      [
        'consume',
        TOPIC,
        '--bootstrap',
        cluster!.controllers.addresses().join(','),
        '--coordinators',
        cluster!.coordinators.addresses().join(','),
        '--group',
        'traced-group',
        '--from-beginning',
        '--count',
        String(RECORDS.length),
        '--json',
        '--trace',
        '--timeout-ms',
        '20000',
      ],
      otelEnv,
      '',
    );
    expect({ code: consumed.code, records: consumed.out.trim().split('\n').length }).toEqual({
      code: 0,
      records: RECORDS.length,
    });
    const wanted = ['heartbeat traced-group', 'commit traced-group', 'sluice.v1.Coordinator/ConsumerGroupHeartbeat'];
    const deadline = Date.now() + 30_000;
    let operations: string[] = [];
    while (!wanted.every((name) => operations.includes(name))) {
      if (Date.now() > deadline) throw new Error(`coordinator operations after 30 s: ${JSON.stringify(operations)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const answer = await fetch(`${jaeger!.queryUrl}/api/services/sluice-coordinator/operations`);
      operations = answer.ok ? (((await answer.json()) as { data: string[] | null }).data ?? []) : [];
    }
    expect(operations).toEqual(expect.arrayContaining(wanted));
  });
});
