/**
 * A local certificate authority for `sluice cluster up --tls` and secure test clusters: one CA
 * and one certificate per process (and per client identity), written in the Kubernetes Secret /
 * cert-manager layout (`<dir>/<name>/tls.crt`, `tls.key`, `ca.crt`), made with @peculiar/x509 on
 * node's WebCrypto (ECDSA P-256; no openssl process). Every certificate is for `localhost` and
 * the loopback address, and serves both sides of mutual TLS (serverAuth and clientAuth); its
 * subject is `CN=<name>`, so a process authenticates as `User:CN=<name>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { webcrypto, type webcrypto as WebCrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type * as X509 from '@peculiar/x509';

/**
 * @peculiar/x509 is loaded on first use: it needs the reflect-metadata polyfill (tsyringe), which
 * processes that never issue a certificate should not load.
 */
let loaded: typeof X509 | undefined;
async function x509Library(): Promise<typeof X509> {
  if (loaded === undefined) {
    await import('reflect-metadata');
    loaded = await import('@peculiar/x509');
    loaded.cryptoProvider.set(webcrypto as unknown as Parameters<typeof X509.cryptoProvider.set>[0]);
  }
  return loaded;
}

type CryptoKeyPair = WebCrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface LocalCa {
  readonly certificatePem: string;
  readonly keys: CryptoKeyPair;
  readonly certificate: X509.X509Certificate;
}

export interface IssuedFiles {
  readonly dir: string;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly caFile: string;
}

function pemKey(der: ArrayBuffer): string {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${base64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  // Positive 16-byte serial, as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] as number) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

export async function createLocalCa(commonName = 'sluice local CA', validDays = 365): Promise<LocalCa> {
  const x509 = await x509Library();
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + validDays * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: certificate.toString('pem'), keys, certificate };
}

/** Longest list of extra DNS names one certificate carries. */
const MAX_DNS_NAMES = 64;
/** Longest list of extra IP addresses one certificate carries. */
const MAX_IP_ADDRESSES = 16;

/**
 * Issues `CN=<name>` for localhost / 127.0.0.1 / ::1 (and `dnsNames`, e.g. a Kubernetes pod's
 * `*.<headless service>.<namespace>.svc.cluster.local`, and `ipAddresses`, e.g. a local cluster's
 * own loopback address) and writes it under `<baseDir>/<name>/`.
 */
export async function issueCertificate(
  ca: LocalCa,
  baseDir: string,
  name: string,
  options: {
    readonly validDays?: number;
    readonly notBefore?: Date;
    readonly dnsNames?: readonly string[];
    readonly ipAddresses?: readonly string[];
  } = {},
): Promise<IssuedFiles> {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new RangeError(`certificate name ${JSON.stringify(name)} is not a file name`);
  const dnsNames = options.dnsNames ?? [];
  if (dnsNames.length > MAX_DNS_NAMES) throw new RangeError(`at most ${MAX_DNS_NAMES} DNS names per certificate`);
  for (const dnsName of dnsNames)
    if (!/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(dnsName))
      throw new RangeError(`${JSON.stringify(dnsName)} is not a DNS name (a wildcard only as the first label)`);
  const ipAddresses = options.ipAddresses ?? [];
  if (ipAddresses.length > MAX_IP_ADDRESSES)
    throw new RangeError(`at most ${MAX_IP_ADDRESSES} IP addresses per certificate`);
  for (const ipAddress of ipAddresses)
    if (isIP(ipAddress) === 0) throw new RangeError(`${JSON.stringify(ipAddress)} is not an IP address`);
  const x509 = await x509Library();
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${name}`,
    issuer: ca.certificate.subject,
    notBefore: options.notBefore ?? new Date(now - DAY_MS),
    notAfter: new Date(now + (options.validDays ?? 90) * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
        ...ipAddresses
          .filter((value) => value !== '127.0.0.1' && value !== '::1')
          .map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  const dir = join(baseDir, name);
  mkdirSync(dir, { recursive: true });
  const files: IssuedFiles = {
    dir,
    certificateFile: join(dir, 'tls.crt'),
    privateKeyFile: join(dir, 'tls.key'),
    caFile: join(dir, 'ca.crt'),
  };
  // Written key first and each file whole: a reader that sees tls.crt change finds its key in place.
  writeFileSync(files.privateKeyFile, pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), {
    mode: 0o600,
  });
  writeFileSync(files.certificateFile, certificate.toString('pem'));
  writeFileSync(files.caFile, ca.certificatePem);
  return files;
}
