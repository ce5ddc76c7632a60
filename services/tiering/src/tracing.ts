/**
 * Imported first by main.ts, before anything else loads: starts OpenTelemetry's Node SDK when the
 * OTEL_* environment asks for it (packages/runtime/src/tracing-bootstrap.ts), nothing otherwise.
 */
import { startTracingFromEnv } from '@sluice/runtime/dist/tracing-bootstrap';

startTracingFromEnv('tiering');
