/**
 * sluice in the side-by-side bench: 3 controllers and 3 brokers as real processes on loopback
 * (LocalCluster), data under the run's directory in /tmp; topics through `Admin`; records through
 * `Producer` and `Consumer` of @sluice/client.
 * SLUICE_COMPARE_CPU_PROFILE=<dir> starts the brokers with the V8 profiler (cpu-profile-hook),
 * the controllers too, into <dir>/controller.
 */
import { join } from 'node:path';
import { ClientCredentialsTokenSource, Consumer, Producer } from '@sluice/client';
import type { ClientSecurity } from '@sluice/proto';
import { LocalCluster, waitFor } from '@sluice/local-cluster';
import type { LoadClients } from './compare-load';
import { createWaitMs, type RunningSystem } from './compare-procs';
import { cpuProfileEnv } from './cpu-profile-env';
import { LOAD_PROCESS_NODE_FLAGS } from './load-process-flags';

function controllerProfileDir(profileDir: string | undefined): string | undefined {
  return profileDir === undefined || profileDir === '' ? undefined : join(profileDir, 'controller');
}

/** The OpenID provider the secure rows take tokens from (e2e/oidc/issuer.mjs, its own process). */
export interface BenchIssuer {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly audience: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * `tracing`: OpenTelemetry on in every broker and in the load process's clients, with this OTEL_*
 * environment (the tracing rows); absent: off, as a cluster runs by default.
 * `secure`: TLS between every process and on every listener, bearer tokens from the issuer
 * (client credentials, the load's principal `User:<clientId>`) and ACLs (the secure rows).
 */
export async function startSluice(
  baseDir: string,
  replication: number,
  tracing?: { readonly percent: number; readonly env: Readonly<Record<string, string>> },
  secure?: BenchIssuer,
): Promise<RunningSystem> {
  const cluster = await LocalCluster.start(
    {
      baseDir,
      ...(secure === undefined
        ? {}
        : { security: { oauthBearer: { issuer: secure.issuer, audience: secure.audience } } }),
      roles: {
        controller: {
          count: 3,
          env: cpuProfileEnv(controllerProfileDir(process.env.SLUICE_COMPARE_CPU_PROFILE)),
        },
        broker: {
          config: { 'min.insync.replicas': Math.min(2, replication) },
          env: {
            ...cpuProfileEnv(process.env.SLUICE_COMPARE_CPU_PROFILE, process.env.SLUICE_COMPARE_HEAP_PROFILE === '1'),
            ...tracing?.env,
          },
        },
        coordinator: { count: 0 },
      },
    },
    { brokersTimeoutMs: 60_000 },
  );
  const admin = cluster.admin;
  if (secure !== undefined) {
    // The load's principal may produce and read the bench's topics and nothing else.
    const principal = `User:${secure.clientId}`;
    const created = await admin.createAcls([
      ...(['WRITE', 'READ', 'DESCRIBE'] as const).map((operation) => ({
        resourceType: 'TOPIC' as const,
        resourceName: 'cmp-',
        patternType: 'PREFIXED' as const,
        principal,
        operation,
      })),
      { resourceType: 'CLUSTER', resourceName: 'kafka-cluster', principal, operation: 'IDEMPOTENT_WRITE' },
    ]);
    const failed = created.find((result) => result.error !== undefined);
    if (failed !== undefined) {
      await cluster.stop();
      throw failed.error;
    }
  }
  return {
    name:
      secure !== undefined ? 'sluice secure' : tracing === undefined ? 'sluice' : `sluice tracing ${tracing.percent}%`,
    description:
      secure !== undefined
        ? 'sluice secure: the same cluster with TLS on every listener and between the processes (mutual TLS), SASL_SSL with client-credentials JWTs from a real OpenID provider (oidc-provider), and ACLs (StandardAuthorizer, the load principal holding prefixed ACLs)'
        : tracing === undefined
          ? `3 controllers + 3 brokers (node processes), min.insync.replicas=2, data in /tmp; the load process (@sluice/client) runs as node ${LOAD_PROCESS_NODE_FLAGS.join(' ')}`
          : `sluice tracing ${tracing.percent}%: the same cluster with OpenTelemetry in the brokers and clients (parentbased_traceidratio ${tracing.percent / 100}, OTLP http/protobuf to a discarding sink in the bench process)`,
    ...(tracing === undefined ? {} : { clientEnv: tracing.env }),
    connect: {
      bootstrap: cluster.brokers.addresses().join(','),
      ...(secure === undefined
        ? {}
        : {
            caFile: cluster.issued?.admin.caFile ?? '',
            tokenEndpoint: secure.tokenEndpoint,
            clientId: secure.clientId,
            clientSecret: secure.clientSecret,
          }),
    },
    serverPids: () => cluster.processes().map((running) => running.pid),
    async createTopic(name, partitions, rf, options) {
      const created = await admin.createTopic({
        name,
        numPartitions: partitions,
        replicationFactor: rf,
        configs: options?.durable === true ? { 'durable.acks.enable': 'true' } : {},
      });
      // Names are new in every run: TOPIC_ALREADY_EXISTS means a retried CreateTopics whose first
      // attempt went through (seen on a loaded machine).
      if (created.error !== undefined && created.error.errorName !== 'TOPIC_ALREADY_EXISTS') throw created.error;
      await waitFor(
        `${name}: every partition led with a full ISR`,
        async () => {
          const topic = await admin.describeTopic(name);
          return (
            topic.partitions.length === partitions &&
            topic.partitions.every((p) => p.leader >= 0 && p.isr.length === rf)
          );
        },
        createWaitMs(partitions),
        200,
      );
    },
    // SIGTERM first: profiled brokers write their profiles on a clean exit.
    stop: () => cluster.stop(),
  };
}

/** The secure rows' client side: TLS to the cluster's CA and a client-credentials token source. */
function securityOf(connect: Readonly<Record<string, string>>): { security?: ClientSecurity } {
  const { caFile, tokenEndpoint, clientId, clientSecret } = connect;
  if (caFile === undefined || tokenEndpoint === undefined || clientId === undefined || clientSecret === undefined)
    return {};
  return {
    security: {
      tls: { caFile },
      tokens: new ClientCredentialsTokenSource({ tokenEndpointUrl: tokenEndpoint, clientId, clientSecret }),
    },
  };
}

export const sluiceClients: LoadClients = {
  async producer(spec) {
    const producer = new Producer({
      bootstrap: spec.connect.bootstrap ?? '',
      ...securityOf(spec.connect),
      acks: spec.acks === 'leader' ? 1 : 'all',
      ...(spec.producerTuning?.batchSizeBytes === undefined
        ? {}
        : { batchSizeBytes: spec.producerTuning.batchSizeBytes }),
      ...(spec.producerTuning?.lingerMs === undefined ? {} : { lingerMs: spec.producerTuning.lingerMs }),
    });
    // send()'s own promise, not an async wrapper around it: one promise per record fewer.
    return {
      send: (partition, value) => producer.send({ topic: spec.topic, partition, value }),
      sendToAnyPartition: (value) => producer.send({ topic: spec.topic, value }),
      close: () => producer.close(),
    };
  },
  async consumer(spec, partitions, from) {
    const consumer = new Consumer({
      bootstrap: spec.connect.bootstrap ?? '',
      autoOffsetReset: from,
      ...securityOf(spec.connect),
    });
    const assignment = partitions.map((partition) => ({ topic: spec.topic, partition }));
    consumer.assign(assignment);
    if (from === 'latest') {
      // A tailing consumer must know its positions before the producers start.
      consumer.seekToEnd(assignment);
      for (const tp of assignment) await consumer.position(tp);
    } else {
      // A backlog read resolves its positions in its first poll, inside the timed read, as Kafka's
      // ConsumerPerformance looks its offsets up inside its fetch time.
      consumer.seekToBeginning(assignment);
    }
    return {
      poll: async () => (await consumer.poll(100)).map((record) => record.value ?? Buffer.alloc(0)),
      close: async () => consumer.close(),
    };
  },
};
