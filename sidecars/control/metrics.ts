/**
 * The control API's metrics, served on its own port at GET /metrics (Kong routes only /admin to
 * it): its requests by route pattern, the process's default series, and each budgeted team's
 * spend and budget utilisation, read from PostgreSQL when scraped (cached briefly, so several
 * Prometheus servers or a dashboard reload cost one query). A store error leaves those gauges
 * out and counts aigw_store_errors_total: never a failed scrape.
 */
import type { Pool } from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { GatewaySeries } from '../../lib/metrics/gateway-series';
import { type TeamBudgetSpend, teamBudgetSpend } from '../../lib/store/team-budgets';

const SPEND_CACHE_MS = 10_000;

export class ControlMetrics {
  readonly registry = new Registry();
  private readonly series = GatewaySeries.of(this.registry);
  private readonly requests = new Counter({
    name: 'aigw_control_requests_total',
    help: "Control API requests by route (the router's pattern), method and status",
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  private readonly logins = new Counter({
    name: 'aigw_console_logins_total',
    help: 'Console logins by outcome: ok, refused (not an active admin key), rate_limited',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly auditFailures = new Counter({
    name: 'aigw_audit_write_failures_total',
    help: 'Audit log rows the control API could not write (the change itself stood)',
    registers: [this.registry],
  });
  private cached: { at: number; teams: Promise<TeamBudgetSpend[] | null> } | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly now: () => number = Date.now,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const spend = (): Promise<TeamBudgetSpend[] | null> => this.teamSpend();
    new Gauge({
      name: 'aigw_team_budget_utilisation_ratio',
      help: "A team's spend in its current budget window ÷ its budget (teams with a budget)",
      labelNames: ['team'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const team of (await spend()) ?? []) if (team.maxBudgetNano > 0) this.set({ team: team.name }, team.windowNano / team.maxBudgetNano);
      },
    });
    new Gauge({
      name: 'aigw_team_spend_usd',
      help: "A budgeted team's spend today and this month (UTC), in USD, from the spend ledger",
      labelNames: ['team', 'window'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const team of (await spend()) ?? []) {
          this.set({ team: team.name, window: 'day' }, team.dayNano / 1e9);
          this.set({ team: team.name, window: 'month' }, team.monthNano / 1e9);
        }
      },
    });
  }

  request(route: string, method: string, status: number): void {
    this.requests.inc({ route, method, status: String(status) });
  }

  login(outcome: string): void {
    this.logins.inc({ outcome });
  }

  auditFailure(): void {
    this.auditFailures.inc();
  }

  /** The budgeted teams' spend, at most SPEND_CACHE_MS old; null when PostgreSQL did not answer. */
  private teamSpend(): Promise<TeamBudgetSpend[] | null> {
    const now = this.now();
    if (!this.cached || now - this.cached.at >= SPEND_CACHE_MS) {
      const teams = teamBudgetSpend(this.pool, now).catch(() => {
        this.series.storeError('control', 'postgres', 'team_budgets');
        return null;
      });
      this.cached = { at: now, teams };
    }
    return this.cached.teams;
  }
}

/** Methods as a label: the ones HTTP defines, anything else "other". */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'other';
}
