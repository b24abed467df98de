/** Budget utilisation as a native <meter> (accessible as it is), with the numbers written beside it. */
import { api } from '../api';
import { count, usd, when } from '../format';
import { useResource } from '../hooks';
import type { SpendWindow } from '../types';

export function BudgetMeter({ spent, budget, label }: { spent: number; budget: number | null; label: string }) {
  if (budget === null) return <span class="muted">{usd(spent)} spent · no budget</span>;
  const ratio = budget > 0 ? spent / budget : 1;
  return (
    <span class="budget">
      <meter
        min={0}
        max={budget}
        low={budget * 0.75}
        high={budget * 0.9}
        optimum={0}
        value={Math.min(spent, budget)}
        aria-label={label}
        title={`${Math.round(ratio * 100)}%`}
      >
        {Math.round(ratio * 100)}%
      </meter>
      <span class="budget-text">
        {usd(spent)} of {usd(budget)}
      </span>
    </span>
  );
}

/** A key's or team's utilisation in its current budget window (its info route knows the window); nothing to load without a budget. */
export function WindowBudget({ path, budget, duration, label }: { path: string; budget: number | null; duration: string | null; label: string }) {
  const info = useResource((signal) => (budget === null ? Promise.resolve(null) : api<SpendWindow>('GET', path, undefined, signal)), [path, budget]);
  if (budget === null) return <span class="muted">no budget</span>;
  if (info.state === 'error') return <span class="muted">unavailable</span>;
  if (!info.data) return <span class="muted">…</span>;
  return (
    <>
      <BudgetMeter spent={info.data.window_spend} budget={budget} label={label} />
      {duration && <span class="muted"> per {duration}</span>}
    </>
  );
}

/** A key's or team's budget window and all-time spend, side by side (its info route's numbers). */
export function SpendCards({ info, budget, label }: { info: SpendWindow; budget: number | null; label: string }) {
  return (
    <div class="cards">
      <div class="card">
        <h2>Budget</h2>
        <BudgetMeter spent={info.window_spend} budget={budget} label={label} />
        <p class="muted">
          Window {when(info.budget_window_start)} – {info.budget_window_end ? when(info.budget_window_end) : 'open'} ·{' '}
          {info.remaining_budget === null ? 'no budget' : `${usd(info.remaining_budget)} left`}
        </p>
      </div>
      <div class="card">
        <h2>All time</h2>
        <p class="big" data-testid="all-time-spend">
          {usd(info.spend)}
        </p>
        <p class="muted">{count(info.requests, 'request')}</p>
      </div>
    </div>
  );
}
