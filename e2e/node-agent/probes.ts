/**
 * The kubelet's probes, run by the node agent against a pod's loopback address: `grpc:` speaks
 * grpc.health.v1 Check (SERVING passes; NOT_SERVING, an unknown service or no answer fails),
 * `tcpSocket:` passes when a connection opens, and `httpGet:` passes on a status from 200 to 399
 * (the kubelet's rule); each bounded by the probe's timeout.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import type { ProbePlan } from './pod-plan.ts';

/** grpc.health.v1.HealthCheckRequest { string service = 1; } by hand: one field, no codegen needed. */
function encodeHealthRequest(service: string): Buffer {
  const bytes = Buffer.from(service, 'utf8');
  if (bytes.length === 0) return Buffer.alloc(0);
  if (bytes.length > 127) throw new RangeError('health service name longer than one varint byte');
  return Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes]);
}

/** HealthCheckResponse { ServingStatus status = 1; }, SERVING = 1. */
function isServing(response: Buffer): boolean {
  return response.length >= 2 && response[0] === 0x08 && response[1] === 1;
}

export function probeOnce(probe: ProbePlan, host: string): Promise<boolean> {
  switch (probe.kind) {
    case 'grpc':
      return grpcHealth(host, probe.port, probe.service, probe.plan.timeoutMs);
    case 'tcp':
      return tcpOpen(host, probe.port, probe.plan.timeoutMs);
    case 'http':
      return httpGet(host, probe.port, probe.path, probe.plan.timeoutMs);
  }
}

function httpGet(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolveProbe) => {
    const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, agent: false }, (response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      resolveProbe(status >= 200 && status < 400);
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', () => resolveProbe(false));
    req.end();
  });
}

function grpcHealth(host: string, port: number, service: string, timeoutMs: number): Promise<boolean> {
  const client = new Client(`${host}:${port}`, credentials.createInsecure());
  return new Promise<boolean>((resolveProbe) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      encodeHealthRequest,
      (buffer: Buffer) => buffer,
      service,
      new Metadata(),
      { deadline: Date.now() + timeoutMs },
      (error, response) => resolveProbe(error === null && response !== undefined && isServing(response)),
    );
  }).finally(() => client.close());
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolveProbe) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolveProbe(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
