/**
 * A secure local cluster: a local CA and a certificate per process (`User:CN=<role>-<id>`, each a
 * super user, as Kafka's brokers usually are) and one for the launcher and operators
 * (`User:CN=admin`, also a super user), every listener SASL_SSL with client certificates
 * requested (services present theirs, clients may bring a token instead), OAuth bearer tokens
 * from `oauthBearer.issuer` when given, and the StandardAuthorizer. Each process audits to
 * `<baseDir>/audit-<role>-<id>.log`.
 */
import { join } from 'node:path';
import type { ClientSecurity } from '@sluice/proto';
import { STANDARD_AUTHORIZER } from '@sluice/runtime';
import { createLocalCa, issueCertificate, type IssuedFiles } from './local-ca';
import type { Role, Settings } from './roles';

export interface LocalClusterSecurity {
  /** Tokens from this OpenID issuer (`sasl.oauthbearer.expected.issuer`); absent: certificates only. */
  readonly oauthBearer?: {
    readonly issuer: string;
    readonly audience?: string;
    /** Default: discovered from the issuer. */
    readonly jwksEndpointUrl?: string;
    readonly subClaimName?: string;
  };
  /** Default true: ACLs enforced (allow.everyone.if.no.acl.found=false). */
  readonly authorizer?: boolean;
  /** Principals besides the processes and admin that may do everything. */
  readonly superUsers?: readonly string[];
  /** How often certificate files are reread (ssl.certificate.reload.interval.ms). Default 30000. */
  readonly certificateReloadIntervalMs?: number;
  /** Audit allowed requests too. */
  readonly auditAllowed?: boolean;
}

export const ADMIN_IDENTITY = 'admin';

export interface IssuedCluster {
  readonly tlsDir: string;
  readonly admin: IssuedFiles;
  /** Settings per `<role>-<id>`. */
  settingsFor(role: Role, nodeId: number): Settings;
  /** The launcher's (and an operator's) client security: TLS with the admin certificate. */
  readonly adminSecurity: ClientSecurity;
}

export async function issueClusterCertificates(
  baseDir: string,
  nodes: ReadonlyMap<Role, readonly number[]>,
  security: LocalClusterSecurity,
  /** The loopback address the cluster listens on, named in every certificate besides 127.0.0.1. */
  host = '127.0.0.1',
): Promise<IssuedCluster> {
  const ipAddresses = host === '127.0.0.1' ? [] : [host];
  const tlsDir = join(baseDir, 'tls');
  const ca = await createLocalCa();
  const issued = new Map<string, IssuedFiles>();
  const principals: string[] = [`User:CN=${ADMIN_IDENTITY}`];
  for (const [role, ids] of nodes) {
    for (const nodeId of ids) {
      const name = `${role}-${nodeId}`;
      issued.set(name, await issueCertificate(ca, tlsDir, name, { ipAddresses }));
      principals.push(`User:CN=${name}`);
    }
  }
  const admin = await issueCertificate(ca, tlsDir, ADMIN_IDENTITY, { ipAddresses });
  const reloadMs = security.certificateReloadIntervalMs ?? 30_000;
  const oauth = security.oauthBearer;
  const shared: Settings = {
    'listener.security.protocol.map': 'CONTROLLER:SASL_SSL,PLAINTEXT:SASL_SSL',
    'ssl.client.auth': 'requested',
    'ssl.certificate.reload.interval.ms': reloadMs,
    ...(oauth === undefined
      ? {}
      : {
          'sasl.oauthbearer.expected.issuer': oauth.issuer,
          ...(oauth.audience === undefined ? {} : { 'sasl.oauthbearer.expected.audience': oauth.audience }),
          ...(oauth.jwksEndpointUrl === undefined
            ? {}
            : { 'sasl.oauthbearer.jwks.endpoint.url': oauth.jwksEndpointUrl }),
          ...(oauth.subClaimName === undefined ? {} : { 'sasl.oauthbearer.sub.claim.name': oauth.subClaimName }),
        }),
    ...(security.authorizer === false
      ? {}
      : {
          'authorizer.class.name': STANDARD_AUTHORIZER,
          'super.users': [...principals, ...(security.superUsers ?? [])].join(';'),
          'allow.everyone.if.no.acl.found': 'false',
        }),
    ...(security.auditAllowed === true ? { 'audit.log.allowed.requests': 'true' } : {}),
  };
  return {
    tlsDir,
    admin,
    settingsFor(role, nodeId) {
      const files = issued.get(`${role}-${nodeId}`);
      if (files === undefined) throw new RangeError(`no certificate issued for ${role}-${nodeId}`);
      return {
        ...shared,
        'ssl.keystore.location': files.dir,
        'audit.log.file': join(baseDir, `audit-${role}-${nodeId}.log`),
      };
    },
    adminSecurity: {
      tls: {
        caFile: admin.caFile,
        certificateFile: admin.certificateFile,
        privateKeyFile: admin.privateKeyFile,
        reloadIntervalMs: reloadMs,
      },
    },
  };
}
