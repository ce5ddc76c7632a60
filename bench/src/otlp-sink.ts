/**
 * A stand-in OTLP/HTTP collector for the tracing rows of `bench:compare`: it accepts every
 * `POST /v1/traces` (protobuf), counts requests and bytes, and answers with an empty
 * ExportTraceServiceResponse. The traced rows thus pay everything sluice's tracing costs (spans,
 * links, header decoding, batching, protobuf encoding, HTTP export) but not a collector's own
 * ingestion, which on a shared 2-core machine would take CPU from the system being measured.
 */
import { createServer, type Server } from 'node:http';

export interface OtlpSink {
  /** `http://127.0.0.1:<port>`, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly requests: number;
  readonly bytes: number;
  stop(): Promise<void>;
}

/** Largest export body accepted; OTLP exporters send far less (OTEL_BSP_MAX_EXPORT_BATCH_SIZE 512 spans). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function startOtlpSink(): Promise<OtlpSink> {
  let requests = 0;
  let bytes = 0;
  const server: Server = createServer((request, response) => {
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy();
    });
    request.on('end', () => {
      const ok = request.method === 'POST' && request.url === '/v1/traces';
      if (ok) {
        requests++;
        bytes += size;
      }
      response.writeHead(ok ? 200 : 404, { 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        get requests() {
          return requests;
        },
        get bytes() {
          return bytes;
        },
        stop: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** The OTEL_* environment of a traced row: OTLP to `endpoint`, `percent` of new traces sampled. */
export function tracingEnv(endpoint: string, percent: number): Record<string, string> {
  return {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(percent / 100),
  };
}
