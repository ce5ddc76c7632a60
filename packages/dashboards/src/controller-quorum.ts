/** "Is the metadata quorum stable, and is everybody on current metadata?" */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { sluiceDashboard } from './dashboard-frame';
import { p99, q, stat, timeseries } from './panels';

export function controllerQuorum(): DashboardBuilder {
  return sluiceDashboard(
    'sluice-controller-quorum',
    'sluice / Controller quorum',
    'The Raft metadata quorum: who leads, elections, commit latency, how far each broker and voter trails, fenced brokers.',
  )
    .withRow(new RowBuilder('Quorum'))
    .withPanel(
      stat(
        'Raft term',
        'The highest Raft term any controller knows: it moves with every election.',
        'none',
        q('max(sluice_controller_raft_term)', 'term'),
      ),
    )
    .withPanel(
      stat(
        'Partitions',
        'Partitions in the metadata image.',
        'none',
        q('max(sluice_controller_partitions)', 'partitions'),
      ),
    )
    .withPanel(stat('Topics', 'Topics in the metadata image.', 'none', q('max(sluice_controller_topics)', 'topics')))
    .withPanel(
      timeseries('Active controller', '1 on the controller that is active now, by node.', 'none', [
        q('max by (node_id) (sluice_controller_active)', 'controller {{node_id}}'),
      ]),
    )
    .withPanel(
      timeseries(
        'Elections',
        'Controller (Raft) elections won and partition leader elections committed, per second.',
        'ops',
        [
          q('sum(rate(sluice_controller_elections_won_total[$__rate_interval]))', 'controller elections'),
          q(
            'sum(rate(sluice_controller_partition_leader_elections_total[$__rate_interval]))',
            'partition leader elections',
          ),
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Commit latency p99',
        'From a write reaching the active controller to its commit by the quorum, by operation.',
        's',
        [q(p99('sluice_controller_write_latency_seconds_bucket', ['operation']), '{{operation}}')],
      ),
    )
    .withPanel(
      timeseries(
        'Metadata lag by node',
        'On the active controller: how many metadata offsets each broker (last heartbeat) and each voter (Raft match index) trails.',
        'none',
        [q('max by (peer_role, peer_id) (sluice_controller_metadata_offset_lag)', '{{peer_role}} {{peer_id}}')],
      ),
    )
    .withPanel(
      timeseries('Metadata applied offset', 'The last applied __cluster_metadata offset, by controller.', 'none', [
        q('max by (node_id) (sluice_controller_metadata_applied_offset)', 'controller {{node_id}}'),
      ]),
    )
    .withRow(new RowBuilder('Brokers'))
    .withPanel(
      timeseries('Registered and fenced brokers', 'Brokers registered with the quorum, and those fenced.', 'none', [
        q('max(sluice_controller_registered_brokers)', 'registered'),
        q('max(sluice_controller_fenced_brokers)', 'fenced'),
      ]),
    )
    .withPanel(
      timeseries(
        'Controller writes by result',
        'Writes the active controller decided, per second, by operation and result.',
        'ops',
        [
          q(
            'sum by (operation, result) (rate(sluice_controller_requests_total[$__rate_interval]))',
            '{{operation}} {{result}}',
          ),
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Metadata followers',
        'Open FetchMetadata streams (brokers and coordinators following the log), by controller.',
        'none',
        [q('max by (node_id) (sluice_controller_fetch_metadata_streams)', 'controller {{node_id}}')],
      ),
    );
}
