// Original file: proto/sluice/v1/coordinator.proto

import type { ListedGroup as _sluice_v1_ListedGroup, ListedGroup__Output as _sluice_v1_ListedGroup__Output } from '../../sluice/v1/ListedGroup';

export interface ListGroupsResponse {
  'groups'?: (_sluice_v1_ListedGroup)[];
  /**
   * "" on the last page; otherwise send it back as page_token.
   */
  'nextPageToken'?: (string);
}

export interface ListGroupsResponse__Output {
  'groups': (_sluice_v1_ListedGroup__Output)[];
  /**
   * "" on the last page; otherwise send it back as page_token.
   */
  'nextPageToken': (string);
}
