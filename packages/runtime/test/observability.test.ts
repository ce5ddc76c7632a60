import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter } from 'prom-client';
import { createLoggers, createMetricsRegistry, HealthStatus, startMetricsServer } from '../src';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('metrics server', () => {
  it('serves /metrics with default metrics and labels, and /healthz', async () => {
    const registry = createMetricsRegistry({ service: 'controller', nodeId: 3 });
    const counter = new Counter({ name: 'sluice_test_total', help: 'test', registers: [registry] });
    counter.inc(2);
    let healthy = true;
    const server = await startMetricsServer({
      registry,
      host: '127.0.0.1',
      port: 0,
      health: () => ({ healthy, detail: 'raft' }),
    });
    try {
      const metrics = await get(server.port, '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain('sluice_test_total{service="controller",node_id="3"} 2');
      expect(metrics.body).toContain('process_cpu_user_seconds_total');
      expect(await get(server.port, '/healthz')).toEqual({ status: 200, body: 'ok: raft\n' });
      healthy = false;
      expect((await get(server.port, '/healthz')).status).toBe(503);
      expect((await get(server.port, '/nope')).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('serves /readyz?service= from the grpc.health.v1 statuses (for httpGet probes when gRPC speaks TLS)', async () => {
    const health = new HealthStatus('NOT_SERVING');
    health.set('sluice.v1.Broker', 'NOT_SERVING');
    const server = await startMetricsServer({
      registry: createMetricsRegistry({ service: 'broker', nodeId: 100, defaultMetrics: false }),
      host: '127.0.0.1',
      port: 0,
      servingStatus: (service) => health.get(service),
    });
    try {
      expect(await get(server.port, '/readyz')).toEqual({ status: 503, body: "NOT_SERVING: ''\n" });
      health.set('', 'SERVING');
      expect(await get(server.port, '/readyz')).toEqual({ status: 200, body: "SERVING: ''\n" });
      expect((await get(server.port, '/readyz?service=sluice.v1.Broker')).status).toBe(503);
      health.set('sluice.v1.Broker', 'SERVING');
      expect(await get(server.port, '/readyz?service=sluice.v1.Broker')).toEqual({
        status: 200,
        body: "SERVING: 'sluice.v1.Broker'\n",
      });
      // A service never registered is unknown, as grpc.health.v1 Check answers NOT_FOUND.
      expect((await get(server.port, '/readyz?service=sluice.v1.Nope')).status).toBe(404);
      health.shutdown();
      expect((await get(server.port, '/readyz?service=sluice.v1.Broker')).status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it('answers /readyz 404 when the process gave no health statuses', async () => {
    const server = await startMetricsServer({
      registry: createMetricsRegistry({ service: 'broker', nodeId: 100, defaultMetrics: false }),
      host: '127.0.0.1',
      port: 0,
    });
    try {
      expect((await get(server.port, '/readyz')).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('loggers', () => {
  it('writes service and audit logs to separate destinations with the node id bound', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-log-'));
    try {
      const loggers = createLoggers({
        service: 'controller',
        nodeId: 2,
        destination: join(dir, 'service.log'),
        auditDestination: join(dir, 'audit.log'),
      });
      loggers.log.info({ term: 4 }, 'elected');
      loggers.audit.info({ principal: 'User:admin', operation: 'CreateTopics', resource: 'orders' }, 'topic created');
      loggers.flush();
      const audit = readFileSync(join(dir, 'audit.log'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        service: 'controller',
        nodeId: 2,
        stream: 'audit',
        operation: 'CreateTopics',
        msg: 'topic created',
      });
      const service = readFileSync(join(dir, 'service.log'), 'utf8');
      expect(service).toContain('"msg":"elected"');
      expect(service).not.toContain('CreateTopics');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
