/**
 * Security against real processes: a real OpenID provider (oidc-provider, its own process), and
 * a secure LocalCluster (one controller, three brokers, three coordinators: mutual TLS between
 * them with certificates from a local CA, SASL_SSL listeners taking bearer JWTs, ACLs in the
 * metadata log, StandardAuthorizer semantics). Each refused case is checked three ways: the
 * Kafka-named error the caller gets, the audit line the service wrote (matched by the trace id
 * the caller sent in `traceparent`), and that no state changed. The table of cases is printed.
 */
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { ClientCredentialsTokenSource, Consumer, Producer, StaticTokenSource } from '../../packages/client/src';
import {
  createGrpcClient,
  fromGrpcError,
  serviceClientConstructor,
  unaryCall,
  type ClientSecurity,
  type TokenSource,
} from '../../packages/proto/src';
import { createLocalCa, issueCertificate, LocalCluster, sleep, waitFor } from '@sluice/local-cluster';
import { ExitCode, runCli } from '../../packages/cli/src';
import { es256, hs256WithPublicKey, unsigned, withBadSignature } from './jwt-craft';
import { startOidcIssuer, type OidcIssuer } from './oidc-issuer';

jest.setTimeout(240_000);

const TOPIC = 'orders';
const GROUP = 'billing';
const SECRET = 'e2e-secret';

interface Row {
  readonly name: string;
  readonly errorName: string;
  readonly audited: boolean;
  readonly unchanged: boolean;
}

describe('security: TLS, OIDC tokens, ACLs and the audit trail (real processes)', () => {
  let dir: string;
  let issuer: OidcIssuer;
  let cluster: LocalCluster;
  let caFile: string;
  const rows: Row[] = [];
  const closers: (() => Promise<void> | void)[] = [];

  const tokenFrom = (clientId: string): ClientCredentialsTokenSource =>
    new ClientCredentialsTokenSource({ tokenEndpointUrl: issuer.tokenEndpoint, clientId, clientSecret: SECRET });
  const withTokens = (tokens: TokenSource): ClientSecurity => ({ tls: { caFile }, tokens });
  const withToken = (token: string): ClientSecurity => withTokens(new StaticTokenSource(token));
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);
  const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: issuer.issuer,
    aud: issuer.audience,
    sub: 'alice',
    iat: nowSeconds(),
    exp: nowSeconds() + 300,
    ...overrides,
  });

  /** A W3C traceparent with a fresh trace id: how a case finds its own audit line. */
  function traceparent(): { header: string; traceId: string } {
    const traceId = randomBytes(16).toString('hex');
    return { header: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceId };
  }

  function auditLines(): Record<string, unknown>[] {
    const lines: Record<string, unknown>[] = [];
    for (const file of readdirSync(cluster.baseDir).filter((name) => /^audit-.*\.log$/.test(name))) {
      for (const line of readFileSync(join(cluster.baseDir, file), 'utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    }
    return lines;
  }

  async function auditedWith(traceId: string, result: string): Promise<boolean> {
    // The line is written before the refusal leaves (synchronously); a short bound covers file reads.
    for (let attempt = 0; attempt < 20; attempt++) {
      if (auditLines().some((line) => line.traceId === traceId && line.result === result)) return true;
      await sleep(50);
    }
    return false;
  }

  /** A raw unary call with its own traceparent, returning the Kafka error name ('' on success). */
  async function rawCall(
    service: 'Controller' | 'Broker' | 'Coordinator',
    address: string,
    security: ClientSecurity,
    method: string,
    request: object,
  ): Promise<{ errorName: string; traceId: string; response: unknown }> {
    const { header, traceId } = traceparent();
    const metadata = new Metadata();
    metadata.set('traceparent', header);
    const client = createGrpcClient(service, address, {}, security);
    try {
      const response = await unaryCall(client as never, method as never, request as never, {
        timeoutMs: 10_000,
        metadata,
      });
      return { errorName: '', traceId, response };
    } catch (error) {
      return { errorName: fromGrpcError(error).errorName, traceId, response: undefined };
    } finally {
      client.close();
    }
  }

  async function topicExists(name: string): Promise<boolean> {
    return (await cluster.admin.listTopics()).includes(name);
  }

  /** `orders-0=12,orders-1=8,...`: the log end offsets, in partition order. */
  async function endOffsets(): Promise<string> {
    const offsets = await cluster.admin.listOffsets(
      [0, 1, 2].map((partition) => ({ topic: TOPIC, partition })),
      'latest',
    );
    return [...offsets.entries()]
      .map(([key, entry]) => `${key}=${entry.offset}`)
      .sort()
      .join(',');
  }

  /** An authentication case: CreateTopics of a fresh name on the controller with `security`. */
  async function refusedCreate(name: string, security: ClientSecurity, expected = 'SASL_AUTHENTICATION_FAILED') {
    const topic = `probe-${rows.length}`;
    const { errorName, traceId } = await rawCall(
      'Controller',
      cluster.controllers.addresses()[0] as string,
      security,
      'CreateTopics',
      {
        topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }],
      },
    );
    const row = {
      name,
      errorName,
      audited: await auditedWith(traceId, expected),
      unchanged: !(await topicExists(topic)),
    };
    rows.push(row);
    expect(row).toEqual({ name, errorName: expected, audited: true, unchanged: true });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-security-'));
    issuer = await startOidcIssuer(dir, [
      { clientId: 'alice', clientSecret: SECRET },
      { clientId: 'bob', clientSecret: SECRET },
      { clientId: 'shortlived', clientSecret: SECRET, accessTokenTtlSeconds: 2 },
    ]);
    const skew = { 'sasl.oauthbearer.clock.skew.seconds': 1 };
    cluster = await LocalCluster.start({
      baseDir: join(dir, 'cluster'),
      security: {
        oauthBearer: { issuer: issuer.issuer, audience: issuer.audience },
        certificateReloadIntervalMs: 500,
      },
      roles: {
        controller: { count: 1, config: skew },
        broker: { config: { ...skew, 'broker.heartbeat.interval.ms': 200, 'min.insync.replicas': 2 } },
        coordinator: {
          config: {
            ...skew,
            'offsets.topic.num.partitions': 3,
            'group.consumer.session.timeout.ms': 3_000,
            'group.consumer.heartbeat.interval.ms': 300,
          },
        },
      },
    });
    caFile = cluster.issued?.admin.caFile as string;
    await cluster.admin.createTopic({ name: TOPIC, numPartitions: 3, replicationFactor: 3 });
    const acls = await cluster.admin.createAcls([
      { resourceType: 'TOPIC', resourceName: TOPIC, principal: 'User:alice', operation: 'WRITE' },
      { resourceType: 'TOPIC', resourceName: TOPIC, principal: 'User:alice', operation: 'READ' },
      { resourceType: 'TOPIC', resourceName: TOPIC, principal: 'User:bob', operation: 'READ' },
      { resourceType: 'GROUP', resourceName: GROUP, principal: 'User:bob', operation: 'READ' },
    ]);
    expect(acls.map((result) => result.error)).toEqual([undefined, undefined, undefined, undefined]);
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await cluster?.stop();
    await issuer?.kill();
    if (rows.length > 0) {
      const table = [
        '| case | error | audited | state unchanged |',
        '|---|---|---|---|',
        ...rows.map(
          (r) => `| ${r.name} | ${r.errorName} | ${r.audited ? 'yes' : 'no'} | ${r.unchanged ? 'yes' : 'no'} |`,
        ),
      ].join('\n');
      process.stdout.write(`\nsecurity refusal table\n${table}\n`);
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('serves a token holder its ACLs over TLS: alice produces, bob consumes in group billing and commits', async () => {
    const producer = new Producer({ bootstrap: cluster.brokers.addresses(), security: withTokens(tokenFrom('alice')) });
    closers.push(() => producer.close());
    for (let i = 0; i < 30; i++) await producer.send({ topic: TOPIC, key: `k${i}`, value: `v${i}` });
    const consumer = new Consumer({
      bootstrap: cluster.brokers.addresses(),
      groupId: GROUP,
      coordinators: cluster.coordinators.addresses(),
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      security: withTokens(tokenFrom('bob')),
    });
    closers.push(() => consumer.close());
    consumer.subscribe([TOPIC]);
    const seen: string[] = [];
    const deadline = Date.now() + 60_000;
    while (seen.length < 30 && Date.now() < deadline) {
      for (const record of await consumer.poll(500)) seen.push(String(record.value));
    }
    expect(seen.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort());
    await consumer.commitSync();
  });

  it('refreshes a client-credentials token before it expires', async () => {
    const source = tokenFrom('shortlived');
    const first = await source.token();
    expect(await source.token()).toBe(first);
    await sleep(1_800); // past 0.8 of its 2 s lifetime: the next call fetches a new one
    const second = await source.token();
    expect(second).not.toBe(first);
    expect(source.fetches).toBe(2);
  });

  it('drives the CLI with the admin certificate (sluice acl list) and with a token (topic list)', async () => {
    const admin = cluster.issued?.admin;
    if (admin === undefined) throw new Error('assertion: a secure cluster has an admin identity');
    const out: string[] = [];
    const io = { out: (text: string) => void out.push(text), err: (text: string) => void out.push(text) };
    const bootstrap = ['--bootstrap', cluster.controllers.addresses().join(',')];
    const tls = ['--tls-ca', admin.caFile, '--tls-cert', admin.certificateFile, '--tls-key', admin.privateKeyFile];
    expect(await runCli(['acl', 'list', '--topic', TOPIC, ...bootstrap, ...tls], io)).toBe(ExitCode.OK);
    expect(out.join('')).toContain('(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)');
    // bob may describe only what he may read: the listing is filtered, not refused.
    await cluster.admin.createTopic({ name: 'secret-payroll', numPartitions: 1, replicationFactor: 1 });
    out.length = 0;
    const token = ['--tls-ca', admin.caFile, '--token', await tokenFromCache('bob')];
    expect(await runCli(['topic', 'list', ...bootstrap, ...token], io)).toBe(ExitCode.OK);
    expect(out.join('').trim().split('\n')).toEqual([TOPIC]);
  });

  it('refuses unauthenticated and forged callers with SASL_AUTHENTICATION_FAILED', async () => {
    await refusedCreate('no token (TLS, no client certificate)', { tls: { caFile } });

    const shortlived = await tokenFrom('shortlived').token();
    await sleep(3_500); // the token's 2 s lifetime and the 1 s clock skew have passed
    await refusedCreate('expired token (exp)', withToken(shortlived));

    await refusedCreate(
      'not yet valid (nbf in 10 min)',
      withToken(es256(issuer.signingKey, issuer.kid, claims({ nbf: nowSeconds() + 600, exp: nowSeconds() + 1200 }))),
    );
    await refusedCreate(
      'wrong issuer',
      withToken(es256(issuer.signingKey, issuer.kid, claims({ iss: 'http://127.0.0.1:9/other' }))),
    );
    await refusedCreate(
      'wrong audience',
      withToken(es256(issuer.signingKey, issuer.kid, claims({ aud: 'urn:someone-else' }))),
    );
    await refusedCreate('bad signature', withToken(withBadSignature(await tokenFrom('alice').token())));
    await refusedCreate('alg: none', withToken(unsigned(claims())));
    await refusedCreate(
      'HS256 signed with the public key (algorithm confusion)',
      withToken(hs256WithPublicKey(issuer.signingKey, issuer.kid, claims())),
    );
    const { privateKey: stranger } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await refusedCreate('unknown kid', withToken(es256(stranger, 'not-in-the-jwks', claims())));
  });

  it('refuses a client certificate from another CA, and a plaintext client on a TLS port', async () => {
    const otherCa = await createLocalCa('another CA');
    const intruder = await issueCertificate(otherCa, dir, 'intruder');
    await refusedCreate('client certificate from another CA (no token)', {
      tls: { caFile, certificateFile: intruder.certificateFile, privateKeyFile: intruder.privateKeyFile },
    });

    // No RPC ever reaches the server: the TLS handshake fails, and the connection is what is audited.
    const handshakeFailures = (): number =>
      auditLines().filter((line) => line.rpc === 'TLS handshake' && line.result === 'SSL_AUTHENTICATION_FAILED').length;
    const failuresBefore = handshakeFailures();
    const Controller = serviceClientConstructor('Controller');
    const plaintext = new Controller(cluster.controllers.addresses()[0] as string, credentials.createInsecure());
    const topic = `probe-plaintext`;
    let errorName = '';
    try {
      await unaryCall(
        plaintext,
        'CreateTopics',
        { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: {} }] },
        { timeoutMs: 3_000 },
      );
    } catch (error) {
      errorName = fromGrpcError(error).errorName;
    } finally {
      plaintext.close();
    }
    let audited = false;
    for (let attempt = 0; attempt < 20 && !audited; attempt++) {
      audited = handshakeFailures() > failuresBefore;
      if (!audited) await sleep(50);
    }
    const row = {
      name: 'plaintext client on a TLS port (handshake audited as SSL_AUTHENTICATION_FAILED)',
      errorName,
      audited,
      unchanged: !(await topicExists(topic)),
    };
    rows.push(row);
    expect(errorName).toMatch(/^(NETWORK_EXCEPTION|REQUEST_TIMED_OUT)$/);
    expect(row).toEqual({ ...row, audited: true, unchanged: true });
  });

  it('keeps validating with cached keys while the JWKS endpoint is down, and refuses new kids', async () => {
    // A token the services have never seen, fetched before the issuer goes away.
    const fresh = await tokenFrom('alice').token();
    await issuer.kill();
    const before = await endOffsets();
    const broker = cluster.brokers.addresses()[0] as string;
    const metadata = await rawCall('Broker', broker, withToken(fresh), 'Metadata', { topics: [TOPIC] });
    expect(metadata.errorName).toBe('');
    await refusedCreate(
      'new kid while the JWKS endpoint is down',
      withToken(es256(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'issuer-key-2', claims())),
    );
    expect(await endOffsets()).toEqual(before);
  });

  it('refuses what ACLs do not allow: WRITE with READ only, a commit for another group, ACL changes', async () => {
    const bob = withToken(await tokenFromCache('bob'));
    const before = await endOffsets();
    const leader = (await cluster.admin.describeTopic(TOPIC)).partitions[0]?.leader as number;
    const produce = await rawCall('Broker', cluster.brokers.address(leader), bob, 'Produce', {
      acks: -1,
      timeoutMs: 5_000,
      topics: [{ name: TOPIC, partitions: [{ partition: 0, records: Buffer.alloc(0) }] }],
    });
    const answer = produce.response as { topics: { name: string; partitions: { errorName: string }[] }[] };
    const produceRow = {
      name: 'READ-only principal writes the topic',
      errorName: answer.topics[0]?.partitions[0]?.errorName ?? produce.errorName,
      audited: await auditedWith(produce.traceId, 'TOPIC_AUTHORIZATION_FAILED'),
      unchanged: (await endOffsets()) === before,
    };
    rows.push(produceRow);
    expect(produceRow).toEqual({
      ...produceRow,
      errorName: 'TOPIC_AUTHORIZATION_FAILED',
      audited: true,
      unchanged: true,
    });

    const commit = await rawCall('Coordinator', cluster.coordinators.addresses()[0] as string, bob, 'OffsetCommit', {
      groupId: 'payroll',
      memberId: '',
      memberEpoch: -1,
      topics: [{ name: TOPIC, partitions: [{ partition: 0, offset: '5', leaderEpoch: -1, metadata: '' }] }],
    });
    const commitRow = {
      name: 'commit for another group',
      errorName: commit.errorName,
      audited: await auditedWith(commit.traceId, 'GROUP_AUTHORIZATION_FAILED'),
      unchanged: (await cluster.admin.listGroupOffsets('payroll').catch(() => [])).length === 0,
    };
    rows.push(commitRow);
    expect(commitRow).toEqual({
      ...commitRow,
      errorName: 'GROUP_AUTHORIZATION_FAILED',
      audited: true,
      unchanged: true,
    });

    const aclsBefore = (await cluster.admin.describeAcls()).length;
    const createAcl = await rawCall('Controller', cluster.controllers.addresses()[0] as string, bob, 'CreateAcls', {
      creations: [
        {
          resourceType: 'TOPIC',
          resourceName: '*',
          patternType: 'LITERAL',
          principal: 'User:bob',
          host: '*',
          operation: 'ALL',
          permission: 'ALLOW',
        },
      ],
    });
    const aclRow = {
      name: 'non-admin grants itself ALL',
      errorName: createAcl.errorName,
      audited: await auditedWith(createAcl.traceId, 'CLUSTER_AUTHORIZATION_FAILED'),
      unchanged: (await cluster.admin.describeAcls()).length === aclsBefore,
    };
    rows.push(aclRow);
    expect(aclRow).toEqual({ ...aclRow, errorName: 'CLUSTER_AUTHORIZATION_FAILED', audited: true, unchanged: true });
  });

  it('audits a metadata change with the certificate principal and the trace id', async () => {
    const admin = cluster.issued?.adminSecurity as ClientSecurity;
    const change = await rawCall('Controller', cluster.controllers.addresses()[0] as string, admin, 'CreateAcls', {
      creations: [
        {
          resourceType: 'GROUP',
          resourceName: 'audited',
          patternType: 'LITERAL',
          principal: 'User:bob',
          host: '*',
          operation: 'DESCRIBE',
          permission: 'ALLOW',
        },
      ],
    });
    expect(change.errorName).toBe('');
    const line = auditLines().find((entry) => entry.traceId === change.traceId);
    expect(line).toMatchObject({
      principal: 'User:CN=admin',
      host: '127.0.0.1',
      operation: 'CreateAcls',
      result: 'OK',
    });
  });

  it('refuses the next message of an open produce stream once its ACL is removed', async () => {
    const producer = new Producer({
      bootstrap: cluster.brokers.addresses(),
      security: withToken(await tokenFromCache('alice')),
      retries: 0,
    });
    closers.push(() => producer.close());
    await producer.send({ topic: TOPIC, partition: 1, value: 'before' });
    const removed = await cluster.admin.deleteAcls([
      { resourceType: 'TOPIC', resourceName: TOPIC, principal: 'User:alice', operation: 'WRITE' },
    ]);
    expect(removed[0]?.deleted).toHaveLength(1);
    // Bounded wait until the partition's leader applied the removal (it follows the metadata log).
    const leader = (await cluster.admin.describeTopic(TOPIC)).partitions[1]?.leader as number;
    await waitFor(
      'the leader to apply the ACL removal',
      async () => {
        const probe = await rawCall(
          'Broker',
          cluster.brokers.address(leader),
          withToken(await tokenFromCache('alice')),
          'Produce',
          {
            acks: 1,
            timeoutMs: 1_000,
            // No records: refused, the partition answers TOPIC_AUTHORIZATION_FAILED; allowed, a batch error.
            topics: [{ name: TOPIC, partitions: [{ partition: 1, records: Buffer.alloc(0) }] }],
          },
        );
        const answer = probe.response as { topics: { partitions: { errorName: string }[] }[] } | undefined;
        return answer?.topics[0]?.partitions[0]?.errorName === 'TOPIC_AUTHORIZATION_FAILED';
      },
      30_000,
    );
    const before = await endOffsets();
    let errorName = '';
    await producer.send({ topic: TOPIC, partition: 1, value: 'after' }).catch((error: { errorName?: string }) => {
      errorName = error.errorName ?? String(error);
    });
    const row = {
      name: 'ACL removed mid-stream (next ProduceStream message)',
      errorName,
      audited: auditLines().some(
        (line) =>
          line.principal === 'User:alice' &&
          line.rpc === 'sluice.v1.Broker/ProduceStream' &&
          line.result === 'TOPIC_AUTHORIZATION_FAILED',
      ),
      unchanged: (await endOffsets()) === before,
    };
    rows.push(row);
    expect(row).toEqual({ ...row, errorName: 'TOPIC_AUTHORIZATION_FAILED', audited: true, unchanged: true });
  });

  /** Tokens fetched before the issuer went down stay valid for their lifetime (300 s). */
  const cachedTokens = new Map<string, Promise<string>>();
  function tokenFromCache(clientId: string): Promise<string> {
    let token = cachedTokens.get(clientId);
    if (token === undefined) {
      token = tokenFrom(clientId).token();
      cachedTokens.set(clientId, token);
    }
    return token;
  }
  beforeAll(async () => {
    // Fetch every principal's token while the issuer is up (the JWKS case kills it mid-suite).
    await Promise.all(['alice', 'bob'].map((clientId) => tokenFromCache(clientId)));
  });
});
