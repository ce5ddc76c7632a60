// Original file: proto/sluice/v1/common.proto


/**
 * A per-item outcome inside a response that carries many items (as Kafka's CreateTopics
 * response does). An empty error_name means success; otherwise a Kafka error name such as
 * TOPIC_ALREADY_EXISTS or INVALID_REPLICATION_FACTOR, with a message saying what was wrong.
 */
export interface ItemError {
  'errorName'?: (string);
  'errorMessage'?: (string);
}

/**
 * A per-item outcome inside a response that carries many items (as Kafka's CreateTopics
 * response does). An empty error_name means success; otherwise a Kafka error name such as
 * TOPIC_ALREADY_EXISTS or INVALID_REPLICATION_FACTOR, with a message saying what was wrong.
 */
export interface ItemError__Output {
  'errorName': (string);
  'errorMessage': (string);
}
