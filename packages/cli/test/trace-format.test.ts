/** What `produce --trace` and `consume --json` print about traces. */
import { formatRecord } from '../src/consume-command';
import { formatTraceLine } from '../src/produce-command';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('trace ids on the command line', () => {
  it('produce --trace prints one line per acknowledged record, as text or JSON', () => {
    const metadata = { topic: 'orders', partition: 2, offset: 17, timestamp: 1, traceId: TRACE_ID };
    expect(formatTraceLine(metadata, { json: false })).toBe(`trace ${TRACE_ID} orders-2@17\n`);
    expect(JSON.parse(formatTraceLine(metadata, { json: true }))).toEqual({
      traceId: TRACE_ID,
      topic: 'orders',
      partition: 2,
      offset: 17,
    });
    expect(formatTraceLine({ ...metadata, traceId: undefined }, { json: false })).toBe('trace - orders-2@17\n');
  });

  it('consume --json adds traceId only for a record carrying a well-formed traceparent', () => {
    const record = {
      topic: 'orders',
      partition: 0,
      offset: 5,
      timestamp: 1_700_000_000_000,
      timestampType: 'CreateTime' as const,
      leaderEpoch: 0,
      key: null,
      value: Buffer.from('v'),
      headers: [{ key: 'traceparent', value: Buffer.from(`00-${TRACE_ID}-00f067aa0ba902b7-01`) }],
    };
    const plan = { json: true, printKey: false, base64: false };
    expect(JSON.parse(formatRecord(record, plan)).traceId).toBe(TRACE_ID);
    expect(JSON.parse(formatRecord({ ...record, headers: [] }, plan))).not.toHaveProperty('traceId');
    expect(
      JSON.parse(formatRecord({ ...record, headers: [{ key: 'traceparent', value: Buffer.from('junk') }] }, plan)),
    ).not.toHaveProperty('traceId');
    // Plain output stays the value alone.
    expect(formatRecord(record, { ...plan, json: false })).toBe('v\n');
  });
});
