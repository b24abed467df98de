/**
 * The Grafana dashboards: five, with stable uids, a question per panel, template variables that
 * are used, PromQL that Prometheus's own parser accepts (promtool check rules, each query as a
 * recording rule), and only metric names that docs/observability.md catalogues (or prom-client's
 * defaults, or `up`): a renamed metric fails here, not on an operator's screen.
 */
import { stringify } from 'yaml';
import {
  alertRules,
  catalogue,
  isKnownMetric,
  loadDashboards,
  metricNames,
  panelKey,
  panelQueries,
  promClientDefaultNames,
  REAL_KONG_ONLY_PANELS,
  templateVariables,
  withVariables,
} from '../harness/observability/dashboards';
import { describeRun, requireTool, runTool, tempDir, writeTemp } from './static-helpers';

const dashboards = loadDashboards();
const queries = panelQueries(dashboards);

/** promtool parses PromQL only inside rule files: each expression becomes a recording rule. */
function promtoolParses(exprs: string[]) {
  const rules = { groups: [{ name: 'dashboard-queries', rules: exprs.map((expr, i) => ({ record: `aigw_dashboard_check:q${i}`, expr })) }] };
  const file = writeTemp(tempDir('aigw-dash-'), 'queries.yml', stringify(rules));
  return runTool(requireTool('promtool', 'prometheus'), ['check', 'rules', file]);
}

describe('dashboards', () => {
  test('the five dashboards, each with a stable uid and a title', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual(['aigw-gateway-health', 'aigw-overview', 'aigw-providers', 'aigw-savings', 'aigw-spend']);
    for (const d of dashboards) expect(d.title).toMatch(/^AI Gateway · /);
  });

  test('every panel says which question it answers, and has a query', () => {
    for (const d of dashboards) {
      for (const p of d.panels) {
        expect({ panel: `${d.uid} / ${p.title}`, asks: /\?/.test(p.description ?? '') }).toEqual({ panel: `${d.uid} / ${p.title}`, asks: true });
        expect(p.targets?.length).toBeGreaterThan(0);
      }
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    }
  });

  test('template variables are label_values of catalogued series, and each is used by a panel of its dashboard', () => {
    const variables = templateVariables(dashboards);
    expect(new Set(variables.map((v) => v.name))).toEqual(new Set(['team', 'model', 'provider']));
    const known = catalogue();
    const defaults = promClientDefaultNames();
    for (const v of variables) {
      expect(isKnownMetric(v.metric, known, defaults)).toBe(true);
      const used = queries.some((q) => q.dashboard === v.dashboard && q.expr.includes(`$${v.name}`));
      expect({ variable: `${v.dashboard} $${v.name}`, used }).toEqual({ variable: `${v.dashboard} $${v.name}`, used: true });
    }
    for (const q of queries) {
      for (const [, name] of q.expr.matchAll(/\$(?!__)(\w+)/g)) {
        expect(variables.some((v) => v.dashboard === q.dashboard && v.name === name)).toBe(true);
      }
    }
  });

  test("every panel query parses with Prometheus's parser", () => {
    const r = promtoolParses(queries.map((q) => withVariables(q.expr)));
    if (r.status !== 0) throw new Error(describeRun('promtool check rules (dashboard queries)', r));
    expect(r.stdout).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  test('the parse check rejects a broken query', () => {
    expect(promtoolParses(['sum by (model) (rate(aigw_requests_total[5m])']).status).not.toBe(0);
  });

  test('every metric a panel or an alert reads is in the catalogue, a prom-client default or up; kong_* only on real-Kong panels', () => {
    const known = catalogue();
    const defaults = promClientDefaultNames();
    const unknown: string[] = [];
    for (const q of queries) {
      for (const name of metricNames(withVariables(q.expr))) {
        const realKongSeries = name.startsWith('kong_') && panelKey(q) in REAL_KONG_ONLY_PANELS;
        if (!realKongSeries && !isKnownMetric(name, known, defaults)) unknown.push(`${panelKey(q)}: ${name}`);
      }
    }
    for (const rule of alertRules()) {
      for (const name of metricNames(rule.expr)) if (!isKnownMetric(name, known, defaults)) unknown.push(`alert ${rule.alert}: ${name}`);
    }
    expect(unknown).toEqual([]);
  });

  test('the name check knows a renamed metric from a catalogued one, and a histogram series from its base', () => {
    const known = catalogue();
    const defaults = promClientDefaultNames();
    expect(known.names.has('aigw_requests_total')).toBe(true);
    expect(isKnownMetric('aigw_relay_duration_seconds_bucket', known, defaults)).toBe(true);
    expect(isKnownMetric('nodejs_eventloop_lag_p99_seconds', known, defaults)).toBe(true);
    expect(isKnownMetric('aigw_request_total', known, defaults)).toBe(false);
    expect(metricNames('sum by (le, model) (rate(aigw_relay_duration_seconds_bucket{model=~".*"}[5m])) or vector(0)')).toEqual([
      'aigw_relay_duration_seconds_bucket',
    ]);
  });

  test('real-Kong-only exclusions name panels that exist', () => {
    const keys = new Set(queries.map(panelKey));
    for (const key of Object.keys(REAL_KONG_ONLY_PANELS)) expect(keys.has(key)).toBe(true);
  });
});
