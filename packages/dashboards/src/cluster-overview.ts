/** "Is the cluster healthy right now, and how much is it doing?" The page an on-call opens first. */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sluiceDashboard } from './dashboard-frame';
import { p99, q, stat, timeseries } from './panels';

export function clusterOverview(): DashboardBuilder {
  return sluiceDashboard(
    'sluice-cluster-overview',
    'sluice / Cluster overview',
    'Is the cluster healthy, and how much is it doing: controller, partitions at risk, throughput, produce latency.',
  )
    .withRow(new RowBuilder('Health'))
    .withPanel(
      stat(
        'Active controllers',
        'Controllers that say they are the active one; anything but 1 for longer than an election is an outage of metadata changes.',
        'none',
        q('sum(sluice_controller_active)', 'active'),
      ),
    )
    .withPanel(
      stat(
        'Offline partitions',
        'Partitions without a leader (the active controller counts them): no reads or writes there.',
        'none',
        q('sum(sluice_controller_offline_partitions)', 'offline'),
      ),
    )
    .withPanel(
      stat(
        'Under-replicated partitions',
        'Partitions whose ISR is smaller than their replica set, summed over the leaders.',
        'none',
        q('sum(sluice_broker_under_replicated_partitions)', 'under-replicated'),
      ),
    )
    .withPanel(
      stat(
        'Under min ISR',
        'Partitions below min.insync.replicas: acks=all produces to them are refused.',
        'none',
        q('sum(sluice_broker_under_min_isr_partitions)', 'under min ISR'),
      ),
    )
    .withPanel(
      stat(
        'Brokers (fenced)',
        'Brokers the controller has fenced: they lead nothing and take no writes.',
        'none',
        q('max(sluice_controller_fenced_brokers)', 'fenced'),
      ),
    )
    .withPanel(
      stat(
        'Brokers registered',
        'Brokers registered with the controller quorum.',
        'none',
        q('max(sluice_controller_registered_brokers)', 'registered'),
      ),
    )
    .withRow(new RowBuilder('Throughput'))
    .withPanel(
      timeseries('Bytes in and out', 'Producer bytes appended and consumer bytes fetched, whole cluster.', 'Bps', [
        q('sum(rate(sluice_broker_topic_bytes_in_total[$__rate_interval]))', 'in'),
        q('sum(rate(sluice_broker_topic_bytes_out_total[$__rate_interval]))', 'out'),
        q('sum(rate(sluice_broker_replication_bytes_out_total[$__rate_interval]))', 'replication'),
      ]),
    )
    .withPanel(
      timeseries('Records in', 'Records appended for producers per second, whole cluster.', 'rps', [
        q('sum(rate(sluice_broker_topic_records_in_total[$__rate_interval]))', 'records/s'),
      ]),
    )
    .withRow(new RowBuilder('Latency and errors'))
    .withPanel(
      timeseries(
        'Produce p99 by phase',
        'Where produce time goes: queue (before the handler), local (append), remote (waiting for followers, acks=all).',
        's',
        [
          q(
            p99('sluice_rpc_request_phase_seconds_bucket{service="broker",api=~"Produce|ProduceStream"}', ['phase']),
            '{{phase}}',
          ),
        ],
      ),
    )
    .withPanel(
      timeseries('Failed requests', 'Requests answered with a Kafka error, by API and error, all services.', 'reqps', [
        q(
          // `or vector(0)`: a flat zero rather than "no data" while nothing fails.
          'sum by (service, api, outcome) (rate(sluice_rpc_requests_total{outcome!="ok"}[$__rate_interval])) or vector(0)',
          '{{service}} {{api}} {{outcome}}',
        ),
      ]),
    )
    .withPanel(
      timeseries(
        'ISR shrinks and expands',
        'Committed ISR changes per second, whole cluster: steady shrinks mean lagging followers.',
        'ops',
        [
          q('sum(rate(sluice_broker_isr_shrinks_total[$__rate_interval]))', 'shrinks'),
          q('sum(rate(sluice_broker_isr_expands_total[$__rate_interval]))', 'expands'),
        ],
      ),
    );
}
