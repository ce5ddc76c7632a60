/**
 * The e2e suite's cluster: a LocalCluster of one controller, three brokers
 * (min.insync.replicas 2) and, when a test gives coordinator configuration, one group
 * coordinator per broker, in a fresh temp directory. Stop it with
 * `stop({ removeBaseDir: true })`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster, type Settings } from '@sluice/local-cluster';

export interface SluiceOptions {
  /** The data directory's prefix under the OS temp dir. */
  readonly name: string;
  readonly brokerConfig?: Settings;
  /** Extra environment of every broker process (e.g. the fsync journal of the power-loss test). */
  readonly brokerEnv?: Readonly<Record<string, string>>;
  /** Coordinators are started only when this is given. */
  readonly coordinatorConfig?: Settings;
  /** E.g. a short `broker.session.timeout.ms` for tests that kill brokers (default: Kafka's 9000). */
  readonly controllerConfig?: Settings;
  /** Extra environment for every service process (e.g. OTEL_* to export traces). */
  readonly env?: Readonly<Record<string, string>>;
}

export function startSluice(options: SluiceOptions, baseDir?: string): Promise<LocalCluster> {
  return LocalCluster.start({
    baseDir: baseDir ?? mkdtempSync(join(tmpdir(), `sluice-${options.name}-`)),
    roles: {
      controller: { count: 1, config: options.controllerConfig ?? {}, env: options.env ?? {} },
      broker: {
        config: { 'broker.heartbeat.interval.ms': 200, 'min.insync.replicas': 2, ...options.brokerConfig },
        env: { ...options.env, ...options.brokerEnv },
      },
      coordinator:
        options.coordinatorConfig === undefined
          ? { count: 0 }
          : { config: options.coordinatorConfig, env: options.env ?? {} },
    },
  });
}

/** The leader broker of a partition, from the controller's metadata. */
export async function leaderOf(cluster: LocalCluster, topic: string, partition: number): Promise<number> {
  const described = await cluster.admin.describeTopic(topic);
  const found = described.partitions.find((p) => p.partition === partition);
  if (found === undefined) throw new Error(`${topic} has no partition ${partition}`);
  return found.leader;
}
