/** "Are consumers and queues keeping up?" Consumer group lag and state, share groups (queues). */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sluiceDashboard } from './dashboard-frame';
import { p99, q, timeseries } from './panels';

export function consumerAndShareGroups(): DashboardBuilder {
  return sluiceDashboard(
    'sluice-groups',
    'sluice / Consumer and share groups',
    'Consumer group lag (per group, and per topic and partition), group states and rebalances; share groups: lag, locks in flight, deliveries, acknowledgements.',
  )
    .withRow(new RowBuilder('Consumer groups'))
    .withPanel(
      timeseries(
        'Lag by group',
        'Records between committed offsets and high watermarks, summed per group: growing means consumers fall behind.',
        'none',
        [q('sum by (group) (sluice_coordinator_consumer_group_lag)', '{{group}}')],
      ),
    )
    .withPanel(
      timeseries(
        'Lag by group, topic and partition',
        'The same lag per partition: one hot partition, or a stuck consumer.',
        'none',
        [
          q(
            'max by (group, topic, partition) (sluice_coordinator_consumer_group_lag)',
            '{{group}} {{topic}}-{{partition}}',
          ),
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Groups by state',
        'Consumer groups by KIP-848 state, whole cluster: ASSIGNING or RECONCILING for long means a stuck rebalance.',
        'none',
        [q('sum by (state) (sluice_coordinator_consumer_groups)', '{{state}}')],
      ),
    )
    .withPanel(
      timeseries('Rebalances', 'New target assignments per second (KIP-848), by group type.', 'ops', [
        q('sum by (group_type) (rate(sluice_coordinator_rebalances_total[$__rate_interval]))', '{{group_type}}'),
      ]),
    )
    .withPanel(
      timeseries(
        'Heartbeat and commit p99 by phase',
        'Group coordinator requests: queue behind the partition, local decision, remote (the acks=all write to __consumer_offsets).',
        's',
        [
          q(
            p99(
              'sluice_rpc_request_phase_seconds_bucket{service="coordinator",api=~"ConsumerGroupHeartbeat|OffsetCommit"}',
              ['api', 'phase'],
            ),
            '{{api}} {{phase}}',
          ),
        ],
      ),
    )
    .withRow(new RowBuilder('Share groups (queues)'))
    .withPanel(
      timeseries(
        'Share group lag',
        'Records not yet acknowledged or archived, from the share partition start offset to the high watermark, by group and topic.',
        'none',
        [q('sum by (group, topic) (sluice_broker_share_group_lag_records)', '{{group}} {{topic}}')],
      ),
    )
    .withPanel(
      timeseries(
        'Records locked',
        'Records acquired by a member and not yet acknowledged (locks in flight), by broker.',
        'none',
        [q('sum by (node_id) (sluice_broker_share_records_locked)', 'broker {{node_id}}')],
      ),
    )
    .withPanel(
      timeseries(
        'Deliveries by delivery count',
        'Records acquired per second, by which delivery it was: counts above 1 are redeliveries.',
        'rps',
        [
          q(
            'sum by (delivery_count) (rate(sluice_broker_share_deliveries_total[$__rate_interval]))',
            'delivery {{delivery_count}}',
          ),
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Acknowledged, archived, expired',
        'Acknowledgements by type, records archived without being accepted, and locks that expired, per second.',
        'rps',
        [
          q('sum by (type) (rate(sluice_broker_share_records_acknowledged_total[$__rate_interval]))', '{{type}}'),
          q('sum(rate(sluice_broker_share_records_archived_total[$__rate_interval]))', 'archived'),
          q('sum(rate(sluice_broker_share_lock_expiries_total[$__rate_interval]))', 'lock expired'),
        ],
      ),
    )
    .withPanel(
      timeseries('Share groups by state', 'Share groups by state, whole cluster.', 'none', [
        q('sum by (state) (sluice_coordinator_share_groups)', '{{state}}'),
      ]),
    )
    .withPanel(
      timeseries(
        'Share state write p99',
        'Share state writes through the share coordinator (on the path of every ShareFetch and ShareAcknowledge).',
        's',
        [q(p99('sluice_broker_share_state_write_seconds_bucket', ['outcome']), '{{outcome}}')],
      ),
    );
}
