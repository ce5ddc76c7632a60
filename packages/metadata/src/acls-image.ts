/**
 * The ACLs in force (Kafka's AclsImage): entries by id, as the AccessControlEntry and
 * RemoveAccessControlEntry records left them. Replay refuses a malformed entry, a reused id,
 * a second copy of a binding already held, and a removal of an id not held, before changing anything.
 */
import { aclBindingKey, assertAclBinding, type AclEntry } from './acls';
import { AclIdError } from './errors';
import type { AccessControlEntryRecord, RemoveAccessControlEntryRecord } from './records';
import { isUuid } from './uuid';

/** Most ACLs one image holds: each is checked on the request path, so their number is bounded. */
export const MAX_ACLS = 100_000;

export class AclsImage {
  static readonly EMPTY = new AclsImage(new Map());

  constructor(private readonly byId: ReadonlyMap<string, AclEntry>) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): AclEntry | undefined {
    return this.byId.get(id);
  }

  /** Every entry, ordered by id (snapshots, describe). */
  sortedEntries(): AclEntry[] {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  entries(): IterableIterator<AclEntry> {
    return this.byId.values();
  }

  /** For AclsDelta only: a mutable copy. */
  copyEntries(): Map<string, AclEntry> {
    return new Map(this.byId);
  }
}

export class AclsDelta {
  /** id -> entry added, or null when removed. */
  private readonly changed = new Map<string, AclEntry | null>();
  private sizeValue: number;
  private bindings: Set<string> | undefined;

  constructor(readonly image: AclsImage) {
    this.sizeValue = image.size;
  }

  get(id: string): AclEntry | undefined {
    const changed = this.changed.get(id);
    if (changed === null) return undefined;
    return changed ?? this.image.get(id);
  }

  get isEmpty(): boolean {
    return this.changed.size === 0;
  }

  replayEntry(record: AccessControlEntryRecord): void {
    if (!isUuid(record.id)) throw new AclIdError(`ACL id ${JSON.stringify(record.id)} is not a UUID`);
    const entry: AclEntry = {
      id: record.id,
      resourceType: record.resourceType,
      resourceName: record.resourceName,
      patternType: record.patternType,
      principal: record.principal,
      host: record.host,
      operation: record.operation,
      permission: record.permission,
    };
    assertAclBinding(entry);
    if (this.get(record.id) !== undefined) throw new AclIdError(`ACL id ${record.id} is already in use`);
    const key = aclBindingKey(entry);
    const bindings = this.bindingKeys();
    if (bindings.has(key)) throw new AclIdError(`ACL ${record.id} repeats a binding already held`);
    if (this.sizeValue >= MAX_ACLS) throw new AclIdError(`more than ${MAX_ACLS} ACLs`);
    this.changed.set(record.id, entry);
    bindings.add(key);
    this.sizeValue++;
  }

  replayRemove(record: RemoveAccessControlEntryRecord): void {
    const held = this.get(record.id);
    if (held === undefined) throw new AclIdError(`no ACL with id ${record.id} to remove`);
    this.bindingKeys().delete(aclBindingKey(held));
    this.changed.set(record.id, null);
    this.sizeValue--;
  }

  /** The bindings held so far, built on the first ACL record a delta replays (one pass over the image). */
  private bindingKeys(): Set<string> {
    if (this.bindings === undefined) {
      this.bindings = new Set();
      for (const entry of this.image.entries()) this.bindings.add(aclBindingKey(entry));
      for (const entry of this.changed.values()) if (entry !== null) this.bindings.add(aclBindingKey(entry));
    }
    return this.bindings;
  }

  apply(): AclsImage {
    if (this.changed.size === 0) return this.image;
    const entries = this.image.copyEntries();
    for (const [id, entry] of this.changed) {
      if (entry === null) entries.delete(id);
      else entries.set(id, entry);
    }
    return new AclsImage(entries);
  }
}
