/**
 * Records replayed on top of a MetadataImage, producing the next image on `apply()` (Kafka's
 * MetadataDelta). Replay validates each record against the state so far and throws a named
 * MetadataValidationError before changing anything, so a rejected record leaves the delta as
 * it was. Only touched topics, brokers, config resources and features are copied on apply.
 */
import { AclsDelta } from './acls-image';
import { ClusterDelta } from './cluster-image';
import { ConfigsDelta } from './configs-image';
import { ProvenanceRegressionError } from './errors';
import { FeaturesDelta } from './features-image';
import { MetadataImage, type MetadataProvenance } from './metadata-image';
import { ProducerIdsDelta } from './producer-ids-image';
import type { MetadataRecord } from './records';
import { TopicsDelta } from './topics-delta';

/** Position of a record in `__cluster_metadata`. */
export interface LogPosition {
  readonly offset: number;
  readonly epoch: number;
}

export class MetadataDelta {
  readonly features: FeaturesDelta;
  readonly cluster: ClusterDelta;
  readonly topics: TopicsDelta;
  readonly configs: ConfigsDelta;
  readonly producerIds: ProducerIdsDelta;
  readonly acls: AclsDelta;
  private provenance: MetadataProvenance;
  private replayed = 0;

  constructor(readonly image: MetadataImage) {
    this.features = new FeaturesDelta(image.features);
    this.cluster = new ClusterDelta(image.cluster);
    this.topics = new TopicsDelta(image.topics);
    this.configs = new ConfigsDelta(image.configs);
    this.producerIds = new ProducerIdsDelta(image.producerIds);
    this.acls = new AclsDelta(image.acls);
    this.provenance = image.provenance;
  }

  /** Records successfully replayed into this delta. */
  get recordCount(): number {
    return this.replayed;
  }

  /** The log position the next image will carry. */
  get lastPosition(): MetadataProvenance {
    return this.provenance;
  }

  /**
   * Replays one record. `position`, when given, must come after every earlier one; the image
   * from `apply()` carries the last position as its provenance.
   */
  replay(record: MetadataRecord, position?: LogPosition): void {
    if (position !== undefined) this.checkPosition(position.offset, position.epoch);
    switch (record.type) {
      case 'BrokerRegistration':
        this.cluster.replayRegistration(record);
        break;
      case 'FenceBroker':
      case 'UnfenceBroker':
        this.cluster.replayFence(record);
        break;
      case 'UnregisterBroker':
        this.cluster.replayUnregister(record);
        break;
      case 'Topic':
        this.topics.replayTopic(record);
        break;
      case 'RemoveTopic': {
        const name = this.topics.replayRemoveTopic(record);
        this.configs.removeTopicConfigs(name);
        break;
      }
      case 'Partition':
        this.topics.replayPartition(record);
        break;
      case 'PartitionChange':
        this.topics.replayPartitionChange(record);
        break;
      case 'Config':
        this.configs.replay(record);
        break;
      case 'ProducerIds':
        this.producerIds.replay(record);
        break;
      case 'FeatureLevel':
        this.features.replay(record);
        break;
      case 'AccessControlEntry':
        this.acls.replayEntry(record);
        break;
      case 'RemoveAccessControlEntry':
        this.acls.replayRemove(record);
        break;
      default:
        throw new Error(`assertion: unhandled record type ${(record as { type: string }).type}`);
    }
    this.replayed++;
    if (position !== undefined)
      this.provenance = { lastContainedOffset: position.offset, lastContainedEpoch: position.epoch };
  }

  private checkPosition(offset: number, epoch: number): void {
    if (!Number.isSafeInteger(offset) || offset <= this.provenance.lastContainedOffset) {
      throw new ProvenanceRegressionError(`offset ${offset} is not after ${this.provenance.lastContainedOffset}`);
    }
    if (!Number.isSafeInteger(epoch) || epoch < this.provenance.lastContainedEpoch) {
      throw new ProvenanceRegressionError(`epoch ${epoch} is below ${this.provenance.lastContainedEpoch}`);
    }
  }

  /**
   * The next image. May be called more than once; each call reflects everything replayed so
   * far. `provenance` overrides the position (snapshot loading uses the snapshot's header).
   */
  apply(provenance?: MetadataProvenance): MetadataImage {
    if (provenance !== undefined) {
      if (provenance.lastContainedOffset < this.provenance.lastContainedOffset) {
        throw new ProvenanceRegressionError(
          `provenance offset ${provenance.lastContainedOffset} is before ${this.provenance.lastContainedOffset}`,
        );
      }
      this.provenance = { ...provenance };
    }
    return new MetadataImage(
      Object.freeze({ ...this.provenance }),
      this.features.apply(),
      this.cluster.apply(),
      this.topics.apply(),
      this.configs.apply(),
      this.producerIds.apply(),
      this.acls.apply(),
    );
  }
}
