/** The configured model groups and their targets (from the gateway's config), live health and prices. */
import { api } from '../api';
import { DataTable } from '../components/data-table';
import { PageHead } from '../components/page-head';
import { Empty, Loaded } from '../components/states';
import { ms, num, pct } from '../format';
import { useResource } from '../hooks';
import type { ModelsList, ModelTarget } from '../types';

const perMillion = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `$${v}`);

function Breaker({ target }: { target: ModelTarget }) {
  const state = target.health?.breaker ?? null;
  if (!state) return <span class="muted">no data</span>;
  const badge = state === 'closed' ? 'badge-active' : state === 'open' ? 'badge-revoked' : 'badge-expired';
  return <span class={`badge ${badge}`}>{state.replace('_', ' ')}</span>;
}

export function ModelsPage() {
  const models = useResource((signal) => api<ModelsList>('GET', '/admin/models', undefined, signal), []);
  return (
    <section>
      <PageHead title="Models and providers" onRefresh={models.reload} />
      <Loaded resource={models} what="models">
        {(m) =>
          m.data.length === 0 ? (
            <Empty title="No model groups to show">{m.message ?? 'The gateway configuration names no models yet.'}</Empty>
          ) : (
            <>
              <p class="muted">
                Configuration from {m.source ?? 'unknown'}; health from {m.health_source ?? 'nowhere (Redis did not answer)'}. Error rate and latency over the
                last {m.data[0]?.targets[0]?.health?.recent?.window_minutes ?? 15} minutes.
              </p>
              {m.data.map((group) => (
                <div class="card" key={group.name}>
                  <h2>
                    {group.name}
                    {group.balancing && <span class="muted"> · {group.balancing}</span>}
                  </h2>
                  {group.fallback_models.length > 0 && <p class="muted">Falls back to {group.fallback_models.join(', ')}</p>}
                  <DataTable
                    caption={<span class="muted">Used on {group.configured_on.join(', ') || 'no route'}</span>}
                    rows={group.targets}
                    rowKey={(t) => t.id}
                    columns={[
                      { header: 'Provider', cell: (t) => t.provider },
                      { header: 'Model', cell: (t) => t.model },
                      { header: 'Endpoint', cell: (t) => t.base_url_host ?? '—' },
                      { header: 'Weight / priority', numeric: true, cell: (t) => `${num(t.weight)} / ${num(t.priority)}` },
                      { header: 'Breaker', cell: (t) => <Breaker target={t} /> },
                      { header: 'Error rate', numeric: true, cell: (t) => pct(t.health?.recent?.error_rate ?? null) },
                      { header: 'p50 / p95', numeric: true, cell: (t) => `${ms(t.health?.recent?.p50_ms ?? null)} / ${ms(t.health?.recent?.p95_ms ?? null)}` },
                      { header: 'In flight', numeric: true, cell: (t) => num(t.health?.in_flight ?? null) },
                      {
                        header: 'Input / output per 1M tokens',
                        numeric: true,
                        cell: (t) =>
                          t.pricing ? (
                            `${perMillion(t.pricing.input_per_mtok_usd)} / ${perMillion(t.pricing.output_per_mtok_usd)}`
                          ) : (
                            <span class="muted">unpriced</span>
                          ),
                      },
                    ]}
                  />
                </div>
              ))}
            </>
          )
        }
      </Loaded>
    </section>
  );
}
