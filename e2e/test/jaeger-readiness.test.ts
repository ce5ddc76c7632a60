/**
 * startJaeger (jaeger.ts) returns only once Jaeger serves both parts the tracing test uses: a span
 * exported over OTLP/HTTP the moment it returns is accepted at once (no retry) and then found
 * through the query API. Jaeger v2 starts its query API (an extension) before its OTLP receiver
 * (a pipeline), so a readiness wait on the query API alone returned while the receiver still
 * refused connections; several starts in a row give that window several chances to show.
 */
import { randomBytes } from 'node:crypto';
import { waitFor } from '@sluice/local-cluster';
import { startJaeger, type RunningJaeger } from './jaeger';

jest.setTimeout(25 * 60_000); // the first run builds Jaeger (about 5 minutes on 2 cores)

const STARTS = 3;

/** One span in OTLP/HTTP's JSON form (ExportTraceServiceRequest), under service `readiness-probe`. */
function oneSpan(traceId: string, spanId: string): string {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'readiness-probe' } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                name: 'first-export',
                kind: 1,
                startTimeUnixNano: String(nowNs - 1_000_000n),
                endTimeUnixNano: String(nowNs),
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('startJaeger', () => {
  let jaeger: RunningJaeger | undefined;

  afterEach(async () => {
    await jaeger?.stop();
    jaeger = undefined;
  });

  it(`returns with the OTLP receiver accepting and the query API serving (${STARTS} starts)`, async () => {
    const exports: string[] = [];
    for (let start = 0; start < STARTS; start++) {
      jaeger = await startJaeger();
      const traceId = randomBytes(16).toString('hex');
      const spanId = randomBytes(8).toString('hex');
      // The first export, with no retry: what a service started right after would send.
      const exported = await fetch(`${jaeger.otlpHttpEndpoint}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: oneSpan(traceId, spanId),
      }).then(
        (response) => `HTTP ${response.status}`,
        (error: { cause?: { code?: string } }) => `refused: ${error.cause?.code ?? String(error)}`,
      );
      exports.push(exported);
      if (exported === 'HTTP 200') {
        // Received spans reach the store through the batch processor (100 ms): a bounded wait, no timing asserted.
        const running = jaeger;
        await waitFor(
          `span ${spanId} in Jaeger's query API`,
          async () => (await running.trace(traceId))?.spans.some((span) => span.spanID === spanId) === true,
          30_000,
          100,
        );
      }
      await jaeger.stop();
      jaeger = undefined;
    }
    expect(exports).toEqual(Array.from({ length: STARTS }, () => 'HTTP 200'));
  });
});
