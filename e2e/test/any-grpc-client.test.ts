/**
 * Any gRPC client can use sluice, with nothing but proto/ and standard tools:
 * - every service of every process describes itself through gRPC server reflection (the listing a
 *   reflection client gets, and grpcurl's `list` / `describe` / a call, when Go is here to build
 *   grpcurl) and answers grpc.health.v1;
 * - a Python client generated from proto/ with grpcio-tools (e2e/python/sluice_grpc_client.py, no
 *   sluice code) creates a topic, produces records as protobuf messages, joins a consumer group,
 *   consumes, commits and leaves; the TypeScript SDK then reads the same records byte for byte.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCluster } from '@sluice/local-cluster';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import { listServicesViaReflection } from '@sluice/service-common';
import { Consumer, type ConsumerRecord } from '../../packages/client/src';
import { startSluice } from './local-sluice';
import { generatePythonStubs, grpcurl, pythonWithGrpc, REPO_ROOT } from './python-grpc';

jest.setTimeout(600_000);

describe('sluice from any gRPC client', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await startSluice({ name: 'any-client', coordinatorConfig: {} });
  });
  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  it('lists every service of every process through reflection and answers health checks', async () => {
    const expected: Record<string, string[]> = {
      controller: ['grpc.health.v1.Health', 'sluice.v1.Controller', 'sluice.v1.RaftPeer'],
      broker: ['grpc.health.v1.Health', 'sluice.v1.Broker'],
      coordinator: ['grpc.health.v1.Health', 'sluice.v1.Coordinator'],
    };
    const listing: string[] = [];
    for (const [role, services] of Object.entries(expected)) {
      const processes = cluster.role(role as 'controller' | 'broker' | 'coordinator');
      for (const nodeId of processes.nodeIds) {
        const address = processes.address(nodeId);
        const listed = await listServicesViaReflection(address);
        expect({ role, nodeId, listed }).toEqual({ role, nodeId, listed: services });
        const health = createGrpcClient('Health', address);
        try {
          expect(await unaryCall(health, 'Check', { service: '' }, { timeoutMs: 5_000 })).toEqual({
            status: 'SERVING',
          });
        } finally {
          health.close();
        }
        listing.push(`${role} ${nodeId} ${address}: ${listed.join(', ')}`);
      }
    }
    console.log(`[reflection]\n${listing.join('\n')}`);
  });

  it('works with grpcurl: list, describe and a call, from reflection alone', () => {
    const tool = grpcurl();
    if (tool === undefined) {
      console.log('[grpcurl] skipped: Go is not installed to build grpcurl');
      return;
    }
    const broker = cluster.brokers.address(cluster.brokers.nodeIds[0] as number);
    const run = (...args: string[]): string =>
      execFileSync(tool, ['-plaintext', ...args], { encoding: 'utf8', timeout: 30_000 });
    expect(run(broker, 'list').trim().split('\n')).toEqual(['grpc.health.v1.Health', 'sluice.v1.Broker']);
    const described = run(broker, 'describe', 'sluice.v1.Broker.FetchRecords');
    expect(described).toContain('rpc FetchRecords ( .sluice.v1.FetchRecordsRequest )');
    // The descriptors carry the proto's comments.
    expect(described).toContain('Fetch for plain gRPC clients');
    expect(run(broker, 'describe', 'sluice.v1.FetchRecordsPartition')).toContain('int64 fetch_offset = 2;');
    const controller = cluster.controllers.address(cluster.controllers.nodeIds[0] as number);
    const answer = JSON.parse(run('-d', '{}', controller, 'sluice.v1.Controller/DescribeCluster')) as {
      clusterId: string;
      brokers: unknown[];
    };
    expect(answer.brokers).toHaveLength(3);
    console.log(`[grpcurl] ${broker} list -> Broker, Health; describe FetchRecords:\n${described}`);
  });

  it('serves a Python client generated from proto/ with grpcio-tools: topic, produce, group, consume, commit', async () => {
    const python = pythonWithGrpc();
    const stubs = mkdtempSync(join(tmpdir(), 'sluice-py-stubs-'));
    try {
      const protoFiles = generatePythonStubs(python, stubs);
      expect(protoFiles).toContain('sluice/v1/coordinator.proto');
      const config = {
        controllers: cluster.controllers.addresses(),
        coordinators: cluster.coordinators.addresses(),
        topic: 'from-python',
        group: 'python-readers',
        partitions: 3,
        recordsPerPartition: 20,
      };
      const run = spawnSync(
        python,
        [join(REPO_ROOT, 'e2e', 'python', 'sluice_grpc_client.py'), stubs, JSON.stringify(config)],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
      const out = JSON.parse(run.stdout) as {
        language: string;
        produced: { partition: number; records: number }[];
        group: { assigned: number[] };
        consumed: { partition: number; offset: number; key: string; value: string; headers: Record<string, string> }[];
        committed: Record<string, number>;
        left: boolean;
      };
      console.log(`[python] ${run.stdout.trim().slice(0, 2_000)}`);
      expect(out.produced.map((p) => p.records)).toEqual([20, 20, 20]);
      expect(out.group.assigned).toEqual([0, 1, 2]);
      expect(out.consumed).toHaveLength(60);
      expect(out.committed).toEqual({ '0': 20, '1': 20, '2': 20 });
      expect(out.left).toBe(true);

      // The TypeScript SDK reads what Python produced, byte for byte.
      const consumer = new Consumer({ bootstrap: cluster.brokers.addresses().join(',') });
      try {
        consumer.assign([0, 1, 2].map((partition) => ({ topic: 'from-python', partition })));
        for (const partition of [0, 1, 2]) consumer.seek({ topic: 'from-python', partition }, 0);
        const seen: ConsumerRecord[] = [];
        const deadline = Date.now() + 20_000;
        while (seen.length < 60 && Date.now() < deadline) seen.push(...(await consumer.poll(500)));
        const fromSdk = seen
          .map(
            (r) =>
              `${r.partition}/${r.offset} ${r.key?.toString()}=${r.value?.toString()} lang=${r.headers.find((h) => h.key === 'lang')?.value?.toString()}`,
          )
          .sort();
        const fromPython = out.consumed
          .map((r) => `${r.partition}/${r.offset} ${r.key}=${r.value} lang=${r.headers.lang}`)
          .sort();
        expect(fromSdk).toEqual(fromPython);
      } finally {
        await consumer.close();
      }
    } finally {
      rmSync(stubs, { recursive: true, force: true });
    }
  });
});
