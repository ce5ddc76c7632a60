/**
 * A secure install through the node agent (e2e/node-agent, shared setup in node-agent-harness.ts):
 * the chart's security values with certificates made here as `cluster up --tls` makes them (the
 * local CA, one certificate per role whose DNS names cover the role's pods), mutual TLS on every
 * listener (ssl.client.auth=required: the services call each other with their certificates, and
 * every client needs one) and ACLs (the StandardAuthorizer, the services' principals as super
 * users). Proven against the real StatefulSet controller and the real processes:
 *
 * - `helm install` to every pod Ready, readiness read over /readyz (the kubelet's grpc: probe
 *   speaks no TLS);
 * - `helm test`: the test pod (its own certificate, CN=helm-test, granted ACLs on the helm-test-
 *   topic prefix by an operator's certificate) creates a topic, produces and consumes one record;
 * - what is refused: the same principal outside its ACLs (TOPIC_AUTHORIZATION_FAILED), a client
 *   with no certificate, and a plaintext client; none of them changes anything;
 * - a second release (one pod per role) with OAuth bearer tokens from a real OpenID provider
 *   (SASL_SSL): Ready, `helm test` with a client-credentials token, a caller with neither token
 *   nor certificate refused (SASL_AUTHENTICATION_FAILED).
 *
 * Smaller than node-agent.test.ts's cluster (3 controllers, 2 brokers, 2 coordinators): enough for
 * the Raft quorum, replication and the coordinators to talk mutual TLS, and modest on 2 cores.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalCa, issueCertificate, waitFor, type IssuedFiles, type LocalCa } from '@sluice/local-cluster';
import { Admin } from '../../packages/client/src';
import { ExitCode, runCli } from '../../packages/cli/src';
import { BUILD_TIMEOUT_MS, CHART_DIR, valuesFile, type ControlPlane, type KubeObject } from './kubernetes';
import {
  agentChartValues,
  isReady,
  servicePods,
  startNodeAgent,
  stopNodeAgent,
  type NodeAgentRun,
} from './node-agent-harness';
import { startOidcIssuer, type OidcIssuer } from './oidc-issuer';

const NS = 'secure';
const ROLES = ['controller', 'broker', 'coordinator'] as const;
const REPLICAS = { controller: 3, broker: 2, coordinator: 2 };
const POD_COUNT = REPLICAS.controller + REPLICAS.broker + REPLICAS.coordinator;
const PRINCIPALS = {
  controller: 'User:CN=sluice-controller',
  broker: 'User:CN=sluice-broker',
  coordinator: 'User:CN=sluice-coordinator',
};
const ADMIN_PRINCIPAL = 'User:CN=admin';
const TEST_PRINCIPAL = 'User:CN=helm-test';
const TEST_TOPIC_PREFIX = 'helm-test-';

const headless = (role: string, ns = NS): string => `rel-sluice-${role}-headless.${ns}.svc.cluster.local`;
const controllers = Array.from(
  { length: REPLICAS.controller },
  (_, i) => `rel-sluice-controller-${i}.${headless('controller')}:9093`,
);

let run: NodeAgentRun | undefined;
let plane: ControlPlane;
let stateDir: string;
let admin: IssuedFiles;
let helmTest: IssuedFiles;
let ca: LocalCa;

function pods(): KubeObject[] {
  return servicePods(plane, NS);
}

/** A Secret in the layout a cert-manager Certificate writes (tls.crt, tls.key, ca.crt). */
function createTlsSecret(name: string, files: IssuedFiles, ns = NS): void {
  plane.kubectl([
    'create',
    'secret',
    'generic',
    name,
    '-n',
    ns,
    '--type=kubernetes.io/tls',
    `--from-file=tls.crt=${files.certificateFile}`,
    `--from-file=tls.key=${files.privateKeyFile}`,
    `--from-file=ca.crt=${files.caFile}`,
  ]);
}

/** The CLI in this process with the given TLS flags, against the controllers' pod names. */
async function sluice(
  tls: readonly string[],
  ...argv: string[]
): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...argv, ...tls, '--bootstrap', controllers.join(',')], {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  });
  return { code, out, err };
}

const tlsFlags = (files: IssuedFiles): string[] => [
  '--tls-ca',
  files.caFile,
  '--tls-cert',
  files.certificateFile,
  '--tls-key',
  files.privateKeyFile,
];

function adminClient(): Admin {
  return new Admin({
    bootstrap: controllers,
    timeoutMs: 20_000,
    security: {
      tls: { caFile: admin.caFile, certificateFile: admin.certificateFile, privateKeyFile: admin.privateKeyFile },
    },
  });
}

beforeAll(async () => {
  run = await startNodeAgent();
  plane = run.plane;
  stateDir = run.stateDir;
  // One CA; each role's certificate covers its pods (and the controllers the client Service).
  const tlsDir = join(stateDir, 'tls');
  mkdirSync(tlsDir);
  ca = await createLocalCa('sluice e2e CA');
  plane.kubectl(['create', 'namespace', NS]);
  for (const role of ROLES) {
    const dnsNames = [`*.${headless(role)}`, ...(role === 'controller' ? [`rel-sluice.${NS}.svc.cluster.local`] : [])];
    createTlsSecret(`sluice-${role}-tls`, await issueCertificate(ca, tlsDir, `sluice-${role}`, { dnsNames }));
  }
  helmTest = await issueCertificate(ca, tlsDir, 'helm-test');
  createTlsSecret('sluice-helm-test-tls', helmTest);
  admin = await issueCertificate(ca, tlsDir, 'admin');
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await stopNodeAgent(run);
}, 90_000);

test('helm install with mutual TLS and ACLs: every pod Ready, readiness read over /readyz', async () => {
  const secure = valuesFile(stateDir, 'secure-values', {
    controller: { replicas: REPLICAS.controller },
    broker: { replicas: REPLICAS.broker },
    config: {
      'default.replication.factor': 2,
      'min.insync.replicas': 1,
      'offsets.topic.replication.factor': 2,
      'share.coordinator.state.topic.replication.factor': 2,
    },
    security: {
      tls: {
        enabled: true,
        clientAuth: 'required',
        ...Object.fromEntries(
          ROLES.map((role) => [role, { secretName: `sluice-${role}-tls`, principal: PRINCIPALS[role] }]),
        ),
      },
      authorization: { enabled: true, superUsers: [ADMIN_PRINCIPAL], allowEveryoneIfNoAclFound: false },
    },
    tests: { tlsSecretName: 'sluice-helm-test-tls' },
  });
  const started = Date.now();
  const result = plane.helm([
    'install',
    'rel',
    CHART_DIR,
    '-n',
    NS,
    '-f',
    valuesFile(stateDir, 'agent-values', agentChartValues()),
    '-f',
    secure,
  ]);
  expect(result.stderr).toBe('');
  await waitFor(
    `all ${POD_COUNT} pods Ready`,
    () => {
      const all = pods();
      return all.length === POD_COUNT && all.every(isReady);
    },
    240_000,
    1_000,
  );
  process.stdout.write(
    `node-agent secure: helm install (mTLS + ACLs) to ${POD_COUNT} Ready pods in ${Date.now() - started} ms\n${plane.kubectl(['get', 'pods', '-n', NS, '-o', 'wide'])}`,
  );
  const broker = pods().find((p) => p.metadata.name === 'rel-sluice-broker-0') as KubeObject;
  expect(broker.spec.containers[0].readinessProbe.httpGet.path).toBe('/readyz?service=sluice.v1.Broker');
  expect(broker.spec.containers[0].livenessProbe.httpGet.path).toBe('/healthz');
  const config = readFileSync(
    join(stateDir, 'pods', readdirPod('rel-sluice-broker-0'), 'volumes', 'run', 'server.properties'),
    'utf8',
  );
  expect(config).toContain('listeners=SSL://');
  expect(config).toContain('ssl.client.auth=required');
}, 300_000);

/** The agent's directory of a pod (`<ns>_<pod>_<uid>`). */
function readdirPod(name: string, ns = NS): string {
  const dir = readdirSync(join(stateDir, 'pods')).find((d) => d.startsWith(`${ns}_${name}_`));
  if (dir === undefined) throw new Error(`no pod directory for ${name}`);
  return dir;
}

test("helm test over mutual TLS: the test pod's principal, granted ACLs on its topic prefix, produces and consumes", async () => {
  const operator = adminClient();
  try {
    const granted = await operator.createAcls(
      (['CREATE', 'WRITE', 'READ', 'DESCRIBE'] as const).map((operation) => ({
        resourceType: 'TOPIC' as const,
        resourceName: TEST_TOPIC_PREFIX,
        patternType: 'PREFIXED' as const,
        principal: TEST_PRINCIPAL,
        operation,
      })),
    );
    expect(granted.map((r) => r.error)).toEqual([undefined, undefined, undefined, undefined]);
  } finally {
    operator.close();
  }
  const started = Date.now();
  const result = plane.helm(['test', 'rel', '-n', NS, '--timeout', '180s']);
  const log = readFileSync(join(stateDir, 'logs', `${NS}_rel-sluice-test-produce-consume_produce-consume.log`), 'utf8');
  process.stdout.write(`node-agent secure: helm test in ${Date.now() - started} ms\n${result.stdout}${log}`);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(/TEST SUITE:\s+rel-sluice-test-produce-consume[\s\S]*Phase:\s+Succeeded/);
  expect(log).toMatch(/helm test: produced and consumed record-of-helm-test-\d+ on helm-test-\d+/);
}, 240_000);

test('refused, changing nothing: a principal outside its ACLs, a client without a certificate, a plaintext client', async () => {
  const outside = await sluice(
    tlsFlags(helmTest),
    'topic',
    'create',
    'payroll',
    '--partitions',
    '1',
    '--replication-factor',
    '2',
  );
  expect(outside.code).not.toBe(ExitCode.OK);
  expect(outside.err).toContain('TOPIC_AUTHORIZATION_FAILED');

  // ssl.client.auth=required: the TLS handshake itself fails without a client certificate.
  const noCertificate = await sluice(['--tls-ca', admin.caFile, '--timeout', '3000'], 'topic', 'create', 'payroll');
  expect(noCertificate.code).not.toBe(ExitCode.OK);
  const plaintext = await sluice(['--timeout', '3000'], 'topic', 'create', 'payroll');
  expect(plaintext.code).not.toBe(ExitCode.OK);

  const operator = adminClient();
  try {
    const names = await operator.listTopics();
    expect(names).not.toContain('payroll');
    expect(names.some((name) => name.startsWith(TEST_TOPIC_PREFIX))).toBe(true);
  } finally {
    operator.close();
  }
  await waitFor('every pod still Ready', () => pods().length === POD_COUNT && pods().every(isReady), 30_000, 500);
}, 120_000);

describe('OAuth bearer tokens (SASL_SSL) from a real OpenID provider, ACLs on', () => {
  // One pod per role: what this adds is the token path (the services fetching the issuer's JWKS,
  // the test pod's client-credentials grant), not more replication.
  const OAUTH_NS = 'secure-oauth';
  const CLIENT_ID = 'helm-test-client';
  const CLIENT_SECRET = 'helm-test-secret';
  let issuer: OidcIssuer | undefined;

  beforeAll(async () => {
    // The issuer listens on 127.0.0.1, which the pods (their own loopback addresses, the host's
    // network) reach as the services would reach a real provider.
    issuer = await startOidcIssuer(stateDir, [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }]);
    plane.kubectl(['create', 'namespace', OAUTH_NS]);
    for (const role of ROLES) {
      const dnsNames = [
        `*.${headless(role, OAUTH_NS)}`,
        ...(role === 'controller' ? [`rel-sluice.${OAUTH_NS}.svc.cluster.local`] : []),
      ];
      const files = await issueCertificate(ca, join(stateDir, 'tls', OAUTH_NS), `sluice-${role}`, { dnsNames });
      createTlsSecret(`sluice-${role}-tls`, files, OAUTH_NS);
    }
    plane.kubectl([
      'create',
      'secret',
      'generic',
      'helm-test-oauth-client',
      '-n',
      OAUTH_NS,
      `--from-literal=client-id=${CLIENT_ID}`,
      `--from-literal=client-secret=${CLIENT_SECRET}`,
    ]);
  }, 60_000);

  afterAll(async () => {
    await issuer?.kill();
  });

  test('helm install to Ready; an operator grants the token principal ACLs; helm test passes with a token', async () => {
    const oidc = issuer as OidcIssuer;
    const controller = `rel-sluice-controller-0.${headless('controller', OAUTH_NS)}:9093`;
    const values = valuesFile(stateDir, 'oauth-values', {
      controller: { replicas: 1, pdb: { enabled: false } },
      broker: { replicas: 1, pdb: { enabled: false } },
      config: {
        'default.replication.factor': 1,
        'min.insync.replicas': 1,
        'offsets.topic.replication.factor': 1,
        'share.coordinator.state.topic.replication.factor': 1,
      },
      security: {
        tls: {
          enabled: true,
          clientAuth: '',
          ...Object.fromEntries(
            ROLES.map((role) => [role, { secretName: `sluice-${role}-tls`, principal: PRINCIPALS[role] }]),
          ),
        },
        oauth: {
          enabled: true,
          issuer: oidc.issuer,
          audience: [oidc.audience],
          clientCredentials: {
            tokenEndpoint: oidc.tokenEndpoint,
            secretName: 'helm-test-oauth-client',
            clientIdKey: 'client-id',
            clientSecretKey: 'client-secret',
          },
        },
        authorization: { enabled: true, superUsers: [ADMIN_PRINCIPAL], allowEveryoneIfNoAclFound: false },
      },
    });
    const started = Date.now();
    const result = plane.helm([
      'install',
      'rel',
      CHART_DIR,
      '-n',
      OAUTH_NS,
      '-f',
      valuesFile(stateDir, 'agent-values', agentChartValues()),
      '-f',
      values,
    ]);
    expect(result.stderr).toBe('');
    await waitFor(
      'the three OAuth pods Ready',
      () => {
        const all = servicePods(plane, OAUTH_NS);
        return all.length === 3 && all.every(isReady);
      },
      240_000,
      1_000,
    );
    const installedMs = Date.now() - started;
    const config = readFileSync(
      join(stateDir, 'pods', readdirPod('rel-sluice-broker-0', OAUTH_NS), 'volumes', 'run', 'server.properties'),
      'utf8',
    );
    expect(config).toContain('listeners=SASL_SSL://');
    expect(config).toContain(`sasl.oauthbearer.expected.issuer=${oidc.issuer}`);
    expect(config).toContain('ssl.client.auth=requested');

    // The token's principal is User:<sub>, the client id for the client-credentials grant.
    const operator = new Admin({
      bootstrap: [controller],
      timeoutMs: 20_000,
      security: {
        tls: { caFile: admin.caFile, certificateFile: admin.certificateFile, privateKeyFile: admin.privateKeyFile },
      },
    });
    try {
      const granted = await operator.createAcls(
        (['CREATE', 'WRITE', 'READ', 'DESCRIBE'] as const).map((operation) => ({
          resourceType: 'TOPIC' as const,
          resourceName: TEST_TOPIC_PREFIX,
          patternType: 'PREFIXED' as const,
          principal: `User:${CLIENT_ID}`,
          operation,
        })),
      );
      expect(granted.map((r) => r.error)).toEqual([undefined, undefined, undefined, undefined]);
    } finally {
      operator.close();
    }
    const testStarted = Date.now();
    const test = plane.helm(['test', 'rel', '-n', OAUTH_NS, '--timeout', '180s']);
    const log = readFileSync(
      join(stateDir, 'logs', `${OAUTH_NS}_rel-sluice-test-produce-consume_produce-consume.log`),
      'utf8',
    );
    process.stdout.write(
      `node-agent secure (OAuth): helm install to 3 Ready pods in ${installedMs} ms, helm test in ${Date.now() - testStarted} ms\n${log}`,
    );
    expect(test.stderr).toBe('');
    expect(test.stdout).toMatch(/TEST SUITE:\s+rel-sluice-test-produce-consume[\s\S]*Phase:\s+Succeeded/);
    expect(log).toMatch(/helm test: produced and consumed record-of-helm-test-\d+ on helm-test-\d+/);

    // Without a token or a certificate, a SASL_SSL listener refuses the caller.
    let anonymousErr = '';
    const anonymous = await runCli(
      [
        'topic',
        'create',
        'helm-test-anonymous',
        '--tls-ca',
        admin.caFile,
        '--bootstrap',
        controller,
        '--timeout',
        '5000',
      ],
      { out: () => undefined, err: (text) => void (anonymousErr += text) },
    );
    expect(anonymous).not.toBe(ExitCode.OK);
    expect(anonymousErr).toContain('SASL_AUTHENTICATION_FAILED');
  }, 360_000);
});
