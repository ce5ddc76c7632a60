/**
 * ACL changes as metadata records (Kafka's AclControlManager): CreateAcls turns each new binding
 * into an AccessControlEntryRecord under a fresh id, DeleteAcls turns every entry a filter
 * matches into a RemoveAccessControlEntryRecord. Answers per binding / per filter; a bad one
 * changes nothing and does not hold up the others.
 */
import {
  aclBindingKey,
  aclBindingProblem,
  aclMatchesFilter,
  type AclBinding,
  type AclBindingFilter,
  type AclEntry,
  type MetadataImage,
  type MetadataRecord,
} from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import type { CoreContext } from './context';
import type { ControllerResult } from './result';
import { randomUuid } from './rng';

/** Most bindings or filters one request may carry (Kafka bounds nothing; a request is not a bulk import). */
export const MAX_ACL_CHANGES_PER_REQUEST = 1_000;

export interface AclCreationResult {
  readonly error?: ApiError;
}

export interface CreateAclsResponse {
  readonly results: readonly AclCreationResult[];
}

export interface AclDeletionResult {
  readonly error?: ApiError;
  readonly removed: readonly AclEntry[];
}

export interface DeleteAclsResponse {
  readonly results: readonly AclDeletionResult[];
}

function checkCount(count: number, what: string): void {
  if (count > MAX_ACL_CHANGES_PER_REQUEST)
    throw new ApiError('INVALID_REQUEST', `${count} ${what} in one request; at most ${MAX_ACL_CHANGES_PER_REQUEST}`);
}

export function createAcls(ctx: CoreContext, bindings: readonly AclBinding[]): ControllerResult<CreateAclsResponse> {
  checkCount(bindings.length, 'ACL creations');
  const held = new Set<string>();
  for (const entry of ctx.image.acls.entries()) held.add(aclBindingKey(entry));
  const takenIds = new Set<string>();
  const records: MetadataRecord[] = [];
  const results: AclCreationResult[] = bindings.map((binding) => {
    const problem = aclBindingProblem(binding);
    if (problem !== undefined) return { error: new ApiError('INVALID_REQUEST', problem) };
    const key = aclBindingKey(binding);
    // Kafka answers success for a binding already held, and writes nothing for it.
    if (held.has(key)) return {};
    held.add(key);
    const id = randomUuid(
      ctx.rng,
      (candidate) => takenIds.has(candidate) || ctx.image.acls.get(candidate) !== undefined,
    );
    takenIds.add(id);
    records.push({ type: 'AccessControlEntry', id, ...pick(binding) });
    return {};
  });
  return { records, response: { results }, summary: `created ${records.length} of ${bindings.length} ACLs` };
}

export function deleteAcls(
  ctx: CoreContext,
  filters: readonly AclBindingFilter[],
): ControllerResult<DeleteAclsResponse> {
  checkCount(filters.length, 'ACL deletion filters');
  const removedIds = new Set<string>();
  const records: MetadataRecord[] = [];
  const entries = ctx.image.acls.sortedEntries();
  const results: AclDeletionResult[] = filters.map((filter) => {
    const removed = entries.filter((entry) => !removedIds.has(entry.id) && aclMatchesFilter(entry, filter));
    for (const entry of removed) {
      removedIds.add(entry.id);
      records.push({ type: 'RemoveAccessControlEntry', id: entry.id });
    }
    return { removed };
  });
  return { records, response: { results }, summary: `deleted ${records.length} ACLs` };
}

export function describeAcls(image: MetadataImage, filter: AclBindingFilter): AclEntry[] {
  return image.acls.sortedEntries().filter((entry) => aclMatchesFilter(entry, filter));
}

function pick(binding: AclBinding): AclBinding {
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
