import { ConfigError, loadSluiceConfig, serviceSecurity, STANDARD_AUTHORIZER, type SluiceConfig } from '../src';

const BASE = { 'node.id': 1, 'process.roles': 'broker', 'controller.quorum.voters': '1@127.0.0.1:9093' };

function config(overrides: Record<string, string | number> = {}): SluiceConfig {
  return loadSluiceConfig({ overrides: { ...BASE, ...overrides } }).values;
}

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('security configuration (Kafka names, checked at start-up)', () => {
  it('is PLAINTEXT without an authorizer by default', () => {
    const security = serviceSecurity(config(), 'PLAINTEXT');
    expect(security).toMatchObject({ protocol: 'PLAINTEXT', tls: undefined, clientAuth: 'none' });
    expect(security.oauthBearer).toBeUndefined();
    expect(security.authorizer).toBeUndefined();
  });

  it('resolves a SASL_SSL listener with the cert-manager layout, tokens and the StandardAuthorizer', () => {
    const security = serviceSecurity(
      config({
        listeners: 'SASL_SSL://:9092',
        'ssl.keystore.location': '/etc/sluice/tls',
        'ssl.client.auth': 'requested',
        'sasl.oauthbearer.expected.issuer': 'https://issuer.example',
        'sasl.oauthbearer.expected.audience': 'sluice,kafka',
        'authorizer.class.name': STANDARD_AUTHORIZER,
        'super.users': 'User:admin;User:CN=broker-1,O=sluice',
      }),
      'SASL_SSL',
    );
    expect(security.tls).toEqual({
      certificateFile: '/etc/sluice/tls/tls.crt',
      privateKeyFile: '/etc/sluice/tls/tls.key',
      caFile: '/etc/sluice/tls/ca.crt',
    });
    expect(security.oauthBearer).toMatchObject({
      expectedIssuer: 'https://issuer.example',
      expectedAudience: ['sluice', 'kafka'],
      subClaimName: 'sub',
      clockSkewSeconds: 30,
    });
    expect(security.authorizer).toEqual({
      superUsers: ['User:admin', 'User:CN=broker-1,O=sluice'],
      allowEveryoneIfNoAclFound: false,
    });
  });

  it('refuses contradictions naming the key', () => {
    expect(refusal(() => serviceSecurity(config({ listeners: 'SSL://:9092' }), 'SSL')).key).toBe(
      'ssl.keystore.location',
    );
    expect(
      refusal(() =>
        serviceSecurity(config({ listeners: 'SASL_SSL://:9092', 'ssl.keystore.location': '/tls' }), 'SASL_SSL'),
      ).key,
    ).toBe('sasl.oauthbearer.expected.issuer');
    expect(refusal(() => serviceSecurity(config({ 'ssl.client.auth': 'required' }), 'PLAINTEXT')).key).toBe(
      'ssl.client.auth',
    );
    // A listener the map does not name stays PLAINTEXT, as before the map existed.
    expect(serviceSecurity(config(), 'INTERNAL').protocol).toBe('PLAINTEXT');
    expect(refusal(() => config({ 'authorizer.class.name': 'AclAuthorizer' })).key).toBe('authorizer.class.name');
    expect(refusal(() => config({ 'super.users': 'admin' })).key).toBe('super.users');
    expect(refusal(() => config({ 'listener.security.protocol.map': 'PLAINTEXT:TLS' })).key).toBe(
      'listener.security.protocol.map',
    );
  });
});
