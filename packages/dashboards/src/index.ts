/**
 * sluice's Grafana dashboards as code (grafana-foundation-sdk), one module each, and what the
 * generator and the Prometheus e2e need of them: the file each is written to, the question it
 * answers, and every panel's PromQL.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { brokersAndTopics } from './brokers-topics';
import { clusterOverview } from './cluster-overview';
import { controllerQuorum } from './controller-quorum';
import { consumerAndShareGroups } from './groups';

export { DATASOURCE } from './panels';

export interface DashboardSpec {
  /** File name under deploy/grafana. */
  readonly file: string;
  /** The operator's question it answers, one line (README, closing notes). */
  readonly answers: string;
  build(): Dashboard;
}

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    file: 'sluice-cluster-overview.json',
    answers:
      'Is the cluster healthy right now (active controller, offline / under-replicated / under-min-ISR partitions, fenced brokers), and how much is it doing?',
    build: () => clusterOverview().build(),
  },
  {
    file: 'sluice-brokers-topics.json',
    answers:
      'Which topic or broker is busy, big, slow or at risk (bytes and records per topic, log size, leaders, replication, request phases, tiered storage, event loop, GC, heap)?',
    build: () => brokersAndTopics().build(),
  },
  {
    file: 'sluice-groups.json',
    answers:
      'Are consumers and queues keeping up (lag per group and partition, group states, rebalances, share group lag, locks, redeliveries)?',
    build: () => consumerAndShareGroups().build(),
  },
  {
    file: 'sluice-controller-quorum.json',
    answers:
      'Is the metadata quorum stable and is every node on current metadata (leader, elections, commit latency, metadata lag per node)?',
    build: () => controllerQuorum().build(),
  },
];

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

/** Every PromQL expression of a dashboard's panels, with the panel's title. */
export function panelQueries(file: string, dashboard: Dashboard): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const panel of dashboard.panels ?? []) {
    if (!('targets' in panel)) continue;
    for (const target of panel.targets ?? []) {
      const expr = (target as { expr?: unknown }).expr;
      if (typeof expr === 'string') queries.push({ dashboard: file, panel: panel.title ?? '', expr });
    }
  }
  return queries;
}

/** The file's text exactly as committed under deploy/grafana. */
export function renderDashboard(spec: DashboardSpec): string {
  return `${JSON.stringify(spec.build(), null, 2)}\n`;
}
