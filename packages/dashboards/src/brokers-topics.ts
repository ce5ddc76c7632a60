/** "Which broker or topic is busy, big, slow or behind?" Per broker and per topic. */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sluiceDashboard } from './dashboard-frame';
import { p99, q, timeseries } from './panels';

export function brokersAndTopics(): DashboardBuilder {
  return (
    sluiceDashboard(
      'sluice-brokers-topics',
      'sluice / Brokers and topics',
      'Per topic: bytes and records in, bytes out, size on disk. Per broker: leaders, replicas at risk, replication, request time by phase. Tiered storage: remote size, copy lag (per topic and the most lagging partitions), throughput, object-store requests, remote compaction, failures. The Node.js process.',
    )
      .withRow(new RowBuilder('Topics'))
      .withPanel(
        timeseries('Bytes in by topic', 'Producer bytes appended per second, by topic.', 'Bps', [
          q('sum by (topic) (rate(sluice_broker_topic_bytes_in_total[$__rate_interval]))', '{{topic}}'),
        ]),
      )
      .withPanel(
        timeseries('Bytes out by topic', 'Consumer bytes fetched per second, by topic (followers excluded).', 'Bps', [
          q('sum by (topic) (rate(sluice_broker_topic_bytes_out_total[$__rate_interval]))', '{{topic}}'),
        ]),
      )
      .withPanel(
        timeseries('Records in by topic', 'Records appended per second, by topic.', 'rps', [
          q('sum by (topic) (rate(sluice_broker_topic_records_in_total[$__rate_interval]))', '{{topic}}'),
        ]),
      )
      .withPanel(
        timeseries('Log size by topic', 'Bytes on local disks, every replica, by topic.', 'bytes', [
          q('sum by (topic) (sluice_broker_log_size_bytes)', '{{topic}}'),
        ]),
      )
      .withRow(new RowBuilder('Brokers'))
      .withPanel(
        timeseries(
          'Leaders and replicas',
          'Partitions each broker leads and hosts: leaders should be balanced.',
          'none',
          [
            q('sum by (node_id) (sluice_broker_leader_partitions)', 'broker {{node_id}} leaders'),
            q('sum by (node_id) (sluice_broker_partitions)', 'broker {{node_id}} replicas'),
          ],
        ),
      )
      .withPanel(
        timeseries(
          'Partitions at risk by broker',
          'Under-replicated, at and under min ISR, and replicas without a role, on each broker.',
          'none',
          [
            q('sum by (node_id) (sluice_broker_under_replicated_partitions)', 'broker {{node_id}} under-replicated'),
            q('sum by (node_id) (sluice_broker_at_min_isr_partitions)', 'broker {{node_id}} at min ISR'),
            q('sum by (node_id) (sluice_broker_under_min_isr_partitions)', 'broker {{node_id}} under min ISR'),
            q('sum by (node_id) (sluice_broker_offline_replicas)', 'broker {{node_id}} offline replicas'),
          ],
        ),
      )
      .withPanel(
        timeseries('Replication traffic', 'Bytes appended as a follower and served to followers, by broker.', 'Bps', [
          q(
            'sum by (node_id) (rate(sluice_broker_replication_bytes_in_total[$__rate_interval]))',
            'broker {{node_id}} in',
          ),
          q(
            'sum by (node_id) (rate(sluice_broker_replication_bytes_out_total[$__rate_interval]))',
            'broker {{node_id}} out',
          ),
        ]),
      )
      .withPanel(
        timeseries(
          'Pending acks=all produces',
          'Produce requests waiting for followers (produce purgatory), by broker.',
          'none',
          [q('sum by (node_id) (sluice_broker_pending_acks)', 'broker {{node_id}}')],
        ),
      )
      .withPanel(
        timeseries('Broker request rate by API', 'gRPC requests per second each broker answered, by API.', 'reqps', [
          q('sum by (api) (rate(sluice_rpc_requests_total{service="broker"}[$__rate_interval]))', '{{api}}'),
        ]),
      )
      .withPanel(
        timeseries(
          'Fetch p99 by phase',
          'Consumer and follower fetches (unary Fetch and the FetchStream and ReplicaFetchStream messages): remote is the long poll waiting for data.',
          's',
          [
            q(
              p99(
                'sluice_rpc_request_phase_seconds_bucket{service="broker",api=~"Fetch|FetchStream|ReplicaFetchStream"}',
                ['phase'],
              ),
              '{{phase}}',
            ),
          ],
        ),
      )
      .withPanel(
        timeseries(
          'Log flushes',
          'Flushes per second and their p99 (fdatasync of segments past the recovery point).',
          's',
          [
            q('sum(rate(sluice_broker_log_flush_seconds_count[$__rate_interval]))', 'flushes/s'),
            q(p99('sluice_broker_log_flush_seconds_bucket', []), 'p99'),
          ],
        ),
      )
      .withPanel(
        timeseries(
          'Metadata applied',
          'The __cluster_metadata offset each broker applied: one falling behind is on old metadata.',
          'none',
          [q('max by (node_id) (sluice_broker_metadata_offset)', 'broker {{node_id}}')],
        ),
      )
      .withRow(new RowBuilder('Tiered storage'))
      // `or on() vector(0)`: a cluster without tiered topics draws 0, not "no data".
      .withPanel(
        timeseries(
          'Remote log size by topic',
          'Bytes of copied segments in remote storage (S3), by topic: what the bucket holds.',
          'bytes',
          [q('sum by (topic) (sluice_broker_remote_log_size_bytes) or on() vector(0)', '{{topic}}')],
        ),
      )
      .withPanel(
        timeseries(
          'Copy lag by topic',
          'Bytes of rolled segments below the high watermark not copied yet, by topic: they stay on local disks meanwhile.',
          'bytes',
          [q('sum by (topic) (sluice_broker_remote_copy_lag_bytes) or on() vector(0)', '{{topic}}')],
        ),
      )
      .withPanel(
        timeseries(
          'Partitions lagging most in copy',
          'The ten partitions with the most copy lag (per-partition series: at most 500 per broker, the most lagging first).',
          'bytes',
          [q('topk(10, sluice_broker_remote_partition_copy_lag_bytes) or on() vector(0)', '{{topic}}-{{partition}}')],
        ),
      )
      .withPanel(
        timeseries(
          'Remote copy and fetch throughput',
          'Segment bytes copied to remote storage and record bytes served from it, per second.',
          'Bps',
          [
            q('sum(rate(sluice_broker_remote_copy_bytes_total[$__rate_interval])) or on() vector(0)', 'copied'),
            q('sum(rate(sluice_broker_remote_fetch_bytes_total[$__rate_interval])) or on() vector(0)', 'fetched'),
          ],
        ),
      )
      .withPanel(
        timeseries(
          'Object-store requests by operation',
          'PUT, GET, DELETE and LIST requests per second: what the storage bill is made of.',
          'reqps',
          [
            q(
              'sum by (operation) (rate(sluice_broker_remote_storage_requests_total[$__rate_interval])) or on() vector(0)',
              '{{operation}}',
            ),
          ],
        ),
      )
      .withPanel(
        timeseries(
          'Remote compaction',
          'Compacted topics: remote segment bytes replaced and written by remote compaction, per second (the gap is what it freed), and records it dropped.',
          'Bps',
          [
            q(
              'sum(rate(sluice_broker_remote_compaction_bytes_in_total[$__rate_interval])) or on() vector(0)',
              'bytes replaced',
            ),
            q(
              'sum(rate(sluice_broker_remote_compaction_bytes_out_total[$__rate_interval])) or on() vector(0)',
              'bytes written',
            ),
            q(
              'sum(rate(sluice_broker_remote_compaction_records_dropped_total[$__rate_interval])) or on() vector(0)',
              'records dropped / s',
            ),
          ],
        ),
      )
      .withPanel(
        timeseries(
          'Tiering failures',
          'Failed tiering task runs (each backs off and retries) and failed object-store requests, per second.',
          'ops',
          [
            q('sum(rate(sluice_broker_remote_task_failures_total[$__rate_interval])) or on() vector(0)', 'task runs'),
            q('sum(rate(sluice_broker_remote_storage_failures_total[$__rate_interval]))', 'store requests'),
          ],
        ),
      )
      .withRow(new RowBuilder('Process'))
      .withPanel(
        timeseries(
          'Event-loop delay p99',
          'Delay of the event loop (everything in the process waits for it), by service and node.',
          's',
          [q('max by (service, node_id) (nodejs_eventloop_lag_p99_seconds)', '{{service}} {{node_id}}')],
        ),
      )
      .withPanel(
        timeseries('CPU', 'CPU seconds per second (1 = one core, the most one event loop uses).', 'percentunit', [
          q('sum by (service, node_id) (rate(process_cpu_seconds_total[$__rate_interval]))', '{{service}} {{node_id}}'),
        ]),
      )
      .withPanel(
        timeseries('Heap used', 'V8 heap in use, by service and node.', 'bytes', [
          q('max by (service, node_id) (nodejs_heap_size_used_bytes)', '{{service}} {{node_id}}'),
        ]),
      )
      .withPanel(
        timeseries('Time in GC', 'Share of time in garbage collection pauses, by service and node.', 'percentunit', [
          q(
            'sum by (service, node_id) (rate(nodejs_gc_duration_seconds_sum[$__rate_interval]))',
            '{{service}} {{node_id}}',
          ),
        ]),
      )
  );
}
