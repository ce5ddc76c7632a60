/**
 * deploy/grafana is committed: each dashboard is rendered again and compared with its file, so a
 * change to packages/dashboards without `pnpm dashboards:gen` fails here, naming the stale files.
 * Every metric a panel queries must be one docs/metrics.md lists (and so one a service registers:
 * e2e/test/metrics-docs.test.ts holds the table to the registries).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, panelQueries, renderDashboard } from '../src';

const ROOT = join(__dirname, '..', '..', '..');
const DASHBOARD_DIR = join(ROOT, 'deploy', 'grafana');

/** Metric names a PromQL expression reads (histogram suffixes stripped). */
function metricsIn(expr: string): string[] {
  const names = expr.match(/\b(?:sluice|nodejs|process)_[a-z0-9_]+/g) ?? [];
  return [...new Set(names.map((name) => name.replace(/_(bucket|sum|count)$/, '')))];
}

describe('deploy/grafana', () => {
  it('is what `pnpm dashboards:gen` makes of packages/dashboards now', () => {
    const committed = readdirSync(DASHBOARD_DIR).filter((file) => file.endsWith('.json'));
    const expected = DASHBOARDS.map((spec) => spec.file);
    const stale = [
      ...expected.filter((file) => !committed.includes(file)).map((file) => `${file} (missing)`),
      ...committed.filter((file) => !expected.includes(file)).map((file) => `${file} (no longer generated)`),
      ...DASHBOARDS.filter((spec) => committed.includes(spec.file))
        .filter((spec) => readFileSync(join(DASHBOARD_DIR, spec.file), 'utf8') !== renderDashboard(spec))
        .map((spec) => `${spec.file} (differs)`),
    ];
    expect({ stale, fix: stale.length === 0 ? 'none' : 'run `npx -y pnpm@12 dashboards:gen` and commit' }).toEqual({
      stale: [],
      fix: 'none',
    });
    expect(expected).toEqual([
      'sluice-cluster-overview.json',
      'sluice-brokers-topics.json',
      'sluice-groups.json',
      'sluice-controller-quorum.json',
    ]);
  });

  it('queries only documented metrics, through the datasource variable, with unique panel titles', () => {
    const documented = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
    for (const spec of DASHBOARDS) {
      const dashboard = spec.build();
      const queries = panelQueries(spec.file, dashboard);
      expect(queries.length).toBeGreaterThanOrEqual(8);
      const undocumented = queries
        .flatMap((q) => metricsIn(q.expr))
        .filter((name) => !documented.includes(`\`${name}\``));
      expect({ file: spec.file, undocumented }).toEqual({ file: spec.file, undocumented: [] });
      const titles = (dashboard.panels ?? []).filter((p) => p.type !== 'row').map((p) => p.title);
      expect(new Set(titles).size).toBe(titles.length);
      expect(JSON.stringify(dashboard)).not.toContain('"uid":"prometheus"');
      expect(dashboard.templating?.list?.some((v) => v.type === 'datasource' && v.name === 'datasource')).toBe(true);
    }
    expect(existsSync(DASHBOARD_DIR)).toBe(true);
  });
});
