/**
 * The OpenID provider of the secure rows: e2e/oidc/issuer.mjs (npm oidc-provider, the one the
 * security e2e uses) as a tracked child process on loopback, with one client-credentials client
 * for the load. Its ready line (issuer, token endpoint) is read from its log file.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '@sluice/local-cluster';
import type { BenchIssuer } from './compare-sluice';
import { spawnTracked, stopChild } from './compare-procs';

const ISSUER_SCRIPT = resolve(__dirname, '..', '..', 'e2e', 'oidc', 'issuer.mjs');

export async function startBenchIssuer(dir: string): Promise<BenchIssuer & { stop(): Promise<void> }> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const clientSecret = randomBytes(16).toString('hex');
  const audience = 'urn:sluice:bench';
  const configFile = join(dir, 'oidc-issuer.json');
  const logFile = join(dir, 'oidc-issuer.log');
  writeFileSync(
    configFile,
    JSON.stringify({
      host: '127.0.0.1',
      audience,
      signingKey: { ...privateKey.export({ format: 'jwk' }), kid: 'bench-1', alg: 'ES256', use: 'sig' },
      // Long-lived tokens: the rows measure the request path, not the issuer.
      clients: [{ clientId: 'bench', clientSecret, accessTokenTtlSeconds: 3_600 }],
    }),
  );
  const child = spawnTracked(process.execPath, [ISSUER_SCRIPT, configFile], logFile);
  let ready: { issuer: string; tokenEndpoint: string } | undefined;
  await waitFor(
    'the OpenID provider to listen',
    () => {
      const line = readFileSync(logFile, 'utf8')
        .split('\n')
        .find((text) => text.startsWith('{"issuer"'));
      if (line !== undefined) ready = JSON.parse(line) as { issuer: string; tokenEndpoint: string };
      if (child.exitCode !== null) throw new Error(`the OpenID provider exited: ${readFileSync(logFile, 'utf8')}`);
      return ready !== undefined;
    },
    20_000,
  );
  const { issuer, tokenEndpoint } = ready as { issuer: string; tokenEndpoint: string };
  return { issuer, tokenEndpoint, audience, clientId: 'bench', clientSecret, stop: () => stopChild(child) };
}
