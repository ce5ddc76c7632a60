/**
 * Fuzzing every RPC against real servers: a controller, a broker and its group coordinator run
 * as processes on loopback, and every method of every service they serve (Broker, Controller,
 * Coordinator, RaftPeer, and grpc.health.v1 on each) gets, from fast-check:
 * - generated requests: messages built from the loaded descriptors, field by field (fuzz/contract.ts);
 * - mutated requests: valid encodings with bits flipped, bytes cut, inserted, repeated, overlong varints;
 * - random bytes.
 * Client streams get one to three messages, server streams are read for a moment and cancelled.
 *
 * Every outcome must be an answer that decodes and names only Kafka errors, or a refusal with a
 * Kafka error name (fuzz/raw-call.ts); UNKNOWN_SERVER_ERROR, a nameless status, an undecodable
 * answer or a dead process fail the run with its seed. A refused request (a whole-request error,
 * or an answer whose every item is an error) must change nothing: the controller's metadata
 * offset, the cluster and topics it describes, and the start and end offset of every partition
 * on the broker (the coordinator keeps its state in its internal topics there) are the same after
 * it as before.
 *
 * Fixed seed in CI; SLUICE_FUZZ_SEED=<n> and SLUICE_FUZZ_RUNS=<runs per RPC and kind> hunt.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { LocalCluster, sleep } from '@sluice/local-cluster';
import { CompressionType, encodeRecordBatch } from '../../packages/protocol/src';
import { contractPackageDefinition, createGrpcClient, unaryCall } from '../../packages/proto/src';
import type * as pb from '../../packages/proto/src';
import { Producer } from '../../packages/client/src';
import { encodeRaftMessage } from '../../services/controller/src/raft/message-codec';
import { ArbitraryFactory, contractRpcs, mutatedBytes, type ContractRpc, type FuzzPools } from './fuzz/contract';
import { rawCall, type AnyClient, type Outcome } from './fuzz/raw-call';

jest.setTimeout(900_000);

const SEED = Number(process.env.SLUICE_FUZZ_SEED ?? 18);
const RUNS = Number(process.env.SLUICE_FUZZ_RUNS ?? 4);
const TOPIC = 'fuzz-topic';
const GROUP = 'fuzz-group';
const CALL = { timeoutMs: 3_000, streamReadMs: 300, maxMessages: 20 } as const;

type Kind = 'generated' | 'mutated' | 'random';
const KINDS: readonly Kind[] = ['generated', 'mutated', 'random'];

/** A per-(RPC, kind) seed: independent streams, all replayable from SLUICE_FUZZ_SEED. */
function seedFor(path: string, kind: Kind): number {
  let hash = SEED | 0;
  for (const ch of `${path}#${kind}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  return hash | 0;
}

interface Tally {
  calls: number;
  answered: number;
  refused: Map<string, number>;
  waiting: number;
  stateChecks: number;
}

describe('every RPC under generated, mutated and random requests', () => {
  let cluster: LocalCluster;
  let factory: ArbitraryFactory;
  const clients = new Map<string, AnyClient>();
  const tallies = new Map<string, Tally>();

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-rpc-fuzz-')),
      roles: {
        controller: { count: 1 },
        broker: {
          count: 1,
          config: {
            'broker.heartbeat.interval.ms': 200,
            'min.insync.replicas': 1,
            'group.share.record.lock.duration.ms': 3_600_000,
          },
        },
        coordinator: {
          config: {
            'offsets.topic.replication.factor': 1,
            'offsets.topic.num.partitions': 3,
            'share.coordinator.state.topic.num.partitions': 3,
            'share.coordinator.state.topic.min.isr': 1,
            // Nothing changes on its own while the fuzzer compares states.
            'group.consumer.session.timeout.ms': 3_600_000,
            'group.share.session.timeout.ms': 3_600_000,
          },
        },
      },
    });
    await cluster.admin.createTopic({ name: TOPIC, numPartitions: 3, replicationFactor: 1 });
    const producer = new Producer({ bootstrap: cluster.brokers.addresses(), acks: 'all' });
    try {
      for (let i = 0; i < 30; i++) await producer.send({ topic: TOPIC, key: `k${i}`, value: `v${i}` });
    } finally {
      await producer.close();
    }
    const topicId = (await cluster.admin.describeTopic(TOPIC)).topicId;
    const batch = encodeRecordBatch({
      compression: CompressionType.None,
      records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: Date.now() }],
    });
    const pools: FuzzPools = {
      strings: [
        TOPIC,
        GROUP,
        topicId,
        cluster.clusterId,
        '__consumer_offsets',
        '__share_group_state',
        'PLAINTEXT',
        '127.0.0.1',
        'SET',
        'DELETE',
        'APPEND',
        'PREFERRED',
        'UNCLEAN',
        'topic',
        'broker',
        'cluster',
        'uniform',
        'range',
        'retention.ms',
        'cleanup.policy',
        'min.insync.replicas',
        'compact',
        '1000',
        'sluice.v1.Broker',
        'sluice.v1.Controller',
        'sluice.v1.Coordinator',
        'AAAAAAAAAAAAAAAAAAAAAA',
        `${GROUP}:${TOPIC}:0`,
      ],
      // Node ids, partitions, epochs near the live ones. The brokers' real epoch is left out:
      // a fuzzed heartbeat or shutdown in its name would fence the broker under test.
      int32s: [0, 1, 2, 3, -1, 5],
      int64s: ['0', '5', '10', '29', '30', '-1', '-2'],
      payloads: [
        batch,
        Buffer.concat([batch, batch]),
        encodeRaftMessage({ type: 'heartbeat', from: 2, to: 1, term: 1, commit: 0 }),
      ],
    };
    factory = new ArbitraryFactory(contractPackageDefinition(), pools);
  });

  afterAll(async () => {
    for (const client of clients.values()) client.close();
    const rows = [...tallies.entries()].map(([target, t]) => {
      const refused = [...t.refused.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([name, n]) => `${name} ${n}`)
        .join(', ');
      return `  ${target}: ${t.calls} calls, ${t.answered} answered, ${[...t.refused.values()].reduce((a, b) => a + b, 0)} refused (${refused}), ${t.waiting} still waiting at the deadline (long polls), ${t.stateChecks} unchanged-state checks`;
    });
    process.stdout.write(
      `rpc-fuzz: seed ${SEED} (SLUICE_FUZZ_SEED), ${RUNS} runs per RPC and kind (SLUICE_FUZZ_RUNS), 0 findings\n${rows.join('\n')}\n`,
    );
    await cluster?.stop({ removeBaseDir: true });
  });

  const clientFor = (address: string): AnyClient => {
    let client = clients.get(address);
    if (client === undefined) clients.set(address, (client = createGrpcClient('Broker', address)));
    return client;
  };

  /** Every process still running (a crash is a finding). */
  function alive(): string[] {
    const dead: string[] = [];
    for (const role of [cluster.controllers, cluster.brokers, cluster.coordinators])
      for (const id of role.nodeIds) if (!role.isRunning(id)) dead.push(`${role.role} ${id} (see ${role.logFile(id)})`);
    return dead;
  }

  /** The state a refused request must leave alone, once the broker has applied all committed metadata. */
  async function state(): Promise<string> {
    const controller = cluster.controllers.address(cluster.controllers.nodeIds[0]!);
    const broker = cluster.brokers.address(cluster.brokers.nodeIds[0]!);
    const described = await unaryCall(
      createGrpcClientCached('Controller', controller),
      'DescribeCluster',
      {},
      { timeoutMs: 5_000 },
    );
    // The broker catches up with the controller (bounded), so the offsets below are settled.
    for (let waited = 0; waited < 2_000; waited += 20) {
      const metadata = await unaryCall(
        createGrpcClientCached('Broker', broker),
        'Metadata',
        { topics: ['__none__'] },
        { timeoutMs: 5_000 },
      );
      if (BigInt(metadata.metadataOffset) >= BigInt(described.metadataOffset)) break;
      await sleep(20);
    }
    const topics: pb.TopicDescription__Output[] = [];
    let cursor: pb.TopicPartitionCursor__Output | null = null;
    do {
      const page: pb.DescribeTopicsResponse__Output = await unaryCall(
        createGrpcClientCached('Controller', controller),
        'DescribeTopics',
        { names: [], cursor, responsePartitionLimit: 10_000 },
        { timeoutMs: 5_000 },
      );
      topics.push(...page.topics);
      cursor = page.nextCursor;
    } while (cursor !== null);
    const offsets: string[] = [];
    for (const timestamp of [-2, -1]) {
      const answer = await unaryCall(
        createGrpcClientCached('Broker', broker),
        'ListOffsets',
        {
          topics: topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partition: p.partition, timestamp, currentLeaderEpoch: -1 })),
          })),
        },
        { timeoutMs: 5_000 },
      );
      for (const t of answer.topics)
        for (const p of t.partitions) offsets.push(`${t.name}-${p.partition}@${timestamp}:${p.errorName}${p.offset}`);
    }
    return JSON.stringify({
      metadataOffset: described.metadataOffset,
      brokers: described.brokers.map((b) => [b.brokerId, b.brokerEpoch, b.fenced]),
      topics: topics.map((t) => [
        t.name,
        t.topicId,
        t.configs,
        t.partitions.map((p) => [p.leader, p.leaderEpoch, p.isr]),
      ]),
      offsets: offsets.sort(),
    });
  }

  const typedClients = new Map<string, unknown>();
  function createGrpcClientCached<N extends 'Broker' | 'Controller'>(
    service: N,
    address: string,
  ): ReturnType<typeof createGrpcClient<N>> {
    const key = `${service}@${address}`;
    let client = typedClients.get(key);
    if (client === undefined) typedClients.set(key, (client = createGrpcClient(service, address)));
    return client as ReturnType<typeof createGrpcClient<N>>;
  }
  afterAll(() => {
    for (const client of typedClients.values()) (client as { close(): void }).close();
  });

  /** Requests of one RPC and kind, as the raw bytes of each message (several for a client stream). */
  function requestsOf(rpc: ContractRpc, kind: Kind): fc.Arbitrary<Buffer[]> {
    const encoded = factory.message(rpc.requestType).map((message) => rpc.serialize(message));
    const one: fc.Arbitrary<Buffer> =
      kind === 'generated'
        ? encoded
        : kind === 'mutated'
          ? mutatedBytes(encoded)
          : fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes));
    return rpc.requestStream ? fc.array(one, { minLength: 1, maxLength: 3 }) : one.map((bytes) => [bytes]);
  }

  const targets: { readonly server: 'controller' | 'broker' | 'coordinator'; readonly services: string[] }[] = [
    { server: 'controller', services: ['sluice.v1.Controller', 'sluice.v1.RaftPeer', 'grpc.health.v1.Health'] },
    { server: 'broker', services: ['sluice.v1.Broker', 'grpc.health.v1.Health'] },
    { server: 'coordinator', services: ['sluice.v1.Coordinator', 'grpc.health.v1.Health'] },
  ];

  for (const target of targets) {
    it(`${target.server}: every answer named or valid, no crash, refusals change nothing`, async () => {
      const role =
        target.server === 'controller'
          ? cluster.controllers
          : target.server === 'broker'
            ? cluster.brokers
            : cluster.coordinators;
      const client = clientFor(role.address(role.nodeIds[0]!));
      const tally: Tally = { calls: 0, answered: 0, refused: new Map(), waiting: 0, stateChecks: 0 };
      tallies.set(target.server, tally);
      let current = await state();
      for (const rpc of contractRpcs(contractPackageDefinition(), target.services)) {
        for (const kind of KINDS) {
          const seed = seedFor(`${target.server}${rpc.path}`, kind);
          const where = `${target.server} ${rpc.path} (${kind}, seed ${seed}; SLUICE_FUZZ_SEED=${SEED})`;
          await fc.assert(
            fc.asyncProperty(requestsOf(rpc, kind), async (requests) => {
              const outcome: Outcome = await rawCall(client, rpc, requests, CALL);
              tally.calls++;
              const dead = alive();
              if (dead.length > 0) throw new Error(`${where}: ${dead.join(', ')} exited`);
              if (outcome.kind === 'finding')
                throw new Error(
                  `${where}: ${outcome.what}; request ${requests.map((r) => r.toString('hex')).join(' | ')}`,
                );
              if (outcome.kind === 'waiting') tally.waiting++;
              if (outcome.kind === 'answered') tally.answered++;
              if (outcome.kind === 'refused')
                tally.refused.set(outcome.errorName, (tally.refused.get(outcome.errorName) ?? 0) + 1);
              const refused = outcome.kind === 'refused' || (outcome.kind === 'answered' && outcome.allItemsRefused);
              const after = await state();
              if (refused) {
                tally.stateChecks++;
                if (after !== current)
                  throw new Error(
                    `${where}: a refused request changed the cluster (${outcome.kind === 'refused' ? outcome.errorName : 'every item refused'})\nbefore ${current}\nafter  ${after}`,
                  );
              }
              current = after;
            }),
            { seed, numRuns: RUNS, endOnFailure: true },
          );
        }
      }
      expect(alive()).toEqual([]);
      expect(tally.calls).toBeGreaterThan(0);
    });
  }
});
