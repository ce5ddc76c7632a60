/**
 * The chart's security values as `helm template` renders them: TLS on every listener from one
 * certificate Secret per role (cert-manager's layout), mutual TLS, OAuth bearer tokens and ACLs
 * written as Kafka's keys, probes that keep their meaning with TLS (httpGet /readyz on the metrics
 * port), the helm test pod's TLS and token settings, and every refusal with its message.
 */
import { join } from 'node:path';
import { ChartRenderer, envOf, one, properties } from './helm-render';
import { BUILD_TIMEOUT_MS, CHART_DIR, KUBE_VERSION, runHelm, type KubeObject } from './kubernetes';

const SECURE_EXAMPLE = join(CHART_DIR, 'examples/values-secure.yaml');

const ROLES = ['controller', 'broker', 'coordinator'] as const;
const HEALTH = { controller: 'sluice.v1.Controller', broker: 'sluice.v1.Broker', coordinator: 'sluice.v1.Coordinator' };
const SECURITY_KEYS = [
  'listener.security.protocol.map',
  'ssl.keystore.location',
  'ssl.client.auth',
  'sasl.oauthbearer.expected.issuer',
  'sasl.oauthbearer.jwks.endpoint.url',
  'sasl.oauthbearer.expected.audience',
  'authorizer.class.name',
  'super.users',
  'allow.everyone.if.no.acl.found',
];

/** TLS with a Secret and a principal per role, as a cert-manager Certificate per role gives. */
const TLS = {
  enabled: true,
  clientAuth: '',
  controller: { secretName: 'sluice-controller-tls', principal: 'User:CN=sluice-controller' },
  broker: { secretName: 'sluice-broker-tls', principal: 'User:CN=sluice-broker' },
  coordinator: { secretName: 'sluice-coordinator-tls', principal: 'User:CN=sluice-coordinator' },
};
const OAUTH = {
  enabled: true,
  issuer: 'https://issuer.example/realms/streaming',
  jwksUrl: 'https://issuer.example/realms/streaming/certs',
  audience: ['urn:sluice', 'urn:sluice:admin'],
  clientCredentials: {
    tokenEndpoint: 'https://issuer.example/realms/streaming/token',
    secretName: 'sluice-test-client',
    clientIdKey: 'id',
    clientSecretKey: 'secret',
  },
};
const ACLS = {
  enabled: true,
  superUsers: ['User:CN=admin', 'User:CN=sluice-broker'],
  allowEveryoneIfNoAclFound: false,
};

let chart: ChartRenderer;

beforeAll(() => {
  chart = ChartRenderer.start();
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  chart.close();
});

function mainContainer(objects: readonly KubeObject[], role: string): KubeObject {
  return one(objects, 'StatefulSet', `rel-sluice-${role}`).spec.template.spec.containers[0];
}

function listenerName(objects: readonly KubeObject[], role: string): string | undefined {
  return envOf(one(objects, 'StatefulSet', `rel-sluice-${role}`).spec.template.spec.initContainers[0]).get(
    'SLUICE_LISTENER_NAME',
  );
}

describe('security off (the default)', () => {
  test('no security keys, no certificate volume, grpc.health.v1 probes, PLAINTEXT listeners', () => {
    const objects = chart.render();
    for (const role of ROLES) {
      const props = properties(one(objects, 'ConfigMap', `rel-sluice-${role}`));
      expect(SECURITY_KEYS.filter((key) => props.has(key))).toEqual([]);
      const set = one(objects, 'StatefulSet', `rel-sluice-${role}`);
      expect(set.spec.template.spec.volumes.map((v: { name: string }) => v.name)).not.toContain('tls');
      expect(mainContainer(objects, role).readinessProbe.grpc.service).toBe(HEALTH[role]);
      expect(listenerName(objects, role)).toBe(role === 'controller' ? 'CONTROLLER' : 'PLAINTEXT');
    }
    const pod = one(objects, 'Pod', 'rel-sluice-test-produce-consume');
    expect([...envOf(pod.spec.containers[0]).keys()].filter((name) => name.startsWith('SLUICE_TLS'))).toEqual([]);
  });
});

describe('security.tls', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = chart.render({ security: { tls: TLS } });
  });

  test("every listener is SSL: Kafka's map, the keystore directory, no client certificates asked", () => {
    for (const role of ROLES) {
      const props = properties(one(objects, 'ConfigMap', `rel-sluice-${role}`));
      expect(props.get('listener.security.protocol.map')).toBe('CONTROLLER:SSL,SSL:SSL');
      expect(props.get('ssl.keystore.location')).toBe('/etc/sluice-tls');
      expect(props.get('ssl.client.auth')).toBe('none');
      expect(props.has('authorizer.class.name')).toBe(false);
      expect(props.has('sasl.oauthbearer.expected.issuer')).toBe(false);
      // Brokers and coordinators name their one listener after its protocol; controllers keep CONTROLLER.
      expect(listenerName(objects, role)).toBe(role === 'controller' ? 'CONTROLLER' : 'SSL');
    }
  });

  test('each role mounts its own certificate Secret (tls.crt, tls.key, ca.crt) read-only, in the init step too', () => {
    for (const role of ROLES) {
      const spec = one(objects, 'StatefulSet', `rel-sluice-${role}`).spec.template.spec;
      expect(spec.volumes.find((v: { name: string }) => v.name === 'tls')).toEqual({
        name: 'tls',
        secret: { secretName: `sluice-${role}-tls` },
      });
      for (const container of [spec.initContainers[0], spec.containers[0]])
        expect(container.volumeMounts.find((m: { name: string }) => m.name === 'tls')).toEqual({
          name: 'tls',
          mountPath: '/etc/sluice-tls',
          readOnly: true,
        });
    }
  });

  test('probes keep their meaning: startup and readiness read grpc.health.v1 over /readyz, liveness /healthz', () => {
    for (const role of ROLES) {
      const main = mainContainer(objects, role);
      expect(main.startupProbe.grpc).toBeUndefined();
      expect(main.startupProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
      expect(main.startupProbe.periodSeconds * main.startupProbe.failureThreshold).toBe(600);
      expect(main.readinessProbe.httpGet).toEqual({ path: `/readyz?service=${HEALTH[role]}`, port: 'metrics' });
      // A TCP connect to the TLS port would be audited as a failed handshake at every period.
      expect(main.livenessProbe.tcpSocket).toBeUndefined();
      expect(main.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      expect(main.ports.find((p: { name: string }) => p.name === 'metrics').containerPort).toBe(9464);
    }
  });

  test("the helm test pod trusts the controllers' CA (only ca.crt of their Secret) and presents no certificate", () => {
    const pod = one(objects, 'Pod', 'rel-sluice-test-produce-consume');
    const env = envOf(pod.spec.containers[0]);
    expect(env.get('SLUICE_TLS_CA')).toBe('/etc/sluice-tls/ca.crt');
    expect(env.has('SLUICE_TLS_CERT')).toBe(false);
    expect(env.has('SLUICE_OAUTH_TOKEN_ENDPOINT')).toBe(false);
    expect(pod.spec.volumes.find((v: { name: string }) => v.name === 'tls')).toEqual({
      name: 'tls',
      secret: { secretName: 'sluice-controller-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({
      name: 'tls',
      mountPath: '/etc/sluice-tls',
      readOnly: true,
    });
  });

  test('turning TLS on changes the pods (checksum annotation), so helm upgrade rolls them', () => {
    const plain = chart.render();
    for (const role of ROLES) {
      const annotation = (o: KubeObject[]): string =>
        one(o, 'StatefulSet', `rel-sluice-${role}`).spec.template.metadata.annotations['checksum/config'];
      expect(annotation(objects)).not.toBe(annotation(plain));
    }
  });
});

describe('mutual TLS, OAuth bearer tokens and ACLs together', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = chart.render({
      security: { tls: { ...TLS, clientAuth: 'required' }, oauth: OAUTH, authorization: ACLS },
      tests: { tlsSecretName: 'sluice-test-client-tls' },
    });
  });

  test("every role gets SASL_SSL, ssl.client.auth, the issuer's keys, the authorizer and the services as super users", () => {
    for (const role of ROLES) {
      const props = properties(one(objects, 'ConfigMap', `rel-sluice-${role}`));
      expect(props.get('listener.security.protocol.map')).toBe('CONTROLLER:SASL_SSL,SASL_SSL:SASL_SSL');
      expect(props.get('ssl.client.auth')).toBe('required');
      expect(props.get('sasl.oauthbearer.expected.issuer')).toBe(OAUTH.issuer);
      expect(props.get('sasl.oauthbearer.jwks.endpoint.url')).toBe(OAUTH.jwksUrl);
      expect(props.get('sasl.oauthbearer.expected.audience')).toBe('urn:sluice,urn:sluice:admin');
      expect(props.get('authorizer.class.name')).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
      // The services' principals first, then the operators'; each once.
      expect(props.get('super.users')).toBe(
        'User:CN=sluice-controller;User:CN=sluice-broker;User:CN=sluice-coordinator;User:CN=admin',
      );
      expect(props.get('allow.everyone.if.no.acl.found')).toBe('false');
      expect(listenerName(objects, role)).toBe(role === 'controller' ? 'CONTROLLER' : 'SASL_SSL');
    }
  });

  test('the helm test pod presents its own certificate and fetches a token by the client-credentials grant', () => {
    const pod = one(objects, 'Pod', 'rel-sluice-test-produce-consume');
    const container = pod.spec.containers[0];
    const env = envOf(container);
    expect(env.get('SLUICE_TLS_CA')).toBe('/etc/sluice-tls/ca.crt');
    expect(env.get('SLUICE_TLS_CERT')).toBe('/etc/sluice-tls/tls.crt');
    expect(env.get('SLUICE_TLS_KEY')).toBe('/etc/sluice-tls/tls.key');
    expect(env.get('SLUICE_OAUTH_TOKEN_ENDPOINT')).toBe(OAUTH.clientCredentials.tokenEndpoint);
    const fromSecret = (name: string): unknown =>
      (container.env as { name: string; valueFrom?: { secretKeyRef?: object } }[]).find((e) => e.name === name)
        ?.valueFrom?.secretKeyRef;
    expect(fromSecret('SLUICE_OAUTH_CLIENT_ID')).toEqual({ name: 'sluice-test-client', key: 'id' });
    expect(fromSecret('SLUICE_OAUTH_CLIENT_SECRET')).toEqual({ name: 'sluice-test-client', key: 'secret' });
    expect(pod.spec.volumes.find((v: { name: string }) => v.name === 'tls')).toEqual({
      name: 'tls',
      secret: { secretName: 'sluice-test-client-tls' },
    });
  });

  test('ssl.client.auth defaults to requested when tokens or ACLs need the services to present certificates', () => {
    for (const security of [
      { tls: TLS, authorization: ACLS },
      { tls: TLS, oauth: OAUTH },
    ]) {
      const props = properties(one(chart.render({ security }), 'ConfigMap', 'rel-sluice-broker'));
      expect(props.get('ssl.client.auth')).toBe('requested');
    }
    // An explicit choice wins; the JWKS URL and audience are optional (discovered, not checked).
    const props = properties(
      one(
        chart.render({
          security: { tls: { ...TLS, clientAuth: 'requested' }, oauth: { ...OAUTH, jwksUrl: '', audience: [] } },
        }),
        'ConfigMap',
        'rel-sluice-controller',
      ),
    );
    expect(props.get('ssl.client.auth')).toBe('requested');
    expect(props.has('sasl.oauthbearer.jwks.endpoint.url')).toBe(false);
    expect(props.has('sasl.oauthbearer.expected.audience')).toBe(false);
  });
});

describe('the secure example values (examples/values-secure.yaml, shown in the README)', () => {
  test('lint strictly and render SASL_SSL, mTLS requested, ACLs with the services and the operator as super users', () => {
    const lint = runHelm(chart.binDir, [
      'lint',
      '--strict',
      '--kube-version',
      KUBE_VERSION,
      CHART_DIR,
      '-f',
      SECURE_EXAMPLE,
    ]);
    expect(lint.stderr + lint.stdout).toContain('0 chart(s) failed');
    const objects = chart.render({}, ['-f', SECURE_EXAMPLE]);
    const props = properties(one(objects, 'ConfigMap', 'rel-sluice-coordinator'));
    expect(props.get('listener.security.protocol.map')).toBe('CONTROLLER:SASL_SSL,SASL_SSL:SASL_SSL');
    expect(props.get('ssl.client.auth')).toBe('requested');
    expect(props.get('super.users')).toBe(
      'User:CN=sluice-controller;User:CN=sluice-broker;User:CN=sluice-coordinator;User:CN=sluice-admin',
    );
    expect(
      envOf(one(objects, 'Pod', 'rel-sluice-test-produce-consume').spec.containers[0]).has(
        'SLUICE_OAUTH_TOKEN_ENDPOINT',
      ),
    ).toBe(true);
  });
});

describe('helm template refuses inconsistent security values, naming what to change', () => {
  test('mutual TLS, tokens, ACLs or a test certificate without TLS', () => {
    expect(chart.refusal({ security: { tls: { clientAuth: 'required' } } })).toContain(
      'security.tls.clientAuth=required needs security.tls.enabled',
    );
    expect(chart.refusal({ security: { oauth: OAUTH } })).toContain(
      'security.oauth.enabled needs security.tls.enabled',
    );
    expect(chart.refusal({ security: { authorization: ACLS } })).toContain(
      'security.authorization.enabled needs security.tls.enabled: without TLS every caller, the services too, is User:ANONYMOUS',
    );
    expect(chart.refusal({ tests: { tlsSecretName: 'x' } })).toContain(
      'tests.tlsSecretName needs security.tls.enabled',
    );
  });

  test('a role with TLS but no certificate Secret', () => {
    expect(chart.refusal({ security: { tls: { ...TLS, coordinator: { secretName: '', principal: '' } } } })).toContain(
      'security.tls.enabled needs security.tls.coordinator.secretName',
    );
  });

  test('OAuth without an issuer; half a client-credentials setting; client credentials without OAuth', () => {
    expect(chart.refusal({ security: { tls: TLS, oauth: { ...OAUTH, issuer: '' } } })).toContain(
      'security.oauth.enabled needs security.oauth.issuer',
    );
    expect(
      chart.refusal({
        security: {
          tls: TLS,
          oauth: { ...OAUTH, clientCredentials: { ...OAUTH.clientCredentials, tokenEndpoint: '' } },
        },
      }),
    ).toContain('security.oauth.clientCredentials.secretName needs security.oauth.clientCredentials.tokenEndpoint');
    expect(
      chart.refusal({
        security: { tls: TLS, oauth: { ...OAUTH, clientCredentials: { ...OAUTH.clientCredentials, secretName: '' } } },
      }),
    ).toContain('security.oauth.clientCredentials.tokenEndpoint needs security.oauth.clientCredentials.secretName');
    expect(chart.refusal({ security: { tls: TLS, oauth: { ...OAUTH, enabled: false } } })).toContain(
      'security.oauth.clientCredentials needs security.oauth.enabled',
    );
  });

  test("ACLs without the services' principals as super users", () => {
    expect(
      chart.refusal({
        security: { tls: { ...TLS, broker: { secretName: 'b', principal: '' } }, authorization: ACLS },
      }),
    ).toContain(
      'security.authorization.enabled needs security.tls.broker.principal (User:<subject of its certificate>) in super.users, or every call the broker pods make to the other services is refused',
    );
  });

  test('tokens or ACLs with client certificates turned off (the services authenticate by certificate)', () => {
    expect(chart.refusal({ security: { tls: { ...TLS, clientAuth: 'none' }, authorization: ACLS } })).toContain(
      'security.tls.clientAuth=none with oauth or authorization',
    );
  });

  test('a helm test pod that could not authenticate', () => {
    expect(chart.refusal({ security: { tls: { ...TLS, clientAuth: 'required' } } })).toContain(
      'security.tls.clientAuth=required: the helm test pod needs a client certificate, tests.tlsSecretName',
    );
    expect(
      chart.refusal({
        security: {
          tls: TLS,
          oauth: { ...OAUTH, clientCredentials: { ...OAUTH.clientCredentials, tokenEndpoint: '', secretName: '' } },
        },
      }),
    ).toContain('security.oauth.enabled: the helm test pod must authenticate');
    // Without the test pod, neither is needed.
    expect(() =>
      chart.render({ security: { tls: { ...TLS, clientAuth: 'required' } }, tests: { enabled: false } }),
    ).not.toThrow();
  });

  test('TLS with the tiering service: its own certificate Secret and principal, the same keys, /readyz probes', () => {
    const tiering = { enabled: true, s3: { bucket: 'segments' } };
    const tierTls = { ...TLS, tiering: { secretName: 'sluice-tiering-tls', principal: 'User:CN=sluice-tiering' } };
    const objects = chart.render({ security: { tls: tierTls, authorization: ACLS }, tiering });
    const props = properties(one(objects, 'ConfigMap', 'rel-sluice-tiering'));
    const brokerProps = properties(one(objects, 'ConfigMap', 'rel-sluice-broker'));
    // The same security keys as every other role: one listener protocol, client certificates, ACLs.
    for (const key of SECURITY_KEYS.filter((k) => brokerProps.has(k)))
      expect([key, props.get(key)]).toEqual([key, brokerProps.get(key)]);
    expect(props.get('ssl.keystore.location')).toBe('/etc/sluice-tls');
    // Its principal is a super user everywhere (it reads __remote_log_metadata and asks the leaders).
    expect(brokerProps.get('super.users')!.split(';')).toContain('User:CN=sluice-tiering');
    const set = one(objects, 'StatefulSet', 'rel-sluice-tiering');
    expect(set.spec.template.spec.volumes).toContainEqual({
      name: 'tls',
      secret: { secretName: 'sluice-tiering-tls' },
    });
    const container = mainContainer(objects, 'tiering');
    expect(container.volumeMounts.find((m: { name: string }) => m.name === 'tls')).toEqual({
      name: 'tls',
      mountPath: '/etc/sluice-tls',
      readOnly: true,
    });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz?service=sluice.v1.Tiering', port: 'metrics' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe.grpc).toBeUndefined();
    expect(listenerName(objects, 'tiering')).toBe(listenerName(objects, 'broker'));
    expect(listenerName(objects, 'tiering')).not.toBe('PLAINTEXT');

    // Without its Secret, or with ACLs and no principal, the chart says which value is missing.
    expect(chart.refusal({ security: { tls: TLS }, tiering })).toContain(
      'security.tls.enabled needs security.tls.tiering.secretName',
    );
    expect(
      chart.refusal({
        security: { tls: { ...tierTls, tiering: { ...tierTls.tiering, principal: '' } }, authorization: ACLS },
        tiering,
      }),
    ).toContain('security.authorization.enabled needs security.tls.tiering.principal');
  });

  test('security keys given in config: the chart writes them from security.*', () => {
    for (const [scope, values] of [
      ['config', { config: { 'ssl.client.auth': 'required' } }],
      ['broker.config', { broker: { config: { 'listener.security.protocol.map': 'PLAINTEXT:SSL' } } }],
      ['controller.config', { controller: { config: { 'super.users': 'User:x' } } }],
      ['coordinator.config', { coordinator: { config: { 'sasl.oauthbearer.expected.issuer': 'https://x' } } }],
    ] as const) {
      expect(chart.refusal(values)).toContain(`${scope}.`);
      expect(chart.refusal(values)).toContain(
        'from security.tls / security.oauth / security.authorization; set it there',
      );
    }
  });

  test('values the schema rejects: a principal not in User: form, an unknown ssl.client.auth, an issuer that is no URL', () => {
    expect(chart.refusal({ security: { authorization: { superUsers: ['admin'] } } })).toMatch(
      /superUsers.*does not match pattern/s,
    );
    expect(
      chart.refusal({ security: { tls: { ...TLS, broker: { secretName: 'b', principal: 'CN=broker' } } } }),
    ).toMatch(/principal.*does not match pattern/s);
    expect(chart.refusal({ security: { tls: { ...TLS, clientAuth: 'always' } } })).toMatch(/clientAuth/);
    expect(chart.refusal({ security: { tls: TLS, oauth: { ...OAUTH, issuer: 'issuer.example' } } })).toMatch(
      /issuer.*does not match pattern/s,
    );
    expect(chart.refusal({ security: { tls: { ...TLS, keystore: '/x' } } })).toMatch(
      /additional properties 'keystore' not allowed/,
    );
  });
});
