/**
 * The few panel shapes sluice's dashboards use, over the SDK's builders: every panel reads the
 * `datasource` variable (a Prometheus data source picked when the dashboard is imported), every
 * query is PromQL over the metrics in docs/metrics.md. `$__rate_interval` is Grafana's; the
 * Prometheus e2e check substitutes a window for it.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Query {
  readonly expr: string;
  /** Grafana's legend template, e.g. `{{topic}}`. */
  readonly legend: string;
}

export const q = (expr: string, legend: string): Query => ({ expr, legend });

function targets(queries: readonly Query[]): DataqueryBuilder[] {
  return queries.map((query, i) =>
    new DataqueryBuilder()
      .datasource(DATASOURCE)
      .refId(String.fromCharCode(65 + i))
      .expr(query.expr)
      .legendFormat(query.legend),
  );
}

/** A time series panel, half the dashboard wide. */
export function timeseries(
  title: string,
  description: string,
  unit: string,
  queries: readonly Query[],
): cog.Builder<dashboard.Panel> {
  let panel = new TimeseriesPanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .min(0)
    .span(12)
    .height(8);
  for (const target of targets(queries)) panel = panel.withTarget(target);
  return panel;
}

/** A single number (the last value), a sixth of the width; red from `redAt` when given. */
export function stat(title: string, description: string, unit: string, query: Query): cog.Builder<dashboard.Panel> {
  let panel = new StatPanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .span(4)
    .height(4);
  for (const target of targets([query])) panel = panel.withTarget(target);
  return panel;
}

/** p99 of a histogram's `_bucket` series, summed `by` the given labels. */
export function p99(bucketSelector: string, by: readonly string[]): string {
  return `histogram_quantile(0.99, sum by (${['le', ...by].join(', ')}) (rate(${bucketSelector}[$__rate_interval])))`;
}
