import type { RemoteLogMetadataRecord } from './remote-log-metadata';

/**
 * The durable, replicated log of remote-log metadata. `append` resolves only once the record is
 * durable (acks=all on the replicas of the metadata topic), so a caller that deletes a local
 * segment after COPY_SEGMENT_FINISHED's append resolved can never lose the only copy's name.
 */
export interface RemoteLogMetadataLog {
  append(record: RemoteLogMetadataRecord): Promise<void>;
  /** Every record ever appended for one user partition, in append order. */
  replay(topicId: string, partition: number): Promise<RemoteLogMetadataRecord[]>;
  close(): Promise<void>;
}
