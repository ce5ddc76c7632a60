/**
 * The local CA's certificates with extra DNS names: a Kubernetes pod's wildcard under its headless
 * Service verifies as Node's TLS does it (checkServerIdentity), and malformed names are refused.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity as tlsCheckServerIdentity } from 'node:tls';
import { createLocalCa, issueCertificate } from '../src';

jest.setTimeout(30_000);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-local-ca-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test("dnsNames join the certificate's names: a pod of the headless Service verifies, another Service's does not", async () => {
  const ca = await createLocalCa();
  const issued = await issueCertificate(ca, dir, 'sluice-broker', {
    dnsNames: ['*.rel-sluice-broker-headless.data.svc.cluster.local', 'rel-sluice.data.svc.cluster.local'],
  });
  const certificate = new X509Certificate(readFileSync(issued.certificateFile));
  expect(certificate.subject).toBe('CN=sluice-broker');
  expect(certificate.subjectAltName).toContain('DNS:*.rel-sluice-broker-headless.data.svc.cluster.local');
  expect(certificate.subjectAltName).toContain('DNS:localhost');
  expect(certificate.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
  const peer = { subject: { CN: 'sluice-broker' }, subjectaltname: certificate.subjectAltName } as Parameters<
    typeof tlsCheckServerIdentity
  >[1];
  expect(tlsCheckServerIdentity('rel-sluice-broker-2.rel-sluice-broker-headless.data.svc.cluster.local', peer)).toBe(
    undefined,
  );
  expect(tlsCheckServerIdentity('rel-sluice.data.svc.cluster.local', peer)).toBe(undefined);
  expect(
    tlsCheckServerIdentity('rel-sluice-controller-0.rel-sluice-controller-headless.data.svc.cluster.local', peer),
  ).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
});

test('malformed DNS names are refused before anything is written', async () => {
  const ca = await createLocalCa();
  await expect(issueCertificate(ca, dir, 'x', { dnsNames: ['a.*.example'] })).rejects.toThrow(/is not a DNS name/);
  await expect(issueCertificate(ca, dir, 'x', { dnsNames: ['bad name'] })).rejects.toThrow(/is not a DNS name/);
});

test("ipAddresses join the certificate's names: a cluster on its own loopback address verifies there", async () => {
  const ca = await createLocalCa();
  const issued = await issueCertificate(ca, dir, 'broker-1', { ipAddresses: ['127.101.2.3'] });
  const certificate = new X509Certificate(readFileSync(issued.certificateFile));
  expect(certificate.subjectAltName).toContain('IP Address:127.101.2.3');
  expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
  const peer = { subject: { CN: 'broker-1' }, subjectaltname: certificate.subjectAltName } as Parameters<
    typeof tlsCheckServerIdentity
  >[1];
  expect(tlsCheckServerIdentity('127.101.2.3', peer)).toBe(undefined);
  expect(tlsCheckServerIdentity('127.101.2.4', peer)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  await expect(issueCertificate(ca, dir, 'x', { ipAddresses: ['127.1'] })).rejects.toThrow(/is not an IP address/);
});
