/**
 * Test support: the child process of broker-invariant.process.test.ts. A real ReplicaManager (the
 * built broker) on a real log directory leads partition t-0 with broker 2 as its follower, and then
 * its leader core is contradicted, so that an invariant breaks on one of the shell's paths:
 *
 * - `follower-fetch`: records are appended to the partition log behind the core's back, then a
 *   follower fetch comes in (the request path: the core finds the log end is not the one it tracks);
 * - `alter-partition`: the replication timer's ISR check proposes dropping the silent follower, and
 *   the answer commits an ISR without the leader (the timer -> AlterPartition answer chain).
 *
 * Either must stop this process, BrokerInvariantError named on stderr, exit 70. Reaching the end
 * prints "survived" and exits 0, which the test counts as a failure.
 */
'use strict';
const { join } = require('node:path');
const { MetadataDelta, MetadataImage } = require('@sluice/metadata');
const { serviceDefinition } = require('@sluice/proto');
const { CompressionType, encodeRecordBatch } = require('@sluice/protocol');
const { randomKafkaUuid, silentLogger } = require('@sluice/runtime');
const { ReplicaManager } = require(join(__dirname, '..', '..', 'dist', 'node', 'replica-manager.js'));

const scenario = process.argv[2];
// The test owns the directory and removes it: this process exits on purpose, mid-run.
const logDir = process.argv[3];
const topicId = randomKafkaUuid();

function image() {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  for (const brokerId of [1, 2]) {
    delta.replay({
      type: 'BrokerRegistration',
      brokerId,
      brokerEpoch: 1,
      incarnationId: randomKafkaUuid(),
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 1 }],
      rack: null,
      fenced: false,
    });
  }
  delta.replay({ type: 'Topic', name: 't', topicId });
  delta.replay({
    type: 'Partition',
    topicId,
    partitionId: 0,
    replicas: [1, 2],
    isr: [1, 2],
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
  });
  return delta.apply({ lastContainedOffset: 1, lastContainedEpoch: 1 });
}

/** The request as the broker's handler gets it over gRPC (support/wire.ts's received(), in plain JS). */
function received(method, request) {
  const codec = serviceDefinition('Broker')[method];
  return codec.requestDeserialize(codec.requestSerialize(request));
}

function batch() {
  return encodeRecordBatch({
    compression: CompressionType.None,
    records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1_700_000_000_000 }],
  });
}

async function main() {
  const manager = new ReplicaManager({
    brokerId: 1,
    logDir,
    log: silentLogger(),
    maxMessageBytes: 1024 * 1024,
    minInsyncReplicas: 1,
    replicaLagTimeMaxMs: scenario === 'alter-partition' ? 20 : 30_000,
    // A controller that commits an ISR leaving the leader out.
    alterPartition: async (_replica, proposal) => ({
      ok: true,
      leaderEpoch: proposal.leaderEpoch,
      partitionEpoch: proposal.partitionEpoch + 1,
      isr: [2],
    }),
    onFollowersChanged: () => undefined,
  });
  manager.setFenced(false);
  manager.applyImage(image());
  const produced = await manager.produce(
    received('Produce', {
      acks: 1,
      timeoutMs: 1_000,
      topics: [{ name: 't', partitions: [{ partition: 0, records: batch() }] }],
    }),
  );
  if (produced.topics[0].partitions[0].errorName !== '') throw new Error('the produce failed');
  if (scenario === 'follower-fetch') {
    manager.replica('t', 0).log.append(batch(), { leaderEpoch: 0 });
    await manager.fetch(
      received('Fetch', {
        replicaId: 2,
        replicaEpoch: 1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        topics: [
          {
            name: 't',
            partitions: [
              {
                partition: 0,
                fetchOffset: 1,
                currentLeaderEpoch: 0,
                lastFetchedEpoch: 0,
                logStartOffset: 0,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
      }),
    );
  } else if (scenario === 'alter-partition') {
    manager.start();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  } else {
    throw new Error(`unknown scenario ${scenario}`);
  }
  process.stdout.write('survived\n');
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`unexpected: ${error && error.stack}\n`);
  process.exit(3);
});
