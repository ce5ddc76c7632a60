/**
 * ACL bindings and filters between the wire (Kafka's enum names as strings) and
 * @sluice/metadata's types. Unknown names are INVALID_REQUEST naming the field.
 */
import {
  ACL_OPERATIONS,
  ACL_PATTERN_TYPES,
  ACL_PERMISSIONS,
  ACL_RESOURCE_TYPES,
  type AclBinding,
  type AclBindingFilter,
} from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import type * as pb from '@sluice/proto';

function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  const upper = value.trim().toUpperCase();
  if ((allowed as readonly string[]).includes(upper)) return upper as T;
  throw new ApiError('INVALID_REQUEST', `${field} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}

/** Empty or ANY: matches every value. */
function optionalOneOf<T extends string>(value: string, allowed: readonly T[], field: string): T | undefined {
  const text = value.trim();
  return text === '' || text.toUpperCase() === 'ANY' ? undefined : oneOf(text, allowed, field);
}

export function bindingFromWire(binding: pb.AclBinding__Output): AclBinding {
  return {
    resourceType: oneOf(binding.resourceType, ACL_RESOURCE_TYPES, 'resource_type'),
    resourceName: binding.resourceName,
    patternType: binding.patternType === '' ? 'LITERAL' : oneOf(binding.patternType, ACL_PATTERN_TYPES, 'pattern_type'),
    principal: binding.principal,
    host: binding.host === '' ? '*' : binding.host,
    operation: oneOf(binding.operation, ACL_OPERATIONS, 'operation'),
    permission: binding.permission === '' ? 'ALLOW' : oneOf(binding.permission, ACL_PERMISSIONS, 'permission'),
  };
}

export function filterFromWire(filter: pb.AclBindingFilter__Output | null | undefined): AclBindingFilter {
  if (filter === null || filter === undefined) return {};
  const patternText = filter.patternType.trim().toUpperCase();
  const patternType =
    patternText === 'MATCH' ? ('MATCH' as const) : optionalOneOf(filter.patternType, ACL_PATTERN_TYPES, 'pattern_type');
  return {
    ...optional('resourceType', optionalOneOf(filter.resourceType, ACL_RESOURCE_TYPES, 'resource_type')),
    ...optional('resourceName', filter.resourceName === '' ? undefined : filter.resourceName),
    ...optional('patternType', patternType),
    ...optional('principal', filter.principal === '' ? undefined : filter.principal),
    ...optional('host', filter.host === '' ? undefined : filter.host),
    ...optional('operation', optionalOneOf(filter.operation, ACL_OPERATIONS, 'operation')),
    ...optional('permission', optionalOneOf(filter.permission, ACL_PERMISSIONS, 'permission')),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function bindingToWire(binding: AclBinding): pb.AclBinding {
  return {
    resourceType: binding.resourceType,
    resourceName: binding.resourceName,
    patternType: binding.patternType,
    principal: binding.principal,
    host: binding.host,
    operation: binding.operation,
    permission: binding.permission,
  };
}
