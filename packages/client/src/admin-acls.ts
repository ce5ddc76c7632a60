/**
 * The Admin API's ACLs (Kafka's Admin.createAcls / describeAcls / deleteAcls): bindings and
 * filters with Kafka's names, sent to the controller quorum, answered per binding / per filter.
 */
import type { AclBinding__Output, AclBindingFilter } from '@sluice/proto';
import {
  CLUSTER_RESOURCE_NAME,
  type AclOperation,
  type AclPatternType,
  type AclPermission,
  type AclResourceType,
  type ApiError,
} from '@sluice/protocol';

export type { AclOperation, AclPatternType, AclPermission, AclResourceType } from '@sluice/protocol';

/** The cluster resource's name, as Kafka's. */
export const CLUSTER_RESOURCE = CLUSTER_RESOURCE_NAME;

export interface AclBinding {
  readonly resourceType: AclResourceType;
  /** A topic or group name (`*`: all), a prefix when PREFIXED, `kafka-cluster` for CLUSTER. */
  readonly resourceName: string;
  /** Default LITERAL. */
  readonly patternType?: AclPatternType;
  /** `User:<name>`, `User:*`, or a certificate's `User:CN=...`. */
  readonly principal: string;
  /** Default `*`. */
  readonly host?: string;
  readonly operation: AclOperation;
  /** Default ALLOW. */
  readonly permission?: AclPermission;
}

/** Every field optional: an absent one matches anything; patternType MATCH as Kafka's. */
export interface AclFilter {
  readonly resourceType?: AclResourceType;
  readonly resourceName?: string;
  readonly patternType?: AclPatternType | 'MATCH';
  readonly principal?: string;
  readonly host?: string;
  readonly operation?: AclOperation;
  readonly permission?: AclPermission;
}

export type DescribedAcl = Required<AclBinding>;

export interface AclCreationResult {
  readonly binding: AclBinding;
  readonly error?: ApiError;
}

export interface AclDeletionResult {
  readonly filter: AclFilter;
  readonly deleted: readonly DescribedAcl[];
  readonly error?: ApiError;
}

export function bindingToWire(binding: AclBinding): Required<Record<keyof AclBinding, string>> {
  return {
    resourceType: binding.resourceType,
    resourceName: binding.resourceName,
    patternType: binding.patternType ?? 'LITERAL',
    principal: binding.principal,
    host: binding.host ?? '*',
    operation: binding.operation,
    permission: binding.permission ?? 'ALLOW',
  };
}

export function filterToWire(filter: AclFilter): AclBindingFilter {
  return {
    resourceType: filter.resourceType ?? '',
    resourceName: filter.resourceName ?? '',
    patternType: filter.patternType ?? '',
    principal: filter.principal ?? '',
    host: filter.host ?? '',
    operation: filter.operation ?? '',
    permission: filter.permission ?? '',
  };
}

export function bindingFromWire(acl: AclBinding__Output): DescribedAcl {
  return {
    resourceType: acl.resourceType as AclResourceType,
    resourceName: acl.resourceName,
    patternType: acl.patternType as AclPatternType,
    principal: acl.principal,
    host: acl.host,
    operation: acl.operation as AclOperation,
    permission: acl.permission as AclPermission,
  };
}
