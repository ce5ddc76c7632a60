#!/usr/bin/env node
/**
 * A real OpenID provider for the security e2e tests: the npm `oidc-provider` (a certified OpenID
 * Connect implementation) in its own process, issuing OAuth 2.0 client-credentials access tokens
 * as JWTs (RFC 9068) signed with its own key and published at its JWKS endpoint, with OpenID
 * discovery at /.well-known/openid-configuration.
 *
 *   node e2e/oidc/issuer.mjs <config.json>
 *
 * config.json: { "host": "127.0.0.1", "audience": "urn:sluice:test",
 *   "signingKey": <private JWK with kid and alg>,
 *   "clients": [{ "clientId", "clientSecret", "accessTokenTtlSeconds"? }] }
 * The signing key is handed in so a test can also craft the tokens an attacker would send
 * (wrong audience, future nbf) under the same kid; every token a client obtains comes from here.
 * Prints one JSON line `{"issuer": "...", "tokenEndpoint": "...", "jwksUri": "..."}` once listening.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const configPath = process.argv[2];
if (configPath === undefined) {
  process.stderr.write('usage: issuer.mjs <config.json>\n');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const host = config.host ?? '127.0.0.1';
const ttlByClient = new Map(config.clients.map((c) => [c.clientId, c.accessTokenTtlSeconds ?? 300]));

const server = createServer();
await new Promise((resolve) => server.listen(0, host, resolve));
const { port } = server.address();
const issuer = `http://${host}:${port}`;

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: config.signingKey.alg,
  })),
  jwks: { keys: [config.signingKey] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource, client) => {
        if (resource !== config.audience) throw new Error(`unknown resource ${resource}`);
        return {
          scope: '',
          audience: config.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttlByClient.get(client.clientId) ?? 300,
          jwt: { sign: { alg: config.signingKey.alg } },
        };
      },
    },
  },
});
// Loopback http in tests; the provider refuses plain http issuers unless told it is behind no proxy.
provider.proxy = false;
server.on('request', provider.callback());

const discovery = await (await globalThis.fetch(`${issuer}/.well-known/openid-configuration`)).json();
process.stdout.write(
  `${JSON.stringify({ issuer, tokenEndpoint: discovery.token_endpoint, jwksUri: discovery.jwks_uri })}\n`,
);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
