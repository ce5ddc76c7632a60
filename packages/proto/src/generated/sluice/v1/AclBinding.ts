// Original file: proto/sluice/v1/controller.proto


/**
 * One ACL as Kafka's AclBinding. Enums travel as Kafka's names (upper case):
 * resource_type TOPIC | GROUP | CLUSTER (name kafka-cluster); pattern_type LITERAL | PREFIXED;
 * operation ALL | READ | WRITE | CREATE | DELETE | ALTER | DESCRIBE | CLUSTER_ACTION |
 * DESCRIBE_CONFIGS | ALTER_CONFIGS | IDEMPOTENT_WRITE; permission ALLOW | DENY.
 */
export interface AclBinding {
  'resourceType'?: (string);
  'resourceName'?: (string);
  'patternType'?: (string);
  /**
   * User:<name>, or User:* for every principal.
   */
  'principal'?: (string);
  /**
   * An IP address, or * for every host.
   */
  'host'?: (string);
  'operation'?: (string);
  'permission'?: (string);
}

/**
 * One ACL as Kafka's AclBinding. Enums travel as Kafka's names (upper case):
 * resource_type TOPIC | GROUP | CLUSTER (name kafka-cluster); pattern_type LITERAL | PREFIXED;
 * operation ALL | READ | WRITE | CREATE | DELETE | ALTER | DESCRIBE | CLUSTER_ACTION |
 * DESCRIBE_CONFIGS | ALTER_CONFIGS | IDEMPOTENT_WRITE; permission ALLOW | DENY.
 */
export interface AclBinding__Output {
  'resourceType': (string);
  'resourceName': (string);
  'patternType': (string);
  /**
   * User:<name>, or User:* for every principal.
   */
  'principal': (string);
  /**
   * An IP address, or * for every host.
   */
  'host': (string);
  'operation': (string);
  'permission': (string);
}
