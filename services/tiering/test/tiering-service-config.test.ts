/**
 * The tiering service's configuration: a TLS listener with client certificates and an authorizer
 * is taken (as every service takes it), the security read under Kafka's names; a plain one stays
 * PLAINTEXT without an authorizer; the bucket is still required.
 */
import { ConfigError, STANDARD_AUTHORIZER } from '@sluice/runtime';
import { loadTieringServiceConfig } from '../src/config/tiering-service-config';

const BASE = {
  'node.id': '1',
  'process.roles': 'tiering',
  'controller.quorum.voters': '1@127.0.0.1:9093',
  listeners: 'PLAINTEXT://127.0.0.1:0',
  'rsm.config.storage.s3.bucket.name': 'segments',
  'rsm.config.storage.s3.region': 'us-east-1',
};

const load = (overrides: Record<string, string>) =>
  loadTieringServiceConfig({
    env: {},
    overrides: { ...BASE, ...overrides },
  });

describe('tiering service configuration', () => {
  it('takes a SASL_SSL listener with client certificates and the StandardAuthorizer', () => {
    const config = load({
      'listener.security.protocol.map': 'CONTROLLER:SASL_SSL,PLAINTEXT:SASL_SSL',
      'ssl.keystore.location': '/etc/sluice-tls',
      'ssl.client.auth': 'requested',
      'authorizer.class.name': STANDARD_AUTHORIZER,
      'super.users': 'User:CN=tiering-1',
      'audit.log.file': '/tmp/audit-tiering.log',
    });
    expect(config.security.protocol).toBe('SASL_SSL');
    expect(config.security.tls?.certificateFile).toBe('/etc/sluice-tls/tls.crt');
    expect(config.security.clientAuth).toBe('requested');
    expect(config.security.authorizer?.superUsers).toEqual(['User:CN=tiering-1']);
    expect(config.auditLogFile).toBe('/tmp/audit-tiering.log');
  });

  it('stays PLAINTEXT without an authorizer by default, and still needs the bucket', () => {
    const config = load({});
    expect(config.security.protocol).toBe('PLAINTEXT');
    expect(config.security.authorizer).toBeUndefined();
    expect(config.auditLogFile).toBe('');
    expect(() => load({ 'rsm.config.storage.s3.bucket.name': '' })).toThrow(ConfigError);
  });
});
