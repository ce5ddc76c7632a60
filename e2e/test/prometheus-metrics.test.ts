/**
 * The metrics and dashboards against a real Prometheus (Debian's 2.42; the suite installs
 * nothing, see prometheus.ts): a cluster of one controller, three brokers and three coordinators
 * under load (an acks=all producer on two topics, a consumer group committing, a share group
 * acknowledging) is scraped every second through a generated configuration, and:
 * - a broker killed -9 makes the under-replicated partitions > 0 within two scrape intervals of
 *   the cluster knowing (`replica.lag.time.max.ms` after the kill: before that the follower is not
 *   out of sync by definition), and 0 again after it returns;
 * - a consumer group's lag rises while its consumer is stopped, and falls when it resumes;
 * - every panel of every dashboard in deploy/grafana returns a non-empty series through
 *   Prometheus' HTTP API (`/api/v1/query`).
 * The check's output is printed (closing notes quote it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumer, Producer, ShareConsumer } from '../../packages/client/src';
import { DASHBOARDS, panelQueries } from '../../packages/dashboards/src';
import { sleep, waitFor, type LocalCluster } from '@sluice/local-cluster';
import { startSluice } from './local-sluice';
import { requirePrometheus, RunningPrometheus } from './prometheus';

jest.setTimeout(300_000);

const SCRAPE_INTERVAL_MS = 1_000;
const REPLICA_LAG_TIME_MAX_MS = 1_000;
/** What `$__rate_interval` stands for here: several scrapes, as Grafana would pick for a 1 s scrape. */
const RATE_WINDOW = '15s';
const ORDERS = 'orders';
const TASKS = 'tasks';
const GROUP = 'billing';
const SHARE_GROUP = 'crew';

interface Loop {
  running: boolean;
  done: Promise<void>;
}

describe('metrics and dashboards through a real Prometheus', () => {
  let cluster: LocalCluster | undefined;
  let prometheus: RunningPrometheus | undefined;
  let promDir: string;
  const loops: Loop[] = [];
  const closers: (() => Promise<void>)[] = [];
  const report: string[] = [];

  const loop = (body: () => Promise<void>): Loop => {
    const handle: Loop = { running: true, done: Promise.resolve() };
    handle.done = (async () => {
      while (handle.running) await body().catch(() => sleep(100));
    })();
    loops.push(handle);
    return handle;
  };
  const stopLoop = async (handle: Loop): Promise<void> => {
    handle.running = false;
    await handle.done;
  };

  beforeAll(async () => {
    report.push(`prometheus: ${requirePrometheus()}`);
    cluster = await startSluice({
      name: 'prometheus',
      controllerConfig: { 'broker.session.timeout.ms': 3_000 },
      brokerConfig: { 'replica.lag.time.max.ms': REPLICA_LAG_TIME_MAX_MS },
      coordinatorConfig: {
        'offsets.topic.num.partitions': 3,
        'share.coordinator.state.topic.num.partitions': 3,
        'group.consumer.heartbeat.interval.ms': 300,
        'group.consumer.session.timeout.ms': 6_000,
        'group.share.heartbeat.interval.ms': 300,
        'metrics.consumer.lag.interval.ms': 500,
      },
    });
    promDir = mkdtempSync(join(tmpdir(), 'sluice-prometheus-'));
    const jobs = (['controller', 'broker', 'coordinator'] as const).map((role) => ({
      job: `sluice-${role}`,
      targets: cluster!.role(role).nodeIds.map((id) => cluster!.role(role).metricsAddress(id)),
    }));
    prometheus = await RunningPrometheus.start({ dir: promDir, jobs, scrapeIntervalMs: SCRAPE_INTERVAL_MS });
    report.push(
      `scraping every ${SCRAPE_INTERVAL_MS} ms: ${jobs.map((j) => `${j.job} ${j.targets.join(' ')}`).join('; ')}`,
    );
  });

  afterAll(async () => {
    for (const handle of loops) handle.running = false;
    await Promise.all(loops.map((handle) => handle.done));
    for (const close of closers) await close().catch(() => undefined);
    await prometheus?.stop();
    await cluster?.stop({ removeBaseDir: true });
    if (promDir !== undefined) rmSync(promDir, { recursive: true, force: true });
    console.log(`Prometheus check\n${report.join('\n')}`);
  });

  it('sees a killed broker, a stopped consumer, and data behind every dashboard panel', async () => {
    const sluice = cluster!;
    const prom = prometheus!;
    const bootstrap = sluice.brokers.addresses().join(',');
    const coordinators = sluice.coordinators.addresses().join(',');
    await sluice.admin.createTopic({ name: ORDERS, numPartitions: 3, replicationFactor: 3 });
    await sluice.admin.createTopic({ name: TASKS, numPartitions: 2, replicationFactor: 3 });
    await waitFor('every target up', async () => (await prom.total('up')) === 7, 30_000, 250);

    // Load: acks=all records to both topics, ~200/s each, until the end.
    const producer = new Producer({ bootstrap, lingerMs: 5, acks: -1 });
    closers.push(() => producer.close());
    let sequence = 0;
    loop(async () => {
      const sends = [];
      for (let i = 0; i < 10; i++, sequence++) {
        const value = Buffer.from(`record-${sequence}`);
        sends.push(producer.send({ topic: ORDERS, key: Buffer.from(`k${sequence % 16}`), value }));
        sends.push(producer.send({ topic: TASKS, value }));
      }
      await Promise.allSettled(sends);
      await sleep(50);
    });
    const startConsumer = (): Loop => {
      const consumer = new Consumer({
        bootstrap,
        groupId: GROUP,
        coordinators,
        enableAutoCommit: false,
        autoOffsetReset: 'earliest',
        fetchMaxWaitMs: 200,
        requestTimeoutMs: 5_000,
      });
      consumer.subscribe([ORDERS]);
      const handle = loop(async () => {
        const records = await consumer.poll(200);
        if (records.length > 0) await consumer.commitSync();
      });
      const stop = handle.done;
      handle.done = stop.then(() => consumer.close()).catch(() => undefined);
      return handle;
    };
    let consumer = startConsumer();
    const shareConsumer = new ShareConsumer({ bootstrap, coordinators, groupId: SHARE_GROUP, fetchMaxWaitMs: 200 });
    shareConsumer.subscribe([TASKS]);
    closers.push(() => shareConsumer.close());
    loop(async () => {
      await shareConsumer.poll(200);
    });

    const urp = (): Promise<number> => prom.total('sum(sluice_broker_under_replicated_partitions)');
    await waitFor(
      'records flowing in and the group committing',
      async () => {
        const rate = await prom.total(`sum(rate(sluice_broker_topic_records_in_total{topic="${ORDERS}"}[5s]))`);
        const committed = await prom.query(`sluice_coordinator_consumer_group_lag{group="${GROUP}"}`);
        return rate > 0 && committed.length > 0;
      },
      60_000,
      500,
    );
    await waitFor('no under-replicated partition before the kill', async () => (await urp()) === 0, 30_000, 250);

    // A broker killed -9: its followers fall out of the ISR after replica.lag.time.max.ms.
    const victim = sluice.brokers.nodeIds[1]!;
    const killedAt = Date.now();
    await sluice.brokers.kill(victim, 'SIGKILL');
    const deadlineMs = REPLICA_LAG_TIME_MAX_MS + 2 * SCRAPE_INTERVAL_MS;
    await waitFor('under-replicated partitions > 0 after the kill', async () => (await urp()) > 0, 30_000, 100);
    const seenAfterMs = Date.now() - killedAt;
    report.push(
      `broker ${victim} killed -9: sum(sluice_broker_under_replicated_partitions) = ${await urp()} after ${seenAfterMs} ms (bound: replica.lag.time.max.ms ${REPLICA_LAG_TIME_MAX_MS} + 2 scrapes = ${deadlineMs} ms)`,
    );
    expect(seenAfterMs).toBeLessThanOrEqual(deadlineMs);
    sluice.brokers.start(victim);
    const restartedAt = Date.now();
    await waitFor(
      'under-replicated partitions back to 0 after the restart',
      async () => (await urp()) === 0,
      60_000,
      250,
    );
    report.push(`broker ${victim} restarted: under-replicated partitions 0 again after ${Date.now() - restartedAt} ms`);

    // The group's consumer stops: its lag grows with the producer; it resumes: the lag falls.
    const lag = (): Promise<number> => prom.total(`sum(sluice_coordinator_consumer_group_lag{group="${GROUP}"})`);
    await stopLoop(consumer);
    await sleep(2 * SCRAPE_INTERVAL_MS);
    const lagAtStop = await lag();
    await waitFor(
      'lag rising while the consumer is stopped',
      async () => (await lag()) >= lagAtStop + 200,
      30_000,
      250,
    );
    const lagPeak = await lag();
    report.push(`consumer of ${GROUP} stopped: lag ${lagAtStop} -> ${lagPeak} records`);
    consumer = startConsumer();
    await waitFor('lag falling once the consumer resumes', async () => (await lag()) <= lagPeak / 4, 60_000, 250);
    report.push(`consumer of ${GROUP} resumed: lag ${await lag()} records`);

    // Every panel's PromQL, as Grafana would send it, returns a series.
    const empty: string[] = [];
    for (const spec of DASHBOARDS) {
      for (const panel of panelQueries(spec.file, spec.build())) {
        const expr = panel.expr.replaceAll('$__rate_interval', RATE_WINDOW);
        const samples = await prom.query(expr);
        report.push(
          `${samples.length > 0 ? 'ok   ' : 'EMPTY'} ${spec.file} / ${panel.panel}: ${samples.length} series  ${expr}`,
        );
        if (samples.length === 0) empty.push(`${spec.file} / ${panel.panel}: ${expr}`);
      }
    }
    expect(empty).toEqual([]);
  });
});
