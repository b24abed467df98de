/** The configured model groups and their targets (from the gateway's config), live health and prices. */
import { api } from '../api';
import { Empty, Loaded } from '../components/states';
import { ms, pct } from '../format';
import { useResource } from '../hooks';
import type { ModelGroup, ModelTarget } from '../types';

function Price({ pricing }: { pricing: ModelTarget['pricing'] }) {
  if (!pricing) return <span class="muted">unknown</span>;
  const entries = Object.entries(pricing).filter(([, v]) => v !== null);
  if (!entries.length) return <span class="muted">unknown</span>;
  return <>{entries.map(([k, v]) => `${k.replace(/_/g, ' ')} $${v}`).join(' · ')}</>;
}

function Breaker({ state }: { state: string | null }) {
  if (!state) return <span class="muted">no data</span>;
  return <span class={`badge ${state === 'closed' ? 'badge-active' : state === 'open' ? 'badge-revoked' : 'badge-expired'}`}>{state}</span>;
}

export function ModelsPage() {
  const models = useResource((signal) => api<{ data: ModelGroup[] }>('GET', '/admin/models', undefined, signal), []);
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
            <Empty title="No model groups configured">The gateway's configuration names no models yet.</Empty>
          ) : (
            m.data.map((group) => (
              <div class="card" key={group.name}>
                <h2>
                  {group.name}
                  {group.strategy && <span class="muted"> · {group.strategy}</span>}
                </h2>
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">Provider</th>
                      <th scope="col">Model</th>
                      <th scope="col">Endpoint</th>
                      <th scope="col">Breaker</th>
                      <th scope="col" class="num">
                        Error rate
                      </th>
                      <th scope="col" class="num">
                        Latency
                      </th>
                      <th scope="col">Price per 1M tokens</th>
                    </tr>
                  </thead>
                  <tbody>
                    {group.targets.map((t) => (
                      <tr key={`${t.provider}/${t.model}`}>
                        <td>{t.provider}</td>
                        <td>{t.model}</td>
                        <td>{t.base_url_host ?? '—'}</td>
                        <td>
                          <Breaker state={t.health?.breaker ?? null} />
                        </td>
                        <td class="num">{pct(t.health?.error_rate ?? null)}</td>
                        <td class="num">{ms(t.health?.latency_ms ?? null)}</td>
                        <td>
                          <Price pricing={t.pricing} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))
          )
        }
      </Loaded>
    </section>
  );
}
