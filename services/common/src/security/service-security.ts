/**
 * A service's security from its configuration, in the pieces its gRPC surface takes: the server
 * credentials (TLS from the reloaded certificate files, client certificates as ssl.client.auth
 * says), the authenticator (tokens and certificates; required on SASL listeners), the access
 * control (ACLs from the node's image, refusals audited) and, for the calls it makes to its
 * peers, the process's default client security (its own certificate: mutual TLS).
 */
import type { ServerCredentials } from '@grpc/grpc-js';
import type { AclsImage } from '@sluice/metadata';
import { serverCredentialsFor, setDefaultClientSecurity } from '@sluice/proto';
import { requiresAuthentication, usesTls, type ServiceSecurity } from '@sluice/runtime';
import type { Authenticator } from '../authentication.guard';
import { RpcAccessControl } from './rpc-access-control';
import { SecurityAudit, type SecurityAuditSink } from './security-audit';
import { ServiceAuthenticator } from './service-authenticator';

export interface ServiceSecurityParts {
  readonly credentials: ServerCredentials | undefined;
  readonly authenticator: Authenticator | undefined;
  readonly access: RpcAccessControl;
  /** Audits a failed TLS handshake (SluiceGrpcServer's onTlsHandshakeFailure). */
  readonly onTlsHandshakeFailure: (peerHost: string, reason: string, suppressedBefore: number) => void;
}

export interface ServiceSecurityInput {
  readonly security: ServiceSecurity;
  readonly service: string;
  readonly nodeId: number;
  readonly auditSink: SecurityAuditSink;
  /** The ACLs of the node's current metadata image. */
  readonly acls: () => AclsImage;
  /** Whether that image has caught up with the metadata log (see RpcAccessControl's `ready`). */
  readonly ready?: () => boolean;
  readonly notReadyError?: 'LEADER_NOT_AVAILABLE' | 'COORDINATOR_LOAD_IN_PROGRESS';
}

export function serviceSecurityParts(input: ServiceSecurityInput): ServiceSecurityParts {
  const { security } = input;
  const tls = security.tls;
  const credentials =
    usesTls(security.protocol) && tls !== undefined
      ? serverCredentialsFor({
          certificateFile: tls.certificateFile,
          privateKeyFile: tls.privateKeyFile,
          caFile: tls.caFile,
          clientAuth: security.clientAuth,
          reloadIntervalMs: security.certificateReloadIntervalMs,
        })
      : undefined;
  // Peers are called over TLS with this node's certificate whenever it has one.
  if (tls !== undefined) {
    setDefaultClientSecurity({
      tls: {
        caFile: tls.caFile,
        certificateFile: tls.certificateFile,
        privateKeyFile: tls.privateKeyFile,
        reloadIntervalMs: security.certificateReloadIntervalMs,
      },
    });
  }
  const authenticate =
    security.oauthBearer !== undefined || requiresAuthentication(security.protocol) || credentials !== undefined;
  const authenticator = authenticate
    ? new ServiceAuthenticator({
        ...(security.oauthBearer === undefined ? {} : { oauthBearer: security.oauthBearer }),
        requireAuthentication: requiresAuthentication(security.protocol),
      })
    : undefined;
  const audit = new SecurityAudit(
    input.auditSink,
    { service: input.service, nodeId: input.nodeId },
    security.auditAllowed,
  );
  const access = new RpcAccessControl({
    ...(security.authorizer === undefined ? {} : { authorizer: security.authorizer }),
    acls: input.acls,
    audit,
    ...(input.ready === undefined ? {} : { ready: input.ready }),
    ...(input.notReadyError === undefined ? {} : { notReadyError: input.notReadyError }),
  });
  const onTlsHandshakeFailure = (peerHost: string, reason: string, suppressedBefore: number): void =>
    audit.record({
      principal: 'unknown',
      host: peerHost,
      rpc: 'TLS handshake',
      operation: 'AUTHENTICATE',
      // Kafka's SslAuthenticationException: the connection closes, no error code reaches the client.
      result: 'SSL_AUTHENTICATION_FAILED',
      reason: suppressedBefore > 0 ? `${reason} (${suppressedBefore} more not audited)` : reason,
    });
  return { credentials, authenticator, access, onTlsHandshakeFailure };
}
