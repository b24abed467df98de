/** The morning view: spend, requests, errors, latency and savings over a range, charts over time, and who spends most. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { BarChart, ShareBars } from '../components/charts';
import { Select } from '../components/fields';
import { Empty, Loaded } from '../components/states';
import { ms, num, pct, usd } from '../format';
import { useResource } from '../hooks';
import type { Overview, OverviewTop } from '../types';
import { monthStart } from './teams';

type Range = 'today' | 'month' | '7d' | '30d';
const DAY = 86_400_000;

function rangeOf(range: Range, now = new Date()): { since: string; until: string; bucket: 'hour' | 'day' } {
  const until = now.toISOString();
  if (range === 'today') return { since: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString(), until, bucket: 'hour' };
  if (range === 'month') return { since: monthStart(now), until, bucket: 'day' };
  return { since: new Date(now.getTime() - (range === '7d' ? 7 : 30) * DAY).toISOString(), until, bucket: 'day' };
}

function bucketLabel(at: string, bucket: 'hour' | 'day'): string {
  const d = new Date(at);
  return bucket === 'hour' ? `${String(d.getUTCHours()).padStart(2, '0')}:00` : d.toISOString().slice(5, 10);
}

function Stat({ label, value, note, testId }: { label: string; value: string; note?: string; testId?: string }) {
  return (
    <div class="card stat">
      <h2>{label}</h2>
      <p class="big" data-testid={testId}>
        {value}
      </p>
      {note && <p class="muted">{note}</p>}
    </div>
  );
}

function Top({ title, rows }: { title: string; rows: OverviewTop[] }) {
  if (rows.length === 0) return <Empty title={`${title}: nothing yet`} />;
  return <ShareBars title={title} rows={rows.map((r) => ({ label: r.name ?? r.id ?? '(none)', value: r.spend.usd }))} format={usd} />;
}

export function OverviewPage() {
  const [range, setRange] = useState<Range>('today');
  const overview = useResource((signal) => api<Overview>('GET', `/admin/overview${query(rangeOf(range))}`, undefined, signal), [range]);
  // Today and this month side by side whatever the range, as the first two numbers an operator looks for.
  const today = useResource((signal) => api<Overview>('GET', `/admin/overview${query(rangeOf('today'))}`, undefined, signal), []);
  const month = useResource((signal) => api<Overview>('GET', `/admin/overview${query(rangeOf('month'))}`, undefined, signal), []);
  return (
    <section>
      <div class="page-head">
        <h1>Overview</h1>
        <button
          type="button"
          class="button"
          onClick={() => {
            overview.reload();
            today.reload();
            month.reload();
          }}
        >
          Refresh
        </button>
      </div>
      <div class="cards">
        <Stat label="Spend today" value={today.data ? usd(today.data.totals.spend.usd) : '…'} testId="spend-today" />
        <Stat label="Spend this month" value={month.data ? usd(month.data.totals.spend.usd) : '…'} testId="spend-month" />
        <Stat label="Requests today" value={today.data ? num(today.data.totals.requests) : '…'} testId="requests-today" />
      </div>
      <div class="toolbar">
        <Select
          label="Range"
          name="range"
          value={range}
          onChange={(v) => setRange(v as Range)}
          options={[
            { value: 'today', label: 'Today (UTC)' },
            { value: 'month', label: 'This month' },
            { value: '7d', label: 'Last 7 days' },
            { value: '30d', label: 'Last 30 days' },
          ]}
        />
      </div>
      <Loaded resource={overview} what="the overview">
        {(o) => {
          const t = o.totals;
          const errorRate = t.error_rate ?? (t.requests ? t.errors / t.requests : null);
          const errorTypes = Object.entries(t.errors_by_type).filter(([, n]) => n > 0);
          return (
            <>
              <div class="cards">
                <Stat label="Spend" value={usd(t.spend.usd)} testId="spend-range" />
                <Stat label="Requests" value={num(t.requests)} />
                <Stat label="Error rate" value={pct(errorRate)} note={`${num(t.errors)} errors`} />
                <Stat label="Latency" value={`p50 ${ms(t.latency_ms.p50)}`} note={`p95 ${ms(t.latency_ms.p95)}`} />
                <Stat label="Cache saved" value={usd(t.cache_savings.usd)} />
                <Stat label="Compression saved" value={usd(t.compression_savings.usd)} />
              </div>
              {t.requests === 0 ? (
                <Empty title="No requests in this range">Traffic through the gateway appears here within seconds.</Empty>
              ) : (
                <>
                  <div class="charts">
                    <BarChart
                      title={`Spend per ${o.bucket}`}
                      valueLabel="Spend"
                      format={usd}
                      points={o.series.map((p) => ({ label: bucketLabel(p.at, o.bucket), value: p.spend.usd }))}
                    />
                    <BarChart
                      title={`Requests per ${o.bucket}`}
                      valueLabel="Requests"
                      format={num}
                      points={o.series.map((p) => ({ label: bucketLabel(p.at, o.bucket), value: p.requests }))}
                    />
                    <BarChart
                      title={`Errors per ${o.bucket}`}
                      valueLabel="Errors"
                      format={num}
                      points={o.series.map((p) => ({ label: bucketLabel(p.at, o.bucket), value: p.errors }))}
                    />
                  </div>
                  <div class="cards cards-wide">
                    <div class="card">
                      {errorTypes.length ? (
                        <ShareBars title="Errors by type" rows={errorTypes.map(([type, n]) => ({ label: type, value: n }))} format={num} />
                      ) : (
                        <Empty title="No errors in this range" />
                      )}
                    </div>
                    <div class="card">
                      <Top title="Top teams by spend" rows={o.top.teams} />
                    </div>
                    <div class="card">
                      <Top title="Top keys by spend" rows={o.top.keys} />
                    </div>
                    <div class="card">
                      <Top title="Top models by spend" rows={o.top.models} />
                    </div>
                  </div>
                </>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
