/**
 * Tracing is off unless the standard OTEL_* environment switches it on, and a service's process
 * then runs the Node SDK (exporting OTLP) only in that case.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tracingSetupFromEnv } from '../src/tracing-bootstrap';

describe('tracingSetupFromEnv', () => {
  it.each([
    [{}, false],
    [{ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false],
    [{ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' }, false],
  ])('%j -> enabled %s', (env, enabled) => {
    expect(tracingSetupFromEnv(env).enabled).toBe(enabled);
  });
});

describe('startTracingFromEnv in a process', () => {
  const bootstrap = join(__dirname, '../dist/tracing-bootstrap.js');
  const script = (service: string): string =>
    `const t = require(${JSON.stringify(bootstrap)});
     const setup = t.startTracingFromEnv(${JSON.stringify(service)});
     const api = require('@opentelemetry/api');
     const span = api.trace.getTracer('probe').startSpan('probe');
     console.log(JSON.stringify({ setup, started: t.tracingStarted(), recording: span.isRecording(),
       sdkLoaded: Object.keys(require.cache).some((k) => k.includes('sdk-node')), service: process.env.OTEL_SERVICE_NAME ?? null }));
     span.end();
     t.shutdownTracing().then(() => process.exit(0));`;
  const run = (env: Record<string, string>): Record<string, unknown> => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
    const child = spawnSync(process.execPath, ['-e', script('broker')], {
      cwd: join(__dirname, '..'),
      env: { ...clean, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.status).toBe(0);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  };

  it('loads nothing and records nothing when not configured', () => {
    expect(run({})).toMatchObject({ started: false, recording: false, sdkLoaded: false, service: null });
  });

  it('starts the SDK with the default service name when configured', () => {
    // A console exporter: spans go to stdout, no collector needed.
    const result = run({ OTEL_TRACES_EXPORTER: 'console' });
    expect(result).toMatchObject({ started: true, recording: true, sdkLoaded: true, service: 'sluice-broker' });
    expect(run({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'mine' })).toMatchObject({ service: 'mine' });
  });
});
