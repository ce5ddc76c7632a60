/**
 * The security part of a service's configuration, under Kafka's names where Kafka has one:
 * which listeners use TLS and which require authentication (`listener.security.protocol.map`),
 * the certificate files (`ssl.keystore.location`: a directory in the Kubernetes Secret /
 * cert-manager layout `tls.crt`, `tls.key`, `ca.crt`), client certificates
 * (`ssl.client.auth`), OAuth 2.0 bearer tokens (`sasl.oauthbearer.*`), and the authorizer
 * (`authorizer.class.name`, `super.users`, `allow.everyone.if.no.acl.found`).
 */
import { join } from 'node:path';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** Kafka's StandardAuthorizer: the value of `authorizer.class.name` that turns ACLs on. */
export const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

/** Kafka's `listener.security.protocol.map`: `CONTROLLER:SSL,PLAINTEXT:PLAINTEXT`. */
export function parseSecurityProtocolMap(text: string): ReadonlyMap<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const item of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const [name, protocol, extra] = item.split(':').map((part) => part.trim().toUpperCase());
    if (name === undefined || name === '' || protocol === undefined || extra !== undefined)
      throw new Error(`'${item}' is not LISTENER_NAME:PROTOCOL`);
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol))
      throw new Error(`'${protocol}' is not one of ${SECURITY_PROTOCOLS.join(', ')}`);
    if (map.has(name)) throw new Error(`listener ${name} appears twice`);
    map.set(name, protocol as SecurityProtocol);
  }
  return map;
}

export function formatSecurityProtocolMap(map: ReadonlyMap<string, SecurityProtocol>): string {
  return [...map].map(([name, protocol]) => `${name}:${protocol}`).join(',');
}

/** Kafka's `super.users`: principals separated by `;` (a distinguished name holds commas). */
export function parseSuperUsers(text: string): readonly string[] {
  const users = text
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  for (const user of users)
    if (!/^[A-Za-z][A-Za-z0-9_-]*:.+$/.test(user)) throw new Error(`'${user}' is not a principal (Type:name)`);
  return users;
}

/** The files of a TLS identity in the cert-manager / Kubernetes TLS Secret layout. */
export interface TlsFiles {
  /** PEM certificate chain: this node's certificate first. */
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  /** PEM CA certificates peers' certificates must chain to. */
  readonly caFile: string;
}

/** `tls.crt`, `tls.key`, `ca.crt` under a mounted Secret directory. */
export function tlsFilesIn(directory: string, caFile = ''): TlsFiles {
  return {
    certificateFile: join(directory, 'tls.crt'),
    privateKeyFile: join(directory, 'tls.key'),
    caFile: caFile !== '' ? caFile : join(directory, 'ca.crt'),
  };
}

export type ClientAuth = 'none' | 'requested' | 'required';

/** How one service listens and calls its peers, resolved from the configuration. */
export interface ServiceSecurity {
  /** The listener's protocol. */
  readonly protocol: SecurityProtocol;
  /** This node's certificate, key and CA (needed for SSL / SASL_SSL and for mTLS to peers). */
  readonly tls: TlsFiles | undefined;
  readonly clientAuth: ClientAuth;
  readonly certificateReloadIntervalMs: number;
  readonly oauthBearer: OAuthBearerSettings | undefined;
  readonly authorizer: AuthorizerConfig | undefined;
  /** Audit allowed requests too (refusals are always audited). */
  readonly auditAllowed: boolean;
}

export interface OAuthBearerSettings {
  /** Empty: discovered from the issuer's `/.well-known/openid-configuration`. */
  readonly jwksEndpointUrl: string;
  readonly expectedIssuer: string;
  readonly expectedAudience: readonly string[];
  readonly subClaimName: string;
  readonly clockSkewSeconds: number;
  /** How long fetched keys are trusted without a successful refetch (Kafka's jwks.endpoint.refresh.ms). */
  readonly jwksRefreshMs: number;
}

export interface AuthorizerConfig {
  readonly superUsers: readonly string[];
  readonly allowEveryoneIfNoAclFound: boolean;
}

export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function requiresAuthentication(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_SSL' || protocol === 'SASL_PLAINTEXT';
}
