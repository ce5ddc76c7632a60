/**
 * The server credentials every secure listener uses (serverCredentialsFor): a real grpc-js server
 * on loopback, TLS clients from node's tls module.
 * - a certificate rewritten on disk (cert-manager renewing the Secret) is served to new
 *   connections within the reload interval, without a restart;
 * - ssl.client.auth=required accepts a certificate of the cluster's CA and refuses one from
 *   another CA at the handshake (e2e/test/security.test.ts checks the audit of such failures and
 *   `requested` with a foreign certificate);
 * - a verified certificate's subject names the principal, as Kafka's default principal builder.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { Server } from '@grpc/grpc-js';
import { createLocalCa, issueCertificate, sleep, type IssuedFiles, type LocalCa } from '@sluice/local-cluster';
import { serverCredentialsFor } from '@sluice/proto';
import { certificatePrincipal } from '../src';

jest.setTimeout(30_000);

interface Handshake {
  readonly peer: PeerCertificate;
  readonly authorized: boolean;
}

function handshake(port: number, caFile: string, client?: IssuedFiles): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: readFileSync(caFile),
      ALPNProtocols: ['h2'],
      ...(client === undefined
        ? {}
        : { cert: readFileSync(client.certificateFile), key: readFileSync(client.privateKeyFile) }),
    });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      // A server that refuses the client's certificate closes right after the handshake (TLS 1.3).
      socket.once('close', () => resolve({ peer, authorized: false }));
      socket.once('data', () => undefined);
      setTimeout(() => {
        resolve({ peer, authorized: !socket.destroyed });
        socket.destroy();
      }, 300);
    });
    socket.once('error', reject);
  });
}

/** The first handshakes wait for the file watcher's first read (grpc-js drops connections until then). */
async function firstHandshake(port: number, caFile: string, client?: IssuedFiles): Promise<Handshake> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await handshake(port, caFile, client);
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(100);
    }
  }
}

function bind(server: Server, credentials: ReturnType<typeof serverCredentialsFor>): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, port) => (error === null ? resolve(port) : reject(error))),
  );
}

describe('TLS server credentials from cert-manager files', () => {
  let dir: string;
  let ca: LocalCa;
  const servers: Server[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
    ca = await createLocalCa();
  });

  afterAll(() => {
    for (const server of servers) server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a rotated certificate to new connections without a restart', async () => {
    const first = await issueCertificate(ca, dir, 'node-1');
    const server = new Server();
    servers.push(server);
    const port = await bind(server, serverCredentialsFor({ ...first, clientAuth: 'none', reloadIntervalMs: 100 }));
    const before = await firstHandshake(port, first.caFile);
    expect(before.peer.subject.CN).toBe('node-1');
    // cert-manager renews: same files, a new certificate (new serial) and key.
    await issueCertificate(ca, dir, 'node-1');
    const renewedSerial = new (await import('node:crypto')).X509Certificate(readFileSync(first.certificateFile))
      .serialNumber;
    expect(renewedSerial).not.toBe(before.peer.serialNumber.toUpperCase());
    let served = before.peer.serialNumber;
    for (let attempt = 0; attempt < 50 && served.toUpperCase() !== renewedSerial.toUpperCase(); attempt++) {
      await sleep(100);
      served = (await handshake(port, first.caFile)).peer.serialNumber;
    }
    expect(served.toUpperCase()).toBe(renewedSerial.toUpperCase());
  });

  it('verifies client certificates: required accepts the cluster CA and refuses another CA', async () => {
    const serverFiles = await issueCertificate(ca, dir, 'node-2');
    const member = await issueCertificate(ca, dir, 'broker-7');
    const intruder = await issueCertificate(await createLocalCa('another CA'), dir, 'intruder');

    const strict = new Server();
    servers.push(strict);
    const strictPort = await bind(strict, serverCredentialsFor({ ...serverFiles, clientAuth: 'required' }));
    expect((await firstHandshake(strictPort, serverFiles.caFile, member)).authorized).toBe(true);
    const refused = await handshake(strictPort, serverFiles.caFile, intruder).catch((error: Error) => error);
    expect(refused instanceof Error || refused.authorized === false).toBe(true);

    // The principal a verified certificate names (what the authenticator uses).
    expect(certificatePrincipal({ subject: { CN: 'broker-7' } })).toBe('User:CN=broker-7');
    expect(certificatePrincipal({ subject: { CN: 'broker-7', O: 'sluice' } })).toBe('User:CN=broker-7,O=sluice');
    expect(certificatePrincipal({})).toBeUndefined();
  });
});
