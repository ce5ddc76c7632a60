/**
 * The e2e suite's OpenID provider: `e2e/oidc/issuer.mjs` (npm oidc-provider) started as its own
 * process on loopback, stopped by pid. The test owns the issuer's signing key (handed to the
 * process in its config file) only to craft the tokens an attacker would send under the issuer's
 * kid; every token a client obtains comes from the issuer's token endpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface OidcClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accessTokenTtlSeconds?: number;
}

export interface OidcIssuer {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly audience: string;
  /** The issuer's signing key and kid (for crafted attack tokens only). */
  readonly signingKey: KeyObject;
  readonly kid: string;
  readonly pid: number;
  /** SIGKILL: the JWKS endpoint goes down mid-test. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

export async function startOidcIssuer(
  dir: string,
  clients: readonly OidcClient[],
  audience = 'urn:sluice:test',
): Promise<OidcIssuer> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'issuer-key-1';
  const configFile = join(dir, 'oidc-issuer.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      host: '127.0.0.1',
      audience,
      signingKey: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
      clients,
    }),
  );
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, '..', 'oidc', 'issuer.mjs'), configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 10_000) stderr += chunk.toString();
  });
  const ready = await new Promise<{ issuer: string; tokenEndpoint: string; jwksUri: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`OIDC issuer not ready in ${READY_TIMEOUT_MS} ms: ${stderr}`)),
      READY_TIMEOUT_MS,
    );
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { issuer: string; tokenEndpoint: string; jwksUri: string });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OIDC issuer exited with ${code}: ${stderr}`));
    });
  });
  const pid = child.pid as number;
  let exited: Promise<void> | undefined;
  return {
    ...ready,
    audience,
    signingKey: privateKey,
    kid,
    pid,
    kill() {
      exited ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(pid, 'SIGKILL');
      });
      return exited;
    },
  };
}
