import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, runCli } from '@sluice/cli';
import { bindingsFrom, filterFrom, formatAcls, parseOperation } from '../src/acl-command';
import { UsageError } from '../src/exit-codes';
import { resolveClientSecurity, SECURITY_ENV, writeSecurityFile } from '../src/security-options';

describe('sluice acl: flags to bindings and filters (kafka-acls spelling)', () => {
  it("reads Kafka's operation names and ours", () => {
    expect(parseOperation('Read')).toBe('READ');
    expect(parseOperation('DescribeConfigs')).toBe('DESCRIBE_CONFIGS');
    expect(parseOperation('IDEMPOTENT_WRITE')).toBe('IDEMPOTENT_WRITE');
    expect(() => parseOperation('Fly')).toThrow(UsageError);
  });

  it('makes one binding per principal and operation, deny included', () => {
    const bindings = bindingsFrom({
      timeout: '1000',
      allowPrincipal: ['User:alice'],
      denyPrincipal: ['User:mallory'],
      operation: ['Read', 'Write'],
      topic: 'pay-',
      resourcePatternType: 'prefixed',
    });
    expect(bindings).toHaveLength(4);
    expect(bindings[0]).toEqual({
      resourceType: 'TOPIC',
      resourceName: 'pay-',
      patternType: 'PREFIXED',
      principal: 'User:alice',
      host: '*',
      operation: 'READ',
      permission: 'ALLOW',
    });
    expect(bindings[3]).toMatchObject({ principal: 'User:mallory', operation: 'WRITE', permission: 'DENY' });
  });

  it('refuses incomplete or ambiguous ACLs as usage errors', () => {
    expect(() => bindingsFrom({ timeout: '1', operation: ['Read'], topic: 't' })).toThrow(UsageError);
    expect(() => bindingsFrom({ timeout: '1', allowPrincipal: ['User:a'], topic: 't' })).toThrow(UsageError);
    expect(() =>
      bindingsFrom({ timeout: '1', allowPrincipal: ['User:a'], operation: ['Read'], topic: 't', group: 'g' }),
    ).toThrow(UsageError);
    expect(() => bindingsFrom({ timeout: '1', allowPrincipal: ['User:a'], operation: ['Read'] })).toThrow(UsageError);
  });

  it('builds filters with absent fields matching anything, and formats like kafka-acls', () => {
    expect(filterFrom({ timeout: '1', cluster: true })).toEqual({
      resourceType: 'CLUSTER',
      resourceName: 'kafka-cluster',
    });
    expect(filterFrom({ timeout: '1', topic: 'orders', resourcePatternType: 'match', principal: 'User:bob' })).toEqual({
      resourceType: 'TOPIC',
      resourceName: 'orders',
      patternType: 'MATCH',
      principal: 'User:bob',
    });
    expect(
      formatAcls([
        {
          resourceType: 'GROUP',
          resourceName: 'billing',
          patternType: 'LITERAL',
          principal: 'User:bob',
          host: '*',
          operation: 'READ',
          permission: 'ALLOW',
        },
      ]),
    ).toBe(
      'Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)`:\n' +
        ' \t(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)\n\n',
    );
  });

  it('answers a usage error with exit 2 before connecting', async () => {
    let err = '';
    const code = await runCli(['acl', 'add', '--topic', 'orders', '--bootstrap', '127.0.0.1:1'], {
      out: () => undefined,
      err: (text) => void (err += text),
    });
    expect(code).toBe(ExitCode.USAGE);
    expect(err).toContain('--allow-principal or --deny-principal');
  });
});

describe('sluice security flags', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-cli-security-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is plaintext without flags, and TLS with a CA, a client certificate and a token when given', async () => {
    const env = { SLUICE_CLUSTER_STATE_DIR: dir };
    expect(resolveClientSecurity({}, env)).toEqual({});
    const security = resolveClientSecurity(
      { tlsCa: 'ca.crt', tlsCert: 'tls.crt', tlsKey: 'tls.key', token: 'abc' },
      env,
    );
    expect(security.tls).toEqual({ caFile: 'ca.crt', certificateFile: 'tls.crt', privateKeyFile: 'tls.key' });
    expect(await security.tokens?.token()).toBe('abc');
  });

  it('reads the token file again when it changes', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first\n');
    const security = resolveClientSecurity({ tokenFile: file }, { SLUICE_CLUSTER_STATE_DIR: dir });
    expect(await security.tokens?.token()).toBe('first');
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(file, 'second\n');
    expect(await security.tokens?.token()).toBe('second');
  });

  it('takes the environment, and uses the local secure cluster admin identity by default', () => {
    const env = { SLUICE_CLUSTER_STATE_DIR: dir, [SECURITY_ENV.tlsCa]: '/env/ca.crt' };
    expect(resolveClientSecurity({}, env).tls).toEqual({ caFile: '/env/ca.crt' });
    writeSecurityFile({ caFile: 'a/ca.crt', certificateFile: 'a/tls.crt', privateKeyFile: 'a/tls.key' }, env);
    expect(resolveClientSecurity({}, { SLUICE_CLUSTER_STATE_DIR: dir }).tls).toEqual({
      caFile: 'a/ca.crt',
      certificateFile: 'a/tls.crt',
      privateKeyFile: 'a/tls.key',
    });
  });

  it('refuses contradictory flags as usage errors', () => {
    const env = { SLUICE_CLUSTER_STATE_DIR: dir };
    expect(() => resolveClientSecurity({ tlsCa: 'c', tlsCert: 'x' }, env)).toThrow(UsageError);
    expect(() => resolveClientSecurity({ token: 'a', tokenFile: 'b' }, env)).toThrow(UsageError);
    expect(() => resolveClientSecurity({ oauthTokenEndpoint: 'http://127.0.0.1:1/token' }, env)).toThrow(UsageError);
    expect(() => resolveClientSecurity({ tlsCert: 'x', tlsKey: 'y' }, env)).toThrow(UsageError);
  });
});
