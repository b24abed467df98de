/** The control API's metrics: a scrape never fails, even when PostgreSQL cannot say what teams spent. */
import { Pool } from 'pg';
import { ControlMetrics, methodLabel } from '../../../sidecars/control/metrics';

test('PostgreSQL unreachable: the scrape answers, the team gauges are left out and the store error is counted once per refresh', async () => {
  // Nothing listens on port 1.
  const pool = new Pool({ host: '127.0.0.1', port: 1, user: 'x', database: 'x', connectionTimeoutMillis: 500 });
  try {
    const metrics = new ControlMetrics(pool);
    metrics.request('/admin/keys/:id', methodLabel('PATCH'), 200);
    metrics.request('unmatched', methodLabel('BREW'), 404);
    const text = await metrics.registry.metrics();
    expect(text).toContain('aigw_control_requests_total{route="/admin/keys/:id",method="PATCH",status="200"} 1');
    expect(text).toContain('aigw_control_requests_total{route="unmatched",method="other",status="404"} 1');
    expect(text).not.toMatch(/aigw_team_budget_utilisation_ratio\{/);
    expect(text).not.toMatch(/aigw_team_spend_usd\{/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds/);
    // Counted while this scrape ran, so shown from the next; within the cache the query is not repeated.
    const next = await metrics.registry.metrics();
    expect(next).toContain('aigw_store_errors_total{component="control",store="postgres",operation="team_budgets"} 1');
    expect(next).not.toMatch(/aigw_team_spend_usd\{/);
  } finally {
    await pool.end();
  }
});
