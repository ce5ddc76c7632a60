/**
 * ClusterMetadata's partitioner view against a real grpc-js server on loopback serving scripted
 * Metadata answers: the view is built once per answer and shared (the producer asks for it once
 * per record), and a later answer that moves a leader away or back is seen at the next ask.
 */
import { startGrpcServer, unaryHandler, type StartedGrpcServer } from '@sluice/runtime';
import { serviceDefinition } from '@sluice/proto';
import { ClusterMetadata } from '../src/cluster-metadata';

const PARTITIONS = 6_000;

describe('ClusterMetadata.partitionsForPartitioner', () => {
  let server: StartedGrpcServer;
  let metadata: ClusterMetadata;
  /** The leader the next Metadata answer gives partition 7 (-1: none). */
  let leaderOfSeven = 1;
  let metadataOffset = 1;

  /** A Metadata answer: one broker (the server itself), topic `t` with partition 7's leader as scripted. */
  const metadataAnswer = () => ({
    clusterId: 'scripted',
    metadataOffset: metadataOffset++,
    brokers: [{ brokerId: 1, listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: server.port }], rack: '' }],
    topics: [
      {
        name: 't',
        topicId: 'id',
        errorName: '',
        errorMessage: '',
        partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
          partition,
          leader: partition === 7 ? leaderOfSeven : 1,
          leaderEpoch: 0,
          replicas: [1],
          isr: [1],
        })),
      },
    ],
  });

  beforeAll(async () => {
    const services = [
      { definition: serviceDefinition('Broker'), implementation: { Metadata: unaryHandler(metadataAnswer) } },
    ];
    server = await startGrpcServer({ host: '127.0.0.1', port: 0, services });
    // The answer holds 6,000 partitions, encoded and decoded in this one jest worker: on a 2-core
    // machine running the suite's other workers and clusters that took over the default 5 s once
    // (CI). The test is about the views, not about timeouts: the bound is only for a hang.
    metadata = new ClusterMetadata({ bootstrap: `127.0.0.1:${server.port}`, requestTimeoutMs: 60_000 });
  });

  afterAll(async () => {
    metadata.close();
    await server.stop(100);
  });

  it('is undefined for a topic not known yet', () => {
    expect(metadata.partitionsForPartitioner('t')).toBeUndefined();
  });

  it('is one shared, frozen view per answer, rebuilt when an answer moves a leader', async () => {
    await metadata.refresh(['t']);
    const first = metadata.partitionsForPartitioner('t');
    expect(first).toHaveLength(PARTITIONS);
    expect(first?.every((p, i) => p.partition === i && p.hasLeader)).toBe(true);
    expect(metadata.partitionsForPartitioner('t')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first?.[0])).toBe(true);

    leaderOfSeven = -1;
    await metadata.refresh(['t']);
    const withoutLeader = metadata.partitionsForPartitioner('t');
    expect(withoutLeader).not.toBe(first);
    expect(withoutLeader?.[7]).toEqual({ partition: 7, hasLeader: false });
    expect(withoutLeader?.filter((p) => !p.hasLeader)).toHaveLength(1);
    // The old view is untouched: whoever holds it keeps a consistent picture.
    expect(first?.[7]).toEqual({ partition: 7, hasLeader: true });

    leaderOfSeven = 1;
    await metadata.refresh(['t']);
    expect(metadata.partitionsForPartitioner('t')?.[7]).toEqual({ partition: 7, hasLeader: true });
  }, 200_000);
});
