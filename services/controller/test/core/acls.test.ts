import { MetadataImage, type AclBinding } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { ControllerCore, MAX_ACL_CHANGES_PER_REQUEST, seededRng } from '../../src/core';
import { applyAt, CLUSTER_ID } from './harness';

const READ_ORDERS: AclBinding = {
  resourceType: 'TOPIC',
  resourceName: 'orders',
  patternType: 'LITERAL',
  principal: 'User:alice',
  host: '*',
  operation: 'READ',
  permission: 'ALLOW',
};

describe('ACL control (CreateAcls / DeleteAcls as metadata records)', () => {
  const core = new ControllerCore({ clusterId: CLUSTER_ID, rng: seededRng(7) });

  it('writes one AccessControlEntry per new binding, answers per binding, and skips bindings already held', () => {
    const first = core.createAcls(MetadataImage.EMPTY, [
      READ_ORDERS,
      { ...READ_ORDERS, principal: 'alice' },
      { ...READ_ORDERS, operation: 'WRITE' },
      READ_ORDERS,
    ]);
    expect(first.records.map((record) => record.type)).toEqual(['AccessControlEntry', 'AccessControlEntry']);
    expect(first.response.results.map((result) => result.error?.errorName)).toEqual([
      undefined,
      'INVALID_REQUEST',
      undefined,
      undefined,
    ]);
    const image = applyAt(MetadataImage.EMPTY, first.records);
    expect(image.acls.size).toBe(2);
    const again = core.createAcls(image, [READ_ORDERS]);
    expect(again.records).toEqual([]);
    expect(again.response.results).toEqual([{}]);
  });

  it('removes every entry a filter matches, once, and describes by filter', () => {
    const created = core.createAcls(MetadataImage.EMPTY, [
      READ_ORDERS,
      { ...READ_ORDERS, operation: 'WRITE' },
      { ...READ_ORDERS, resourceType: 'GROUP', resourceName: 'billing' },
    ]);
    const image = applyAt(MetadataImage.EMPTY, created.records);
    expect(core.describeAcls(image, { resourceType: 'TOPIC' })).toHaveLength(2);
    const deleted = core.deleteAcls(image, [{ resourceName: 'orders' }, { principal: 'User:alice' }]);
    expect(deleted.response.results.map((result) => result.removed.length)).toEqual([2, 1]);
    const after = applyAt(image, deleted.records);
    expect(after.acls.size).toBe(0);
    expect(core.deleteAcls(after, [{}]).records).toEqual([]);
  });

  it('refuses an oversized request whole with INVALID_REQUEST', () => {
    const many = Array.from({ length: MAX_ACL_CHANGES_PER_REQUEST + 1 }, (_, n) => ({
      ...READ_ORDERS,
      resourceName: `t${n}`,
    }));
    expect(() => core.createAcls(MetadataImage.EMPTY, many)).toThrow(ApiError);
  });
});
