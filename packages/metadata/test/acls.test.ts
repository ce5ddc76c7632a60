import fc from 'fast-check';
import {
  ACL_OPERATIONS,
  AclIdError,
  Authorizer,
  InvalidAclError,
  MetadataDelta,
  MetadataImage,
  aclMatchesFilter,
  loadSnapshot,
  snapshotChunks,
  uuidFromBytes,
  type AccessControlEntryRecord,
  type AclEntry,
  type AclOperation,
  type AuthorizationRequest,
  type MetadataRecord,
} from '@sluice/metadata';

const id = (n: number): string => uuidFromBytes(Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? n : 0)));

function acl(n: number, fields: Partial<AccessControlEntryRecord> = {}): AccessControlEntryRecord {
  return {
    type: 'AccessControlEntry',
    id: id(n),
    resourceType: 'TOPIC',
    resourceName: 'orders',
    patternType: 'LITERAL',
    principal: 'User:alice',
    host: '*',
    operation: 'READ',
    permission: 'ALLOW',
    ...fields,
  };
}

function imageOf(records: readonly MetadataRecord[], base = MetadataImage.EMPTY): MetadataImage {
  const delta = new MetadataDelta(base);
  for (const record of records) delta.replay(record);
  return delta.apply();
}

const closed = new Authorizer({ superUsers: ['User:admin'], allowEveryoneIfNoAclFound: false });
const open = new Authorizer({ superUsers: [], allowEveryoneIfNoAclFound: true });

function ask(request: Partial<AuthorizationRequest>): AuthorizationRequest {
  return {
    principal: 'User:alice',
    host: '10.0.0.1',
    operation: 'READ',
    resourceType: 'TOPIC',
    resourceName: 'orders',
    ...request,
  };
}

describe('ACLs in the metadata image', () => {
  it('adds and removes entries by id; a snapshot carries them', async () => {
    const image = imageOf([
      acl(1),
      acl(2, { operation: 'WRITE' }),
      acl(3, { resourceType: 'GROUP', resourceName: 'g' }),
    ]);
    expect(image.acls.size).toBe(3);
    const removed = imageOf([{ type: 'RemoveAccessControlEntry', id: id(2) }], image);
    expect(removed.acls.sortedEntries().map((entry) => entry.id)).toEqual([id(1), id(3)]);
    expect(image.acls.size).toBe(3); // images are immutable
    const reloaded = await loadSnapshot(Buffer.concat([...snapshotChunks(removed)]));
    expect(reloaded.acls.sortedEntries()).toEqual(removed.acls.sortedEntries());
  });

  it('refuses a reused id, a repeated binding, an unknown removal and a malformed entry, changing nothing', () => {
    const image = imageOf([acl(1)]);
    const delta = new MetadataDelta(image);
    expect(() => delta.replay(acl(1, { operation: 'WRITE' }))).toThrow(AclIdError);
    expect(() => delta.replay(acl(2))).toThrow(AclIdError);
    expect(() => delta.replay({ type: 'RemoveAccessControlEntry', id: id(9) })).toThrow(AclIdError);
    expect(() => delta.replay(acl(3, { principal: 'alice' }))).toThrow(InvalidAclError);
    expect(() => delta.replay(acl(4, { resourceType: 'CLUSTER', resourceName: 'other' }))).toThrow(InvalidAclError);
    expect(() => delta.replay(acl(5, { patternType: 'PREFIXED', resourceName: '*' }))).toThrow(InvalidAclError);
    expect(delta.recordCount).toBe(0);
    expect(delta.apply().acls).toBe(image.acls);
  });

  it('lets a removed binding be added again under a new id in the same delta', () => {
    const image = imageOf([acl(1), { type: 'RemoveAccessControlEntry', id: id(1) }, acl(2)]);
    expect(image.acls.sortedEntries().map((entry) => entry.id)).toEqual([id(2)]);
  });
});

describe('Authorizer (Kafka StandardAuthorizer semantics)', () => {
  it('allows super users everything and decides uncovered resources by allow.everyone.if.no.acl.found', () => {
    const empty = MetadataImage.EMPTY.acls;
    expect(closed.authorize(empty, ask({ principal: 'User:admin', operation: 'DELETE' })).allowed).toBe(true);
    expect(closed.authorize(empty, ask({}))).toEqual({ allowed: false, reason: 'no acl found' });
    expect(open.authorize(empty, ask({})).allowed).toBe(true);
    // Covered by someone else's ACL: allow.everyone no longer applies.
    const image = imageOf([acl(1, { principal: 'User:bob' })]);
    expect(open.authorize(image.acls, ask({}))).toEqual({ allowed: false, reason: 'no acl allows' });
  });

  it('matches literal, wildcard and prefixed patterns, principals User:* and hosts', () => {
    const image = imageOf([
      acl(1, { resourceName: 'pay-', patternType: 'PREFIXED', operation: 'WRITE' }),
      acl(2, { resourceName: '*', principal: 'User:*', operation: 'DESCRIBE' }),
      acl(3, { resourceName: 'audit', host: '10.0.0.2' }),
    ]).acls;
    expect(closed.authorize(image, ask({ resourceName: 'pay-eu', operation: 'WRITE' })).allowed).toBe(true);
    expect(closed.authorize(image, ask({ resourceName: 'pa', operation: 'WRITE' })).allowed).toBe(false);
    expect(closed.authorize(image, ask({ principal: 'User:zed', operation: 'DESCRIBE' })).allowed).toBe(true);
    expect(closed.authorize(image, ask({ resourceName: 'audit' })).allowed).toBe(false);
    expect(closed.authorize(image, ask({ resourceName: 'audit', host: '10.0.0.2' })).allowed).toBe(true);
  });

  it('lets DENY win, and implies DESCRIBE from READ/WRITE/DELETE/ALTER and DESCRIBE_CONFIGS from ALTER_CONFIGS', () => {
    const image = imageOf([
      acl(1, { operation: 'ALL' }),
      acl(2, { operation: 'WRITE', permission: 'DENY' }),
      acl(3, { resourceType: 'GROUP', resourceName: 'billing', operation: 'READ' }),
      acl(4, { resourceName: 'cfg', operation: 'ALTER_CONFIGS' }),
    ]).acls;
    expect(closed.authorize(image, ask({ operation: 'READ' })).allowed).toBe(true);
    expect(closed.authorize(image, ask({ operation: 'WRITE' }))).toEqual({
      allowed: false,
      reason: `denied by acl ${id(2)}`,
    });
    expect(
      closed.authorize(image, ask({ resourceType: 'GROUP', resourceName: 'billing', operation: 'DESCRIBE' })).allowed,
    ).toBe(true);
    expect(closed.authorize(image, ask({ resourceType: 'GROUP', resourceName: 'other' })).allowed).toBe(false);
    expect(closed.authorize(image, ask({ resourceName: 'cfg', operation: 'DESCRIBE_CONFIGS' })).allowed).toBe(true);
    expect(closed.authorize(image, ask({ resourceName: 'cfg', operation: 'DESCRIBE' })).allowed).toBe(false);
  });

  it('agrees with a plain scan of every ACL (property)', () => {
    const names = ['orders', 'orders-eu', 'pay', '*', 'ord'];
    const principals = ['User:alice', 'User:bob', 'User:*'];
    const hosts = ['*', '10.0.0.1', '10.0.0.2'];
    const ops = ACL_OPERATIONS.filter((op) => op !== 'ALL') as Exclude<AclOperation, 'ALL'>[];
    const arbAcl = fc.record({
      resourceType: fc.constantFrom('TOPIC' as const, 'GROUP' as const),
      resourceName: fc.constantFrom(...names),
      patternType: fc.constantFrom('LITERAL' as const, 'PREFIXED' as const),
      principal: fc.constantFrom(...principals),
      host: fc.constantFrom(...hosts),
      operation: fc.constantFrom(...ACL_OPERATIONS),
      permission: fc.constantFrom('ALLOW' as const, 'DENY' as const),
    });
    const arbRequest = fc.record({
      principal: fc.constantFrom('User:alice', 'User:bob'),
      host: fc.constantFrom('10.0.0.1', '10.0.0.2'),
      operation: fc.constantFrom(...ops),
      resourceType: fc.constantFrom('TOPIC' as const, 'GROUP' as const),
      resourceName: fc.constantFrom('orders', 'orders-eu', 'pay', 'ord', 'x'),
    });
    fc.assert(
      fc.property(fc.array(arbAcl, { maxLength: 12 }), arbRequest, fc.boolean(), (bindings, request, allowEveryone) => {
        const entries: AclEntry[] = [];
        const records: MetadataRecord[] = [];
        bindings.forEach((binding, n) => {
          if (binding.patternType === 'PREFIXED' && binding.resourceName === '*') return;
          if (entries.some((e) => JSON.stringify({ ...e, id: '' }) === JSON.stringify({ ...binding, id: '' }))) return;
          entries.push({ ...binding, id: id(n + 1) });
          records.push({ type: 'AccessControlEntry', ...binding, id: id(n + 1) });
        });
        const authorizer = new Authorizer({ superUsers: [], allowEveryoneIfNoAclFound: allowEveryone });
        const decided = authorizer.authorize(imageOf(records).acls, request).allowed;
        expect(decided).toBe(scanModel(entries, request, allowEveryone));
      }),
      { numRuns: 3000 },
    );
  });

  it('filters like AclBindingFilter, MATCH included', () => {
    const prefixed = { ...acl(1, { resourceName: 'ord', patternType: 'PREFIXED' }) };
    expect(aclMatchesFilter(prefixed, { patternType: 'MATCH', resourceName: 'orders' })).toBe(true);
    expect(aclMatchesFilter(prefixed, { patternType: 'LITERAL', resourceName: 'orders' })).toBe(false);
    expect(aclMatchesFilter(prefixed, { principal: 'User:alice', operation: 'READ' })).toBe(true);
  });
});

/** The rules read straight from Kafka's docs, over every ACL without an index. */
function scanModel(entries: readonly AclEntry[], request: AuthorizationRequest, allowEveryone: boolean): boolean {
  const covering = entries.filter(
    (e) =>
      e.resourceType === request.resourceType &&
      (e.patternType === 'LITERAL'
        ? e.resourceName === request.resourceName || e.resourceName === '*'
        : request.resourceName.startsWith(e.resourceName)),
  );
  if (covering.length === 0) return allowEveryone;
  const applicable = covering.filter(
    (e) =>
      (e.principal === request.principal || e.principal === 'User:*') && (e.host === request.host || e.host === '*'),
  );
  const op = request.operation;
  if (applicable.some((e) => e.permission === 'DENY' && (e.operation === 'ALL' || e.operation === op))) return false;
  return applicable.some(
    (e) =>
      e.permission === 'ALLOW' &&
      (e.operation === 'ALL' ||
        e.operation === op ||
        (op === 'DESCRIBE' && ['READ', 'WRITE', 'DELETE', 'ALTER'].includes(e.operation)) ||
        (op === 'DESCRIBE_CONFIGS' && e.operation === 'ALTER_CONFIGS')),
  );
}
