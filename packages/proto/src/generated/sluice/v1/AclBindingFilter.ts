// Original file: proto/sluice/v1/controller.proto


/**
 * Kafka's AclBindingFilter: an empty field matches any value; pattern_type MATCH matches every
 * ACL that applies to resource_name (literal, the * wildcard, or a prefix of it).
 */
export interface AclBindingFilter {
  'resourceType'?: (string);
  'resourceName'?: (string);
  'patternType'?: (string);
  'principal'?: (string);
  'host'?: (string);
  'operation'?: (string);
  'permission'?: (string);
}

/**
 * Kafka's AclBindingFilter: an empty field matches any value; pattern_type MATCH matches every
 * ACL that applies to resource_name (literal, the * wildcard, or a prefix of it).
 */
export interface AclBindingFilter__Output {
  'resourceType': (string);
  'resourceName': (string);
  'patternType': (string);
  'principal': (string);
  'host': (string);
  'operation': (string);
  'permission': (string);
}
