/**
 * Authorization of RPCs against a real ACL image (no mocks: the image is built from
 * AccessControlEntry records as a node builds it): whole-call refusals, per-item refusals that
 * leave the allowed items to the handler, filtered listings, the idempotent producer's
 * alternatives, unknown RPCs closed by default, and one audit line per refusal.
 */
import { ApiError } from '@sluice/protocol';
import {
  CLUSTER_RESOURCE_NAME,
  MetadataDelta,
  MetadataImage,
  uuidFromBytes,
  type AccessControlEntryRecord,
  type AclBinding,
} from '@sluice/metadata';
import { MemorySecurityAuditSink, RpcAccessControl, SecurityAudit } from '../src';

const id = (n: number): string => uuidFromBytes(Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? n : 0)));

function imageWith(bindings: readonly Omit<AclBinding, 'patternType' | 'host' | 'permission'>[]): MetadataImage {
  const delta = new MetadataDelta(MetadataImage.EMPTY);
  bindings.forEach((binding, n) => {
    const record: AccessControlEntryRecord = {
      type: 'AccessControlEntry',
      id: id(n + 1),
      patternType: 'LITERAL',
      host: '*',
      permission: 'ALLOW',
      ...binding,
    };
    delta.replay(record);
  });
  return delta.apply();
}

const image = imageWith([
  { resourceType: 'TOPIC', resourceName: 'orders', principal: 'User:alice', operation: 'WRITE' },
  { resourceType: 'TOPIC', resourceName: 'orders', principal: 'User:bob', operation: 'READ' },
  { resourceType: 'GROUP', resourceName: 'billing', principal: 'User:bob', operation: 'READ' },
  { resourceType: 'CLUSTER', resourceName: CLUSTER_RESOURCE_NAME, principal: 'User:carol', operation: 'DESCRIBE' },
]);

function control(): { access: RpcAccessControl; sink: MemorySecurityAuditSink } {
  const sink = new MemorySecurityAuditSink();
  const access = new RpcAccessControl({
    authorizer: { superUsers: ['User:CN=broker-1'], allowEveryoneIfNoAclFound: false },
    acls: () => image.acls,
    audit: new SecurityAudit(sink, { service: 'broker', nodeId: 1 }),
  });
  return { access, sink };
}

const call = (principal: string, service: string, method: string) => ({
  principal,
  service,
  method,
  peerHost: '10.0.0.9',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
});

describe('RpcAccessControl', () => {
  it('refuses a Produce topic by topic, leaving the allowed ones to the handler, and audits each refusal', () => {
    const { access, sink } = control();
    const request = {
      acks: -1,
      topics: [
        { name: 'orders', partitions: [{ partition: 0 }] },
        { name: 'payroll', partitions: [{ partition: 0 }, { partition: 1 }] },
      ],
    };
    const who = call('User:alice', 'sluice.v1.Broker', 'Produce');
    const pending = access.checkCall(who, request);
    expect(request.topics.map((topic) => topic.name)).toEqual(['orders']);
    const answer = access.completeAnswer(who, pending!, {
      topics: [{ name: 'orders', partitions: [{ partition: 0, errorName: '' }] }],
    }) as { topics: { name: string; partitions: { partition: number; errorName: string }[] }[] };
    expect(answer.topics.map((topic) => [topic.name, topic.partitions.map((p) => p.errorName)])).toEqual([
      ['orders', ['']],
      ['payroll', ['TOPIC_AUTHORIZATION_FAILED', 'TOPIC_AUTHORIZATION_FAILED']],
    ]);
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({
      service: 'broker',
      principal: 'User:alice',
      host: '10.0.0.9',
      rpc: 'sluice.v1.Broker/Produce',
      operation: 'WRITE',
      resource: 'TOPIC:payroll',
      result: 'TOPIC_AUTHORIZATION_FAILED',
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });

  it('refuses a whole call with the resource type\u2019s Kafka error: group, topic, cluster', () => {
    const { access } = control();
    const refusal = (principal: string, service: string, method: string, request: object): string => {
      try {
        access.checkCall(call(principal, service, method), request);
        return 'ALLOWED';
      } catch (error) {
        return (error as ApiError).errorName;
      }
    };
    const commit = { groupId: 'payroll', topics: [{ name: 'orders' }] };
    expect(refusal('User:bob', 'sluice.v1.Coordinator', 'OffsetCommit', commit)).toBe('GROUP_AUTHORIZATION_FAILED');
    expect(refusal('User:bob', 'sluice.v1.Coordinator', 'OffsetCommit', { ...commit, groupId: 'billing' })).toBe(
      'ALLOWED',
    );
    expect(refusal('User:alice', 'sluice.v1.Broker', 'Fetch', { replicaId: -1, topics: [{ name: 'orders' }] })).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    // A follower's fetch is a broker's: CLUSTER_ACTION, which only the brokers (super users) have.
    expect(refusal('User:bob', 'sluice.v1.Broker', 'Fetch', { replicaId: 2, topics: [{ name: 'orders' }] })).toBe(
      'CLUSTER_AUTHORIZATION_FAILED',
    );
    expect(refusal('User:CN=broker-1', 'sluice.v1.Broker', 'Fetch', { replicaId: 2, topics: [] })).toBe('ALLOWED');
    expect(refusal('User:alice', 'sluice.v1.Controller', 'CreateAcls', { creations: [] })).toBe(
      'CLUSTER_AUTHORIZATION_FAILED',
    );
    // Kafka's DescribeLogDirs: DESCRIBE on the cluster (every replica's size and path on the broker).
    expect(refusal('User:bob', 'sluice.v1.Broker', 'DescribeLogDirs', { topics: [{ name: 'orders' }] })).toBe(
      'CLUSTER_AUTHORIZATION_FAILED',
    );
    expect(refusal('User:carol', 'sluice.v1.Broker', 'DescribeLogDirs', { topics: [] })).toBe('ALLOWED');
    // An RPC without a rule is closed to all but super users.
    expect(refusal('User:alice', 'sluice.v1.Broker', 'SomethingNew', {})).toBe('CLUSTER_AUTHORIZATION_FAILED');
  });

  it('lets an idempotent producer in with WRITE on some topic (KIP-679), and filters listings by DESCRIBE', () => {
    const { access, sink } = control();
    expect(access.checkCall(call('User:alice', 'sluice.v1.Broker', 'InitProducerId'), {})).toBeUndefined();
    expect(() => access.checkCall(call('User:bob', 'sluice.v1.Broker', 'InitProducerId'), {})).toThrow(
      'CLUSTER_AUTHORIZATION_FAILED',
    );
    const who = call('User:bob', 'sluice.v1.Broker', 'Metadata');
    const pending = access.checkCall(who, { topics: [] });
    const listing = access.completeAnswer(who, pending!, {
      topics: [{ name: 'orders' }, { name: 'payroll' }],
    }) as { topics: { name: string }[] };
    expect(listing.topics.map((topic) => topic.name)).toEqual(['orders']);
    // Filtering a listing is not a refusal: only bob's InitProducerId refusal was audited.
    expect(sink.lines.map((line) => line.rpc)).toEqual(['sluice.v1.Broker/InitProducerId']);
  });

  it('answers a retriable error while the ACLs are still loading, except to super users, then decides', () => {
    let loaded = false;
    const sink = new MemorySecurityAuditSink();
    const access = new RpcAccessControl({
      authorizer: { superUsers: ['User:CN=broker-1'], allowEveryoneIfNoAclFound: false },
      acls: () => (loaded ? image.acls : MetadataImage.EMPTY.acls),
      audit: new SecurityAudit(sink, { service: 'coordinator', nodeId: 1 }),
      ready: () => loaded,
      notReadyError: 'COORDINATOR_LOAD_IN_PROGRESS',
    });
    const heartbeat = call('User:bob', 'sluice.v1.Coordinator', 'ConsumerGroupHeartbeat');
    let early: ApiError | undefined;
    try {
      access.checkCall(heartbeat, { groupId: 'billing' });
    } catch (error) {
      early = error as ApiError;
    }
    expect(early?.errorName).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    expect(early?.retriable).toBe(true);
    expect(sink.lines).toEqual([]); // a deferral, not a refusal
    // The cluster's own processes are super users: they need no ACLs to start.
    expect(() =>
      access.checkCall(call('User:CN=broker-1', 'sluice.v1.Coordinator', 'WriteShareGroupState'), {}),
    ).not.toThrow();
    loaded = true;
    expect(access.checkCall(heartbeat, { groupId: 'billing' })).toBeUndefined();
  });

  it("authorizes each FetchStream message as a consumer's Fetch: READ on each topic, audited per refusal", () => {
    const { access, sink } = control();
    // The stream itself needs only authentication; its messages are checked by the handler.
    expect(access.checkCall(call('User:alice', 'sluice.v1.Broker', 'FetchStream'), {})).toBe(undefined);
    const bob = call('User:bob', 'sluice.v1.Broker', 'FetchStream');
    expect(() => access.checkFetch(bob, { topics: [{ name: 'orders' }] })).not.toThrow();
    let refused: unknown;
    try {
      access.checkFetch(bob, { topics: [{ name: 'orders' }, { name: 'payroll' }] });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).errorName).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(() =>
      access.checkFetch(call('User:alice', 'sluice.v1.Broker', 'FetchStream'), { topics: [{ name: 'orders' }] }),
    ).toThrow(ApiError);
    expect(sink.lines.map((line) => [line.principal, line.rpc, line.operation, line.result])).toEqual([
      ['User:bob', 'sluice.v1.Broker/FetchStream', 'READ', 'TOPIC_AUTHORIZATION_FAILED'],
      ['User:alice', 'sluice.v1.Broker/FetchStream', 'READ', 'TOPIC_AUTHORIZATION_FAILED'],
    ]);
  });

  it('allows everything without an authorizer (no authorizer.class.name)', () => {
    const sink = new MemorySecurityAuditSink();
    const open = new RpcAccessControl({
      acls: () => image.acls,
      audit: new SecurityAudit(sink, { service: 'broker', nodeId: 1 }),
    });
    expect(open.enabled).toBe(false);
    expect(open.checkCall(call('User:ANONYMOUS', 'sluice.v1.Controller', 'DeleteTopics'), { names: ['x'] })).toBe(
      undefined,
    );
    expect(sink.lines).toEqual([]);
  });
});
