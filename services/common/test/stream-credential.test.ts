/**
 * KIP-368's checks on open streams (stream-credential.ts): a message past the stream's token exp
 * is refused with SASL_AUTHENTICATION_FAILED, audited, and marked so a client knows to reopen; a
 * certificate (no expiry) passes; a server stream's expiry timer fires once and is cleared when
 * the stream ends first.
 */
import { Metadata } from '@grpc/grpc-js';
import { ApiError } from '@sluice/protocol';
import { monotonicSeconds, PhaseClock } from '@sluice/runtime';
import {
  checkStreamCredential,
  isStreamCredentialExpired,
  onStreamCredentialExpiry,
  type RpcCallContext,
} from '../src';

function caller(credentialExpiresAtMs: number | undefined): RpcCallContext {
  return {
    service: 'sluice.v1.Broker',
    method: 'ProduceStream',
    peerHost: '127.0.0.1',
    principal: 'User:alice',
    credentialExpiresAtMs,
    traceparent: undefined,
    metadata: new Metadata(),
    peerCertificate: undefined,
    phases: new PhaseClock(monotonicSeconds, 'queue', monotonicSeconds()),
  };
}

class RecordingAudit {
  readonly refusals: { principal: string; error: ApiError }[] = [];
  auditAuthentication(call: RpcCallContext, error: ApiError): void {
    this.refusals.push({ principal: call.principal, error });
  }
}

describe('stream credentials (KIP-368)', () => {
  const expiresAtMs = Date.parse('2026-12-07T12:00:00Z');

  it('passes a message before exp, refuses and audits one at or after it', () => {
    const audit = new RecordingAudit();
    const stream = caller(expiresAtMs);
    expect(() => checkStreamCredential(stream, 'ProduceStream', audit, expiresAtMs - 1)).not.toThrow();
    expect(audit.refusals).toHaveLength(0);
    let refusal: unknown;
    try {
      checkStreamCredential(stream, 'ProduceStream', audit, expiresAtMs);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ errorName: 'SASL_AUTHENTICATION_FAILED' });
    expect((refusal as ApiError).message).toContain('token expired at 2026-12-07T12:00:00.000Z on an open stream');
    expect(isStreamCredentialExpired(refusal)).toBe(true);
    expect(audit.refusals).toEqual([{ principal: 'User:alice', error: refusal }]);
  });

  it('never refuses a stream without an expiry (a certificate) or without a context (security off)', () => {
    const audit = new RecordingAudit();
    expect(() => checkStreamCredential(caller(undefined), 'FetchStream', audit, Number.MAX_SAFE_INTEGER)).not.toThrow();
    expect(() => checkStreamCredential(undefined, 'FetchStream', audit)).not.toThrow();
    expect(audit.refusals).toHaveLength(0);
    expect(isStreamCredentialExpired(new ApiError('SASL_AUTHENTICATION_FAILED', 'bad signature'))).toBe(false);
  });

  it('ends a server stream at exp once, and not at all once cleared', async () => {
    const audit = new RecordingAudit();
    const fired: ApiError[] = [];
    onStreamCredentialExpiry(caller(Date.now() + 50), 'ConsumerGroupWakeups', audit, (refusal) => fired.push(refusal));
    const cleared: ApiError[] = [];
    const clear = onStreamCredentialExpiry(caller(Date.now() + 50), 'ConsumerGroupWakeups', audit, (refusal) =>
      cleared.push(refusal),
    );
    clear();
    const noExpiry = onStreamCredentialExpiry(caller(undefined), 'ConsumerGroupWakeups', audit, () => {
      throw new Error('a certificate stream has no expiry');
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    noExpiry();
    expect(fired).toHaveLength(1);
    expect(isStreamCredentialExpired(fired[0])).toBe(true);
    expect(cleared).toHaveLength(0);
    expect(audit.refusals).toHaveLength(1);
  });
});
