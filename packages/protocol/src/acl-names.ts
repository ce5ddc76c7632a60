/**
 * Kafka's ACL vocabulary (ResourceType, PatternType, AclOperation, AclPermissionType by name), shared
 * by the metadata model the controllers store and the Admin client that sends bindings, so the two
 * cannot drift apart.
 */
export type AclResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER';
export type AclPatternType = 'LITERAL' | 'PREFIXED';
export type AclOperation =
  | 'ALL'
  | 'READ'
  | 'WRITE'
  | 'CREATE'
  | 'DELETE'
  | 'ALTER'
  | 'DESCRIBE'
  | 'CLUSTER_ACTION'
  | 'DESCRIBE_CONFIGS'
  | 'ALTER_CONFIGS'
  | 'IDEMPOTENT_WRITE';
export type AclPermission = 'ALLOW' | 'DENY';

/** The only resource name of the cluster resource, as Kafka's `kafka-cluster`. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
