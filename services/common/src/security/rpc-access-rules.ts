/**
 * What each RPC of the contract needs, in Kafka's terms (resource type, name, operation), the
 * same for every service. Kafka's choices where Kafka has the request:
 * - Produce: WRITE on each topic, refused per topic (TOPIC_AUTHORIZATION_FAILED in that topic's
 *   partitions, the other topics written); Fetch: READ per topic, or CLUSTER_ACTION for a follower;
 * - Metadata / DescribeTopics without names, ListGroups: the answer lists only what the caller
 *   may DESCRIBE; with names, each named topic needs DESCRIBE;
 * - InitProducerId: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679);
 * - groups: READ to join, heartbeat or commit (and READ on each committed topic), DESCRIBE to
 *   look, DELETE to delete; DescribeGroups answers per group;
 * - controller: topics CREATE (cluster or topic), DELETE, ALTER; configs ALTER_CONFIGS;
 *   ElectLeaders, AlterPartitionReassignments and ACL changes ALTER on the cluster, DescribeAcls and
 *   ListPartitionReassignments DESCRIBE on the cluster; DescribeLogDirs DESCRIBE on the cluster;
 * - what only brokers, coordinators and controllers call (register, heartbeat, the metadata feed,
 *   AlterPartition, producer id blocks, Raft, share-state writes): CLUSTER_ACTION on the cluster.
 * DescribeCluster and FindCoordinator's lookup of coordinators need only authentication, as
 * Kafka's Metadata broker list does.
 */
import { CLUSTER_RESOURCE_NAME, type AclOperation, type AclResourceType } from '@sluice/metadata';

export interface AccessCheck {
  readonly resourceType: AclResourceType;
  readonly resourceName: string;
  readonly operation: Exclude<AclOperation, 'ALL'>;
}

/** Items of a request answered one by one: refused items are taken out and answered with the refusal. */
export interface ItemRule {
  /** A check that, when allowed, covers every item (CreateTopics: CREATE on the cluster). */
  readonly coveredBy?: AccessCheck;
  /** Each item and what it needs. */
  items(request: Req): { readonly item: unknown; readonly check: AccessCheck }[];
  /** Removes the refused items from the request before the handler sees it. */
  strip(request: Req, refused: ReadonlySet<unknown>): void;
  /** Adds the refused items' answers to the handler's response. */
  answer(response: Req, refused: readonly RefusedItem[]): void;
}

export interface RefusedItem {
  readonly item: unknown;
  readonly errorName: string;
  readonly errorMessage: string;
}

export interface AccessRule {
  /** Checks that refuse the whole call when one fails. */
  readonly whole?: (request: Req) => AccessCheck[];
  /** Alternatives: the call passes when any one of them passes (InitProducerId). */
  readonly anyOf?: (request: Req) => AccessCheck[];
  readonly items?: ItemRule;
  /** Narrows a listing response to what the caller may DESCRIBE. */
  readonly filter?: (request: Req, response: Req, may: (check: AccessCheck) => boolean) => void;
}

/** A decoded request or response: the generated `__Output` shapes, walked by field name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Req = any;

export const CLUSTER: Pick<AccessCheck, 'resourceType' | 'resourceName'> = {
  resourceType: 'CLUSTER',
  resourceName: CLUSTER_RESOURCE_NAME,
};

const cluster = (operation: AccessCheck['operation']): AccessCheck => ({ ...CLUSTER, operation });
const topic = (name: string, operation: AccessCheck['operation']): AccessCheck => ({
  resourceType: 'TOPIC',
  resourceName: name,
  operation,
});
const group = (name: string, operation: AccessCheck['operation']): AccessCheck => ({
  resourceType: 'GROUP',
  resourceName: name,
  operation,
});

function list(value: unknown): Req[] {
  return Array.isArray(value) ? value : [];
}

function distinct(checks: AccessCheck[]): AccessCheck[] {
  const seen = new Set<string>();
  return checks.filter((check) => {
    const key = `${check.resourceType}\u0000${check.resourceName}\u0000${check.operation}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const clusterAction: AccessRule = { whole: () => [cluster('CLUSTER_ACTION')] };

/** Produce / ProduceRecords: WRITE per topic, refused topics answered per partition. */
const produceTopics: ItemRule = {
  items: (request) => list(request.topics).map((item) => ({ item, check: topic(item.name, 'WRITE') })),
  strip(request, refused) {
    request.topics = list(request.topics).filter((item) => !refused.has(item));
  },
  answer(response, refused) {
    response.topics = list(response.topics);
    for (const { item, errorName, errorMessage } of refused) {
      const refusedTopic = item as Req;
      response.topics.push({
        name: refusedTopic.name,
        partitions: list(refusedTopic.partitions).map((partition) => ({
          partition: partition.partition,
          errorName,
          errorMessage,
          baseOffset: '-1',
          logAppendTime: '-1',
          logStartOffset: '-1',
        })),
      });
    }
  },
};

const groupItems = (operation: AccessCheck['operation']): ItemRule => ({
  items: (request) => list(request.groupIds).map((item) => ({ item, check: group(String(item), operation) })),
  strip(request, refused) {
    request.groupIds = list(request.groupIds).filter((id) => !refused.has(id));
  },
  answer(response, refused) {
    response.groups = list(response.groups);
    for (const { item, errorName, errorMessage } of refused)
      response.groups.push({ groupId: String(item), errorName, errorMessage });
  },
});

function describeTopicsNamed(request: Req, field: string): AccessCheck[] {
  return list(request[field]).map((name) => topic(String(name), 'DESCRIBE'));
}

/** Rules by `package.Service/Method`. An RPC missing here is refused (CLUSTER_ACTION) so a new one cannot slip through open. */
export const RPC_ACCESS_RULES: ReadonlyMap<string, AccessRule> = new Map<string, AccessRule>([
  // ---------------------------------------------------------------- broker
  ['sluice.v1.Broker/Produce', { items: produceTopics }],
  ['sluice.v1.Broker/ProduceRecords', { items: produceTopics }],
  // Each message of the stream is checked by the handler (RpcAccessControl.checkProduce).
  ['sluice.v1.Broker/ProduceStream', {}],
  // Followers only, as a follower's Fetch: checked once when the stream opens.
  ['sluice.v1.Broker/ReplicaFetchStream', clusterAction],
  // Consumers only: each message is checked by the handler as a consumer's Fetch (RpcAccessControl.checkFetch).
  ['sluice.v1.Broker/FetchStream', {}],
  [
    'sluice.v1.Broker/Fetch',
    {
      whole: (request) =>
        request.replicaId >= 0
          ? [cluster('CLUSTER_ACTION')]
          : distinct(list(request.topics).map((item) => topic(item.name, 'READ'))),
    },
  ],
  [
    'sluice.v1.Broker/FetchRecords',
    { whole: (request) => distinct(list(request.topics).map((item) => topic(item.name, 'READ'))) },
  ],
  [
    'sluice.v1.Broker/ListOffsets',
    { whole: (request) => distinct(list(request.topics).map((item) => topic(item.name, 'DESCRIBE'))) },
  ],
  [
    'sluice.v1.Broker/Metadata',
    {
      whole: (request) => describeTopicsNamed(request, 'topics'),
      filter(request, response, may) {
        if (list(request.topics).length > 0) return;
        response.topics = list(response.topics).filter((item) => may(topic(item.name, 'DESCRIBE')));
      },
    },
  ],
  [
    'sluice.v1.Broker/OffsetForLeaderEpoch',
    {
      whole: (request) =>
        request.replicaId >= 0
          ? [cluster('CLUSTER_ACTION')]
          : distinct(list(request.topics).map((item) => topic(item.name, 'DESCRIBE'))),
    },
  ],
  ['sluice.v1.Broker/InitProducerId', { anyOf: () => [cluster('IDEMPOTENT_WRITE'), topic('*', 'WRITE')] }],
  [
    'sluice.v1.Broker/ShareFetch',
    {
      whole: (request) =>
        distinct([group(request.groupId, 'READ'), ...list(request.topics).map((item) => topic(item.name, 'READ'))]),
    },
  ],
  [
    'sluice.v1.Broker/ShareAcknowledge',
    {
      whole: (request) =>
        distinct([group(request.groupId, 'READ'), ...list(request.topics).map((item) => topic(item.name, 'READ'))]),
    },
  ],
  // Kafka: DESCRIBE on the cluster (sizes and paths of every replica on the broker).
  ['sluice.v1.Broker/DescribeLogDirs', { whole: () => [cluster('DESCRIBE')] }],
  // ---------------------------------------------------------------- controller
  ['sluice.v1.Controller/RegisterBroker', clusterAction],
  ['sluice.v1.Controller/BrokerHeartbeat', clusterAction],
  ['sluice.v1.Controller/ControlledShutdown', clusterAction],
  ['sluice.v1.Controller/FetchMetadata', clusterAction],
  ['sluice.v1.Controller/AlterPartition', clusterAction],
  ['sluice.v1.Controller/AllocateProducerIds', clusterAction],
  ['sluice.v1.RaftPeer/Send', clusterAction],
  ['sluice.v1.RaftPeer/SendSnapshot', clusterAction],
  ['sluice.v1.RaftPeer/Stream', clusterAction],
  [
    'sluice.v1.Controller/CreateTopics',
    {
      items: {
        // Kafka: CREATE on the cluster, or on each topic.
        coveredBy: cluster('CREATE'),
        items: (request) => list(request.topics).map((item) => ({ item, check: topic(item.name, 'CREATE') })),
        strip(request, refused) {
          request.topics = list(request.topics).filter((item) => !refused.has(item));
        },
        answer(response, refused) {
          response.topics = list(response.topics);
          for (const { item, errorName, errorMessage } of refused)
            response.topics.push({
              name: (item as Req).name,
              topicId: '',
              errorName,
              errorMessage,
              numPartitions: -1,
              replicationFactor: -1,
            });
        },
      },
    },
  ],
  [
    'sluice.v1.Controller/DeleteTopics',
    { whole: (request) => distinct(list(request.names).map((name) => topic(String(name), 'DELETE'))) },
  ],
  [
    'sluice.v1.Controller/CreatePartitions',
    { whole: (request) => distinct(list(request.topics).map((item) => topic(item.name, 'ALTER'))) },
  ],
  [
    'sluice.v1.Controller/AlterConfigs',
    {
      whole: (request) =>
        distinct(
          list(request.resources).map((resource) =>
            String(resource.resourceType).toLowerCase() === 'topic'
              ? topic(resource.resourceName, 'ALTER_CONFIGS')
              : cluster('ALTER_CONFIGS'),
          ),
        ),
    },
  ],
  ['sluice.v1.Controller/ElectLeaders', { whole: () => [cluster('ALTER')] }],
  ['sluice.v1.Controller/AlterPartitionReassignments', { whole: () => [cluster('ALTER')] }],
  ['sluice.v1.Controller/ListPartitionReassignments', { whole: () => [cluster('DESCRIBE')] }],
  ['sluice.v1.Controller/DescribeCluster', { whole: () => [] }],
  [
    'sluice.v1.Controller/DescribeTopics',
    {
      whole: (request) => describeTopicsNamed(request, 'names'),
      filter(request, response, may) {
        if (list(request.names).length > 0) return;
        response.topics = list(response.topics).filter((item) => may(topic(item.name, 'DESCRIBE')));
      },
    },
  ],
  ['sluice.v1.Controller/CreateAcls', { whole: () => [cluster('ALTER')] }],
  ['sluice.v1.Controller/DeleteAcls', { whole: () => [cluster('ALTER')] }],
  ['sluice.v1.Controller/DescribeAcls', { whole: () => [cluster('DESCRIBE')] }],
  // ---------------------------------------------------------------- coordinator
  ['sluice.v1.Coordinator/FindCoordinator', { whole: () => [] }],
  ['sluice.v1.Coordinator/ConsumerGroupHeartbeat', { whole: (request) => [group(request.groupId, 'READ')] }],
  ['sluice.v1.Coordinator/ConsumerGroupWakeups', { whole: (request) => [group(request.groupId, 'READ')] }],
  [
    'sluice.v1.Coordinator/OffsetCommit',
    {
      whole: (request) =>
        distinct([group(request.groupId, 'READ'), ...list(request.topics).map((item) => topic(item.name, 'READ'))]),
    },
  ],
  ['sluice.v1.Coordinator/OffsetFetch', { whole: (request) => [group(request.groupId, 'DESCRIBE')] }],
  [
    'sluice.v1.Coordinator/ListGroups',
    {
      filter(_request, response, may) {
        response.groups = list(response.groups).filter((item) => may(group(item.groupId, 'DESCRIBE')));
      },
    },
  ],
  ['sluice.v1.Coordinator/DescribeGroups', { items: groupItems('DESCRIBE') }],
  ['sluice.v1.Coordinator/DeleteGroups', { items: groupItems('DELETE') }],
  ['sluice.v1.Coordinator/ShareGroupHeartbeat', { whole: (request) => [group(request.groupId, 'READ')] }],
  ['sluice.v1.Coordinator/DescribeShareGroups', { items: groupItems('DESCRIBE') }],
  [
    'sluice.v1.Coordinator/ReadShareGroupState',
    {
      // A leader's read (its epoch) is a broker's; a look without one (leader_epoch -1) is the CLI's.
      whole: (request) =>
        request.leaderEpoch >= 0 ? [cluster('CLUSTER_ACTION')] : [group(request.groupId, 'DESCRIBE')],
    },
  ],
  ['sluice.v1.Coordinator/WriteShareGroupState', clusterAction],
  // ---------------------------------------------------------------- tiering
  // Kafka has no such request: describing partitions is a topic's DESCRIBE (the cluster's when
  // every tiered topic is asked for), deleting objects an operator's ALTER on the cluster.
  [
    'sluice.v1.Tiering/DescribeTieredPartitions',
    {
      whole: (request) =>
        list(request.topics).length === 0 ? [cluster('DESCRIBE')] : distinct(describeTopicsNamed(request, 'topics')),
    },
  ],
  ['sluice.v1.Tiering/ScrubRemoteStorage', { whole: () => [cluster('ALTER')] }],
  // ---------------------------------------------------------------- health: probes carry no identity
  ['grpc.health.v1.Health/Check', { whole: () => [] }],
  ['grpc.health.v1.Health/Watch', { whole: () => [] }],
]);

/** Services whose calls are not authenticated either (Kubernetes probes, grpcurl's reflection). */
export const UNAUTHENTICATED_SERVICES: ReadonlySet<string> = new Set([
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
]);

export type AuthorizationErrorName =
  'TOPIC_AUTHORIZATION_FAILED' | 'GROUP_AUTHORIZATION_FAILED' | 'CLUSTER_AUTHORIZATION_FAILED';

export function authorizationErrorName(resourceType: AclResourceType): AuthorizationErrorName {
  switch (resourceType) {
    case 'TOPIC':
      return 'TOPIC_AUTHORIZATION_FAILED';
    case 'GROUP':
      return 'GROUP_AUTHORIZATION_FAILED';
    case 'CLUSTER':
      return 'CLUSTER_AUTHORIZATION_FAILED';
  }
}
