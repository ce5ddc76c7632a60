/**
 * Kafka's ACL model as metadata: what an AccessControlEntryRecord binds (a resource pattern to a
 * principal, host, operation and permission), with Kafka's numeric codes so a record reads the
 * same as Kafka's (ResourceType, PatternType, AclOperation, AclPermissionType).
 */
import {
  CLUSTER_RESOURCE_NAME,
  type AclOperation,
  type AclPatternType,
  type AclPermission,
  type AclResourceType,
} from '@sluice/protocol';
import { InvalidAclError } from './errors';

export type { AclOperation, AclPatternType, AclPermission, AclResourceType } from '@sluice/protocol';
export { CLUSTER_RESOURCE_NAME } from '@sluice/protocol';

/** Kafka's org.apache.kafka.common.resource.ResourceType codes. */
export const ACL_RESOURCE_TYPE_CODES: { readonly [T in AclResourceType]: number } = { TOPIC: 2, GROUP: 3, CLUSTER: 4 };
/** Kafka's PatternType codes. */
export const ACL_PATTERN_TYPE_CODES: { readonly [T in AclPatternType]: number } = { LITERAL: 3, PREFIXED: 4 };
/** Kafka's AclOperation codes. */
export const ACL_OPERATION_CODES: { readonly [T in AclOperation]: number } = {
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
};
/** Kafka's AclPermissionType codes. */
export const ACL_PERMISSION_CODES: { readonly [T in AclPermission]: number } = { DENY: 2, ALLOW: 3 };

export const ACL_RESOURCE_TYPES = Object.keys(ACL_RESOURCE_TYPE_CODES) as AclResourceType[];
export const ACL_PATTERN_TYPES = Object.keys(ACL_PATTERN_TYPE_CODES) as AclPatternType[];
export const ACL_OPERATIONS = Object.keys(ACL_OPERATION_CODES) as AclOperation[];
export const ACL_PERMISSIONS = Object.keys(ACL_PERMISSION_CODES) as AclPermission[];

/** A literal resource name, principal or host matching every one. */
export const ACL_WILDCARD = '*';

/** One access control entry: who (principal, host) may or may not do what to which resources. */
export interface AclBinding {
  readonly resourceType: AclResourceType;
  readonly resourceName: string;
  readonly patternType: AclPatternType;
  /** `User:<name>`, or `User:*` for every principal. */
  readonly principal: string;
  /** An IP address, or `*` for every host. */
  readonly host: string;
  readonly operation: AclOperation;
  readonly permission: AclPermission;
}

/** An ACL as stored: its binding under the id its AccessControlEntryRecord gave it. */
export interface AclEntry extends AclBinding {
  readonly id: string;
}

export function codeLookup<T extends string>(codes: { readonly [K in T]: number }): ReadonlyMap<number, T> {
  return new Map((Object.keys(codes) as T[]).map((name) => [codes[name], name]));
}

/** Why a binding is not one the authorizer can hold, or undefined when it is. */
export function aclBindingProblem(binding: AclBinding): string | undefined {
  if (!ACL_RESOURCE_TYPES.includes(binding.resourceType)) return `unknown resource type ${binding.resourceType}`;
  if (!ACL_PATTERN_TYPES.includes(binding.patternType)) return `unknown pattern type ${binding.patternType}`;
  if (!ACL_OPERATIONS.includes(binding.operation)) return `unknown operation ${binding.operation}`;
  if (!ACL_PERMISSIONS.includes(binding.permission)) return `unknown permission ${binding.permission}`;
  if (binding.resourceName.length === 0) return 'resource name is empty';
  if (binding.resourceType === 'CLUSTER' && binding.resourceName !== CLUSTER_RESOURCE_NAME)
    return `the cluster resource is named ${CLUSTER_RESOURCE_NAME}, not ${binding.resourceName}`;
  if (binding.patternType === 'PREFIXED' && binding.resourceName === ACL_WILDCARD)
    return 'a prefixed pattern cannot be the wildcard *';
  if (!/^[A-Za-z][A-Za-z0-9_-]*:.+$/.test(binding.principal))
    return `principal ${JSON.stringify(binding.principal)} is not of the form Type:name (e.g. User:alice)`;
  if (binding.host.length === 0) return 'host is empty (use * for every host)';
  return undefined;
}

export function assertAclBinding(binding: AclBinding): void {
  const problem = aclBindingProblem(binding);
  if (problem !== undefined) throw new InvalidAclError(problem);
}

/** One string per distinct binding (ids aside), for sets of bindings. */
export function aclBindingKey(binding: AclBinding): string {
  return JSON.stringify([
    binding.resourceType,
    binding.resourceName,
    binding.patternType,
    binding.principal,
    binding.host,
    binding.operation,
    binding.permission,
  ]);
}

/** Same binding (ids aside). */
export function sameAclBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permission === b.permission
  );
}

/**
 * A filter as Kafka's AclBindingFilter: every field undefined matches anything; a pattern type
 * `MATCH` matches every ACL that would apply to the literal resource name (literal equal,
 * wildcard, or a prefix of it).
 */
export interface AclBindingFilter {
  readonly resourceType?: AclResourceType;
  readonly resourceName?: string;
  readonly patternType?: AclPatternType | 'MATCH';
  readonly principal?: string;
  readonly host?: string;
  readonly operation?: AclOperation;
  readonly permission?: AclPermission;
}

export function aclMatchesFilter(acl: AclBinding, filter: AclBindingFilter): boolean {
  if (filter.resourceType !== undefined && acl.resourceType !== filter.resourceType) return false;
  if (filter.principal !== undefined && acl.principal !== filter.principal) return false;
  if (filter.host !== undefined && acl.host !== filter.host) return false;
  if (filter.operation !== undefined && acl.operation !== filter.operation) return false;
  if (filter.permission !== undefined && acl.permission !== filter.permission) return false;
  if (filter.patternType === 'MATCH') {
    if (filter.resourceName === undefined) return true;
    if (acl.patternType === 'LITERAL')
      return acl.resourceName === filter.resourceName || acl.resourceName === ACL_WILDCARD;
    return filter.resourceName.startsWith(acl.resourceName);
  }
  if (filter.patternType !== undefined && acl.patternType !== filter.patternType) return false;
  if (filter.resourceName !== undefined && acl.resourceName !== filter.resourceName) return false;
  return true;
}
