// Original file: proto/sluice/v1/tiering.proto


export interface DescribeTieredPartitionsRequest {
  /**
   * Topic names; empty: every topic with remote.storage.enable=true.
   */
  'topics'?: (string)[];
}

export interface DescribeTieredPartitionsRequest__Output {
  /**
   * Topic names; empty: every topic with remote.storage.enable=true.
   */
  'topics': (string)[];
}
