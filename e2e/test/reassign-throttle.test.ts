/**
 * The replication throttle on real processes (Kafka's leader/follower.replication.throttled.rate
 * and .replicas, set by `sluice topic reassign --execute --throttle`): one controller and two
 * brokers. Two single-replica topics on the first broker hold the same 32 MiB. One is moved to the
 * second broker without a throttle (the baseline); the other with `--throttle` at 3 MiB/s, raised
 * to 5 MiB/s by a second `--execute` while it runs. The throttled copy must take at least what the
 * rates allow (less one read of slack), at most a small multiple of it, and clearly longer than the
 * baseline; the configs and the brokers' rate gauges say what was set; `--verify` removes it all
 * once complete; every byte arrives. Meanwhile an idempotent acks=all producer writes to a topic
 * replicated on both brokers: its follower shares the fetcher (and the fetch requests) of the
 * throttled partition, is in sync, and must never stall; the history checker judges it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumer, Producer } from '@sluice/client';
import { checkHistory, describeVerdict, LocalCluster, sleep, waitFor, Workload } from '@sluice/local-cluster';
import { ExitCode, runCli } from '../../packages/cli/src';

jest.setTimeout(120_000);

const MIB = 1024 * 1024;
const RECORD_BYTES = 16 * 1024;
const TOPIC_BYTES = 32 * MIB;
const RECORDS = TOPIC_BYTES / RECORD_BYTES;
const FIRST_RATE = 3 * MIB;
const SECOND_RATE = 5 * MIB;
/** When the rate goes up, in ms after the throttled move starts. */
const RAISE_AFTER_MS = 2_000;

async function sluice(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

/** One sample of a broker's series with `side`, or undefined when it has none. */
async function sideSample(metricsAddress: string, name: string, side: string): Promise<number | undefined> {
  const text = await (await fetch(`http://${metricsAddress}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(`side="${side}"`)) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

/** Writes RECORDS incompressible records to partition 0 of `topic`; returns the digest of the values in order. */
async function fill(bootstrap: string, topic: string): Promise<string> {
  const producer = new Producer({ bootstrap, acks: 'all', lingerMs: 5, batchSizeBytes: 512 * 1024 });
  const digest = createHash('sha256');
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const value = randomBytes(RECORD_BYTES);
    digest.update(value);
    sends.push(producer.send({ topic, partition: 0, value }));
    if (sends.length >= 256) await Promise.all(sends.splice(0));
  }
  await Promise.all(sends);
  await producer.close();
  return digest.digest('hex');
}

/** Reads partition 0 of `topic` from the start: the record count and the digest of the values. */
async function readAll(bootstrap: string, topic: string): Promise<{ records: number; digest: string }> {
  const consumer = new Consumer({ bootstrap, autoOffsetReset: 'earliest', maxPartitionFetchBytes: 4 * MIB });
  const digest = createHash('sha256');
  let records = 0;
  try {
    consumer.assign([{ topic, partition: 0 }]);
    const deadline = Date.now() + 30_000;
    while (records < RECORDS && Date.now() < deadline) {
      for (const record of await consumer.poll(500)) {
        records++;
        digest.update(record.value ?? Buffer.alloc(0));
      }
    }
  } finally {
    await consumer.close();
  }
  return { records, digest: digest.digest('hex') };
}

describe('sluice topic reassign --throttle', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.create({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-reassign-throttle-')),
      roles: {
        controller: { count: 1 },
        broker: {
          count: 2,
          config: { 'broker.heartbeat.interval.ms': 200, 'replica.fetch.wait.max.ms': 200 },
        },
        coordinator: { count: 0 },
      },
    });
    await cluster.start();
    await cluster.waitForUnfencedBrokers(60_000);
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  it('copies at the rate set (and updated), never stalls in-sync followers, and --verify removes it', async () => {
    const { admin, brokers } = cluster;
    const [first, second] = brokers.nodeIds as [number, number];
    const bootstrap = brokers.addresses().join(',');
    const cli = ['--bootstrap', cluster.controllers.addresses().join(',')];
    await admin.createTopic({ name: 'baseline', assignments: { 0: [first] } });
    await admin.createTopic({ name: 'throttled', assignments: { 0: [first] } });
    await admin.createTopic({
      name: 'live',
      assignments: { 0: [first, second] },
      configs: { 'min.insync.replicas': '2' },
    });
    const [baselineDigest, throttledDigest] = [await fill(bootstrap, 'baseline'), await fill(bootstrap, 'throttled')];

    const planFile = (topic: string): string => {
      const path = join(cluster.baseDir, `${topic}.json`);
      writeFileSync(path, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, replicas: [second] }] }));
      return path;
    };
    const moved = async (topic: string): Promise<boolean> =>
      (await admin.listPartitionReassignments([{ topic, partitions: [0] }])).length === 0;

    // The baseline: the same bytes, no throttle.
    const baselinePlan = planFile('baseline');
    let started = Date.now();
    expect((await sluice('topic', 'reassign', '--execute', '--plan-file', baselinePlan, ...cli)).code).toBe(
      ExitCode.OK,
    );
    await waitFor('the unthrottled move complete', () => moved('baseline'), 60_000, 50);
    const baselineMs = Date.now() - started;

    // The throttled move, under acks=all writes to a partition whose in-sync follower shares the fetcher.
    const workload = Workload.start({ bootstrap, topic: 'live', partitions: 1 });
    await waitFor('writes before the throttled move', () => workload.acknowledged > 200, 30_000);
    const throttledPlan = planFile('throttled');
    started = Date.now();
    const executed = await sluice(
      'topic',
      'reassign',
      '--execute',
      '--plan-file',
      throttledPlan,
      '--throttle',
      String(FIRST_RATE),
      ...cli,
    );
    expect(executed.err).toBe('');
    expect(executed.code).toBe(ExitCode.OK);
    expect(executed.out).toContain(`Throttle: topic throttled leader.replication.throttled.replicas=0:${first}\n`);
    expect(executed.out).toContain(`Throttle: topic throttled follower.replication.throttled.replicas=0:${second}\n`);
    expect(executed.out).toContain(
      `leader.replication.throttled.rate=${FIRST_RATE} and follower.replication.throttled.rate=${FIRST_RATE} (bytes/s) on brokers ${[first, second].sort((a, b) => a - b).join(',')}`,
    );
    expect(executed.out).toContain('Started 1 of 1 partition reassignments.');
    expect(await admin.describeTopicConfigs('throttled')).toMatchObject({
      'leader.replication.throttled.replicas': `0:${first}`,
      'follower.replication.throttled.replicas': `0:${second}`,
    });
    const ackedAtStart = workload.acknowledged;

    // A new --throttle on the running move raises the rate.
    await sleep(Math.max(0, started + RAISE_AFTER_MS - Date.now()));
    const raisedAtMs = Date.now() - started;
    expect(await moved('throttled')).toBe(false);
    const raised = await sluice(
      'topic',
      'reassign',
      '--execute',
      '--plan-file',
      throttledPlan,
      '--throttle',
      String(SECOND_RATE),
      ...cli,
    );
    expect(raised.code).toBe(ExitCode.OK);
    expect(raised.out).toContain(`leader.replication.throttled.rate=${SECOND_RATE}`);
    await waitFor(
      'the raised rate on both brokers',
      async () =>
        (await sideSample(
          brokers.metricsAddress(first),
          'sluice_broker_replication_throttled_rate_bytes',
          'leader',
        )) === SECOND_RATE &&
        (await sideSample(
          brokers.metricsAddress(second),
          'sluice_broker_replication_throttled_rate_bytes',
          'follower',
        )) === SECOND_RATE,
      30_000,
      50,
    );
    // The in-sync follower of `live` was never held: writes went on while the copy crawled.
    expect(await moved('throttled')).toBe(false);
    expect(workload.acknowledged).toBeGreaterThan(ackedAtStart + 100);

    await waitFor('the throttled move complete', () => moved('throttled'), 60_000, 50);
    const throttledMs = Date.now() - started;
    const ackedDuringMove = workload.acknowledged - ackedAtStart;

    // Bytes by time T are at most what the rates paid for plus one read (a second's worth at most).
    const minimumMs =
      raisedAtMs + ((TOPIC_BYTES - FIRST_RATE * (raisedAtMs / 1000) - SECOND_RATE) * 1000) / SECOND_RATE;
    const expectedMs = raisedAtMs + ((TOPIC_BYTES - FIRST_RATE * (raisedAtMs / 1000)) * 1000) / SECOND_RATE;
    process.stdout.write(
      `reassign-throttle: ${TOPIC_BYTES / MIB} MiB moved in ${baselineMs} ms unthrottled; throttled at ` +
        `${FIRST_RATE / MIB} MiB/s, raised to ${SECOND_RATE / MIB} MiB/s after ${raisedAtMs} ms: ${throttledMs} ms ` +
        `(the rates allow ${Math.round(expectedMs)} ms, at least ${Math.round(minimumMs)} ms); ` +
        `${ackedDuringMove} acks=all writes to the in-sync partition meanwhile\n`,
    );
    expect(throttledMs).toBeGreaterThanOrEqual(minimumMs - 250);
    expect(throttledMs).toBeLessThan(2 * expectedMs + 5_000);
    expect(baselineMs * 2).toBeLessThan(throttledMs);

    // The throttle did the holding back, on both sides.
    expect(
      await sideSample(brokers.metricsAddress(first), 'sluice_broker_replication_throttled_bytes_total', 'leader'),
    ).toBeGreaterThan(TOPIC_BYTES / 2);
    expect(
      await sideSample(brokers.metricsAddress(second), 'sluice_broker_replication_throttled_bytes_total', 'follower'),
    ).toBeGreaterThan(TOPIC_BYTES / 2);

    // --verify: complete, so the throttle goes.
    const verified = await sluice('topic', 'reassign', '--verify', '--plan-file', throttledPlan, ...cli);
    expect(verified.code).toBe(ExitCode.OK);
    expect(verified.out).toContain('throttled-0: complete');
    expect(verified.out).toContain('Throttle removed:');
    const configs = await admin.describeTopicConfigs('throttled');
    expect(configs['leader.replication.throttled.replicas']).toBeUndefined();
    expect(configs['follower.replication.throttled.replicas']).toBeUndefined();
    await waitFor(
      'no rate in force on either broker',
      async () => {
        for (const id of [first, second])
          for (const side of ['leader', 'follower'])
            if (
              (await sideSample(brokers.metricsAddress(id), 'sluice_broker_replication_throttled_rate_bytes', side)) !==
              undefined
            )
              return false;
        return true;
      },
      30_000,
      50,
    );

    // The rates by hand: the cluster-wide default (Kafka's <default>) and one broker's own, which wins.
    const rateOf = (id: number, side: string): Promise<number | undefined> =>
      sideSample(brokers.metricsAddress(id), 'sluice_broker_replication_throttled_rate_bytes', side);
    const defaults = await sluice(
      'cluster',
      'alter-config',
      '--broker-defaults',
      '--set',
      `leader.replication.throttled.rate=${FIRST_RATE}`,
      ...cli,
    );
    expect(defaults.out).toBe(
      `Altered configs of the broker defaults: leader.replication.throttled.rate=${FIRST_RATE}.\n`,
    );
    const own = await sluice(
      'cluster',
      'alter-config',
      '--broker',
      String(first),
      '--set',
      `leader.replication.throttled.rate=${SECOND_RATE}`,
      ...cli,
    );
    expect(own.code).toBe(ExitCode.OK);
    await waitFor(
      'the default on one broker, its own rate on the other',
      async () => (await rateOf(first, 'leader')) === SECOND_RATE && (await rateOf(second, 'leader')) === FIRST_RATE,
      30_000,
      50,
    );
    const refused = await sluice(
      'cluster',
      'alter-config',
      '--broker',
      String(first),
      '--set',
      'leader.replication.throttled.rate=fast',
      ...cli,
    );
    expect(refused.code).toBe(ExitCode.FAILURE);
    expect(refused.err).toContain('INVALID_CONFIG');
    expect(refused.err).toContain('leader.replication.throttled.rate');
    const badList = await sluice(
      'topic',
      'alter-config',
      'throttled',
      '--set',
      'follower.replication.throttled.replicas=0-2',
      ...cli,
    );
    expect(badList.code).toBe(ExitCode.FAILURE);
    expect(badList.err).toContain('INVALID_CONFIG');
    expect(badList.err).toContain('follower.replication.throttled.replicas');
    expect(await admin.describeTopicConfigs('throttled')).toEqual(configs);
    expect(await rateOf(first, 'leader')).toBe(SECOND_RATE);
    for (const target of [['--broker', String(first)], ['--broker-defaults']])
      expect(
        (await sluice('cluster', 'alter-config', ...target, '--delete', 'leader.replication.throttled.rate', ...cli))
          .code,
      ).toBe(ExitCode.OK);
    await waitFor(
      'the hand-set rates gone',
      async () => (await rateOf(first, 'leader')) === undefined && (await rateOf(second, 'leader')) === undefined,
      30_000,
      50,
    );

    // Nothing lost: both moved partitions read back whole from the new replica, which now leads.
    for (const [topic, digest] of [
      ['baseline', baselineDigest],
      ['throttled', throttledDigest],
    ] as const) {
      const partition = (await admin.describeTopic(topic)).partitions[0];
      expect(partition?.replicas).toEqual([second]);
      expect(partition?.leader).toBe(second);
      expect(await readAll(bootstrap, topic)).toEqual({ records: RECORDS, digest });
    }
    await workload.stop();
    const history = await workload.readBack(60_000);
    const verdict = checkHistory(history);
    process.stdout.write(`reassign-throttle: the in-sync partition's writes: ${describeVerdict(verdict)}\n`);
    expect(history.failed.map((f) => `${f.index}: ${f.error}`)).toEqual([]);
    expect(verdict.lost.examples).toEqual([]);
    expect(verdict.duplicated.examples).toEqual([]);
    expect(verdict.ok).toBe(true);
  });
});
