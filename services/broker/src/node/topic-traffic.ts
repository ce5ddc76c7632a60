/**
 * Bytes and records through this broker, per topic (Kafka's BrokerTopicMetrics BytesInPerSec,
 * BytesOutPerSec, MessagesInPerSec) and for replication (ReplicationBytesIn/OutPerSec):
 * - in: what the leader appended for producers (duplicates of an idempotent retry are not);
 * - out: what consumers fetched (followers' fetches are replication out, not out);
 * - replication in: what this broker appended as a follower.
 *
 * Counted once per partition of a request, never per record, on a labelled child looked up once
 * per topic. Topics are bounded by the metadata image; the cache of children is bounded too.
 */
import { Counter, type Registry } from 'prom-client';

export interface TopicTraffic {
  producedIn(topic: string, bytes: number, records: number): void;
  fetchedOut(topic: string, bytes: number): void;
  replicationIn(bytes: number): void;
  replicationOut(bytes: number): void;
}

export const noTopicTraffic: TopicTraffic = {
  producedIn: () => undefined,
  fetchedOut: () => undefined,
  replicationIn: () => undefined,
  replicationOut: () => undefined,
};

/** More topics than this still count, through a label lookup per call instead of a kept child. */
const MAX_CACHED_TOPICS = 10_000;

interface TopicSeries {
  readonly bytesIn: Counter.Internal;
  readonly recordsIn: Counter.Internal;
  readonly bytesOut: Counter.Internal;
}

export function registerTopicTraffic(registry: Registry): TopicTraffic {
  const registers = [registry];
  const bytesIn = new Counter({
    name: 'sluice_broker_topic_bytes_in_total',
    help: 'Bytes of record batches this broker appended as the leader for producers, by topic.',
    labelNames: ['topic'],
    registers,
  });
  const recordsIn = new Counter({
    name: 'sluice_broker_topic_records_in_total',
    help: 'Records this broker appended as the leader for producers, by topic.',
    labelNames: ['topic'],
    registers,
  });
  const bytesOut = new Counter({
    name: 'sluice_broker_topic_bytes_out_total',
    help: 'Bytes of record batches consumers fetched from this broker (followers excluded), by topic.',
    labelNames: ['topic'],
    registers,
  });
  const replicationBytesIn = new Counter({
    name: 'sluice_broker_replication_bytes_in_total',
    help: 'Bytes of record batches this broker appended as a follower.',
    registers,
  });
  const replicationBytesOut = new Counter({
    name: 'sluice_broker_replication_bytes_out_total',
    help: 'Bytes of record batches followers fetched from this broker.',
    registers,
  });
  const series = new Map<string, TopicSeries>();
  const seriesOf = (topic: string): TopicSeries => {
    let found = series.get(topic);
    if (found === undefined) {
      found = {
        bytesIn: bytesIn.labels({ topic }),
        recordsIn: recordsIn.labels({ topic }),
        bytesOut: bytesOut.labels({ topic }),
      };
      if (series.size < MAX_CACHED_TOPICS) series.set(topic, found);
    }
    return found;
  };
  return {
    producedIn(topic, bytes, records) {
      const topicSeries = seriesOf(topic);
      topicSeries.bytesIn.inc(bytes);
      topicSeries.recordsIn.inc(records);
    },
    fetchedOut(topic, bytes) {
      if (bytes > 0) seriesOf(topic).bytesOut.inc(bytes);
    },
    replicationIn: (bytes) => replicationBytesIn.inc(bytes),
    replicationOut(bytes) {
      if (bytes > 0) replicationBytesOut.inc(bytes);
    },
  };
}
