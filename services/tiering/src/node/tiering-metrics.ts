/**
 * The tiering service's /metrics beyond the per-RPC series: scrub runs and what they removed,
 * and whether the object store answers. Bounded: no label grows with topics or objects.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class TieringMetrics {
  readonly scrubRuns: Counter<'outcome'>;
  readonly scrubSeconds: Histogram;
  readonly deletedObjects: Counter;
  readonly abortedMultipartUploads: Counter;
  readonly deletedTopicUploads: Counter;
  readonly unnamedYoungObjects: Gauge;
  readonly lastScrubSuccess: Gauge;
  readonly objectStoreUp: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.scrubRuns = new Counter({
      name: 'sluice_tiering_scrub_runs_total',
      help: 'Scrubs of the object store (scheduled and requested), by outcome (ok, failed).',
      labelNames: ['outcome'],
      registers,
    });
    this.scrubSeconds = new Histogram({
      name: 'sluice_tiering_scrub_seconds',
      help: 'Time of one scrub: listing the prefix, replaying the metadata of every partition found, deleting.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.deletedObjects = new Counter({
      name: 'sluice_tiering_scrub_deleted_objects_total',
      help: 'Objects a scrub deleted because no remote-log metadata named them (orphans past the grace period).',
      registers,
    });
    this.abortedMultipartUploads = new Counter({
      name: 'sluice_tiering_scrub_aborted_multipart_uploads_total',
      help: 'Multipart uploads older than the grace period a scrub aborted.',
      registers,
    });
    this.deletedTopicUploads = new Counter({
      name: 'sluice_tiering_deleted_topic_uploads_total',
      help: 'Uploads of deleted topics no leader cleaned up (deleted while their brokers were down), deleted by a scrub.',
      registers,
    });
    this.unnamedYoungObjects = new Gauge({
      name: 'sluice_tiering_scrub_unnamed_young_objects',
      help: 'Objects the last scrub found unnamed but younger than the grace period (kept; orphans if still unnamed later).',
      registers,
    });
    this.lastScrubSuccess = new Gauge({
      name: 'sluice_tiering_scrub_last_success_timestamp_seconds',
      help: 'Unix time of the last successful scrub; 0 before the first.',
      registers,
    });
    this.objectStoreUp = new Gauge({
      name: 'sluice_tiering_object_store_up',
      help: 'Whether the bucket answered the last probe (HeadBucket): 1 or 0.',
      registers,
    });
    // Both series exist from the start: a failure rate over a series never seen is no rate at all.
    this.scrubRuns.labels({ outcome: 'ok' });
    this.scrubRuns.labels({ outcome: 'failed' });
  }
}
