/**
 * The Grafana dashboards and alert rules under kong/observability/, read as data: every panel
 * query, every template variable, every alert expression, and the metric names and series
 * selectors in them. The static tests check the names against docs/observability.md's catalogue;
 * the end-to-end test asks a real Prometheus for each query.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { REPO_ROOT } from '../repo-root';

export const OBSERVABILITY_DIR = join(REPO_ROOT, 'kong', 'observability');
export const DASHBOARDS_DIR = join(OBSERVABILITY_DIR, 'grafana', 'dashboards');
export const ALERTS_FILE = join(OBSERVABILITY_DIR, 'alerts.yml');

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; query: { query: string } | string }> };
  panels: Array<{ id: number; title: string; description?: string; datasource?: { uid?: string }; targets?: Array<{ refId: string; expr: string }> }>;
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

/**
 * Panels that query series only real Kong has (its bundled prometheus plugin): `make dev` and the
 * test stacks play Kong in Node, so these are left out of the end-to-end check, each with why.
 */
export const REAL_KONG_ONLY_PANELS: Record<string, string> = {
  'aigw-gateway-health / Kong: requests by status and datastore (real Kong only)':
    "kong_http_requests_total and kong_datastore_reachable come from Kong's bundled prometheus plugin on its status API; the test ingress is not Kong",
};

export const panelKey = (q: { dashboard: string; panel: string }): string => `${q.dashboard} / ${q.panel}`;

export function loadDashboards(): Dashboard[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ ...(JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8')) as Omit<Dashboard, 'file'>), file }));
}

export function panelQueries(dashboards: Dashboard[] = loadDashboards()): PanelQuery[] {
  return dashboards.flatMap((d) => d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ dashboard: d.uid, panel: p.title, refId: t.refId, expr: t.expr }))));
}

/** Each template variable's `label_values(metric, label)`. */
export function templateVariables(dashboards: Dashboard[] = loadDashboards()): Array<{ dashboard: string; name: string; metric: string; label: string }> {
  return dashboards.flatMap((d) =>
    d.templating.list.map((v) => {
      const query = typeof v.query === 'string' ? v.query : v.query.query;
      const m = /^label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*(\w+)\s*\)$/.exec(query);
      if (!m) throw new Error(`${d.uid}: variable ${v.name} is not label_values(metric, label): ${query}`);
      return { dashboard: d.uid, name: v.name, metric: m[1]!, label: m[2]! };
    }),
  );
}

export function alertRules(): Array<{ alert: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }> {
  const doc = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  return doc.groups.flatMap((g) => g.rules);
}

/**
 * Grafana's variables as a query would be sent with "All" selected (`allValue` is `.*`), and its
 * intervals as a short test's data can answer (scraped seconds apart, for under a minute).
 */
export function withVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$__interval/g, '5m')
    .replace(/\$__range/g, '1h')
    .replace(/\$(team|model|provider)\b/g, '.*');
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool']);

/** Every series selector (`name{matchers}`) in a PromQL expression, variables already substituted. */
export function seriesSelectors(expr: string): string[] {
  // Grouping clauses hold label names, not metrics; without them an aggregation is followed by its `(`.
  const stripped = expr.replace(/\s*\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const found: string[] = [];
  for (const m of stripped.matchAll(/\b([a-zA-Z_:][\w:]*)\b(\{[^}]*\})?(?!\s*\()/g)) {
    if (KEYWORDS.has(m[1]!)) continue;
    found.push(m[1]! + (m[2] ?? ''));
  }
  return [...new Set(found)];
}

export function metricNames(expr: string): string[] {
  return [...new Set(seriesSelectors(expr).map((s) => s.replace(/\{.*$/, '')))];
}

/** The series docs/observability.md catalogues: exact names, and prefixes written `name_*`. */
export function catalogue(): { names: Set<string>; prefixes: string[] } {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'observability.md'), 'utf8');
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const m of doc.matchAll(/^\|\s*`((?:aigw|kong)_[a-z0-9_]+\*?)`\s*\|/gm)) {
    if (m[1]!.endsWith('*')) prefixes.push(m[1]!.slice(0, -1));
    else names.add(m[1]!);
  }
  return { names, prefixes };
}

/** What prom-client's collectDefaultMetrics exports in every process (event loop, memory, CPU…). */
export function promClientDefaultNames(): Set<string> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const names = new Set(registry.getMetricsAsArray().map((metric) => (metric as unknown as { name: string }).name));
  registry.clear();
  return names;
}

/** Whether `name` (a histogram's `_bucket`/`_sum`/`_count` counts as its base) is catalogued, a prom-client default or Prometheus's `up`. */
export function isKnownMetric(name: string, known: { names: Set<string>; prefixes: string[] }, defaults: Set<string>): boolean {
  if (name === 'up') return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  for (const n of [name, base]) {
    if (known.names.has(n) || defaults.has(n) || known.prefixes.some((p) => n.startsWith(p))) return true;
  }
  return false;
}
