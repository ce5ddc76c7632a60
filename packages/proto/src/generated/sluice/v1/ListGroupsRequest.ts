// Original file: proto/sluice/v1/coordinator.proto


/**
 * Paged: groups in (group id, type) order, at most `max_groups` per answer.
 */
export interface ListGroupsRequest {
  /**
   * The previous answer's next_page_token; "" for the first page.
   */
  'pageToken'?: (string);
  /**
   * 0: the coordinator's default (1,000); above its maximum (10,000) the maximum applies.
   */
  'maxGroups'?: (number);
}

/**
 * Paged: groups in (group id, type) order, at most `max_groups` per answer.
 */
export interface ListGroupsRequest__Output {
  /**
   * The previous answer's next_page_token; "" for the first page.
   */
  'pageToken': (string);
  /**
   * 0: the coordinator's default (1,000); above its maximum (10,000) the maximum applies.
   */
  'maxGroups': (number);
}
