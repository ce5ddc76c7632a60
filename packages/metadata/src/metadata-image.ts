/** The whole metadata state at one log position (Kafka's MetadataImage). Immutable. */
import { AclsImage } from './acls-image';
import { ClusterImage } from './cluster-image';
import { ConfigsImage } from './configs-image';
import { FeaturesImage } from './features-image';
import { ProducerIdsImage } from './producer-ids-image';
import { TopicsImage } from './topics-image';

/** Where in `__cluster_metadata` an image was taken: the last record it contains. */
export interface MetadataProvenance {
  /** Offset of the last record applied; -1 for the empty image. */
  readonly lastContainedOffset: number;
  /** Raft epoch of that record; -1 for the empty image. */
  readonly lastContainedEpoch: number;
}

export const EMPTY_PROVENANCE: MetadataProvenance = Object.freeze({ lastContainedOffset: -1, lastContainedEpoch: -1 });

export class MetadataImage {
  static readonly EMPTY = new MetadataImage(
    EMPTY_PROVENANCE,
    FeaturesImage.EMPTY,
    ClusterImage.EMPTY,
    TopicsImage.EMPTY,
    ConfigsImage.EMPTY,
    ProducerIdsImage.EMPTY,
    AclsImage.EMPTY,
  );

  constructor(
    readonly provenance: MetadataProvenance,
    readonly features: FeaturesImage,
    readonly cluster: ClusterImage,
    readonly topics: TopicsImage,
    readonly configs: ConfigsImage,
    readonly producerIds: ProducerIdsImage,
    readonly acls: AclsImage,
  ) {
    Object.freeze(this);
  }

  get isEmpty(): boolean {
    return (
      this.features.size === 0 &&
      this.cluster.size === 0 &&
      this.topics.topicCount === 0 &&
      this.configs.resourceCount === 0 &&
      this.producerIds.isEmpty &&
      this.acls.size === 0
    );
  }
}
