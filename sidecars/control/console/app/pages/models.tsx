/** The configured model groups and their targets (from the gateway's config), live health and prices. */
import { api } from '../api';
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
      <div class="page-head">
        <h1>Models and providers</h1>
        <button type="button" class="button" onClick={models.reload}>
          Refresh
        </button>
      </div>
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
                  <table class="table">
                    <caption class="muted">Used on {group.configured_on.join(', ') || 'no route'}</caption>
                    <thead>
                      <tr>
                        <th scope="col">Provider</th>
                        <th scope="col">Model</th>
                        <th scope="col">Endpoint</th>
                        <th scope="col" class="num">
                          Weight / priority
                        </th>
                        <th scope="col">Breaker</th>
                        <th scope="col" class="num">
                          Error rate
                        </th>
                        <th scope="col" class="num">
                          p50 / p95
                        </th>
                        <th scope="col" class="num">
                          In flight
                        </th>
                        <th scope="col" class="num">
                          Input / output per 1M tokens
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {group.targets.map((t) => (
                        <tr key={t.id}>
                          <td>{t.provider}</td>
                          <td>{t.model}</td>
                          <td>{t.base_url_host ?? '—'}</td>
                          <td class="num">
                            {num(t.weight)} / {num(t.priority)}
                          </td>
                          <td>
                            <Breaker target={t} />
                          </td>
                          <td class="num">{pct(t.health?.recent?.error_rate ?? null)}</td>
                          <td class="num">
                            {ms(t.health?.recent?.p50_ms ?? null)} / {ms(t.health?.recent?.p95_ms ?? null)}
                          </td>
                          <td class="num">{num(t.health?.in_flight ?? null)}</td>
                          <td class="num">
                            {t.pricing ? (
                              `${perMillion(t.pricing.input_per_mtok_usd)} / ${perMillion(t.pricing.output_per_mtok_usd)}`
                            ) : (
                              <span class="muted">unpriced</span>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ))}
            </>
          )
        }
      </Loaded>
    </section>
  );
}
