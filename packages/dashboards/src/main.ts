#!/usr/bin/env node
/**
 * `pnpm dashboards:gen`: writes every dashboard to deploy/grafana/<file> (and removes JSON files
 * there that no dashboard makes any more). The output is committed; a test fails when it is stale.
 */
import { readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARDS, renderDashboard } from './index';

const DASHBOARD_DIR = join(__dirname, '..', '..', '..', 'deploy', 'grafana');

mkdirSync(DASHBOARD_DIR, { recursive: true });
const files = new Set(DASHBOARDS.map((spec) => spec.file));
for (const stale of readdirSync(DASHBOARD_DIR).filter((file) => file.endsWith('.json') && !files.has(file))) {
  rmSync(join(DASHBOARD_DIR, stale));
  console.log(`removed deploy/grafana/${stale}`);
}
for (const spec of DASHBOARDS) {
  writeFileSync(join(DASHBOARD_DIR, spec.file), renderDashboard(spec));
  console.log(`wrote deploy/grafana/${spec.file}: ${spec.answers}`);
}
