/** One request in detail: who, what, attempts, tokens, cost, cache, compression, guardrails, routing and the trace link. */
import { api } from '../api';
import { DataTable } from '../components/data-table';
import { Facts } from '../components/fields';
import { Empty, Loaded } from '../components/states';
import { ms, num, usd, when } from '../format';
import { useResource } from '../hooks';
import { href } from '../router';
import type { RequestEntry } from '../types';

/** The configured template with the trace id put in; only http(s) links. */
function traceUrl(template: string | null, traceId: string | null): string | null {
  if (!template || !traceId || !/^https?:\/\//i.test(template)) return null;
  return template.split('{trace_id}').join(encodeURIComponent(traceId));
}

export function RequestPage({ id, traceTemplate }: { id: string; traceTemplate: string | null }) {
  const request = useResource((signal) => api<RequestEntry>('GET', `/admin/requests/${encodeURIComponent(id)}`, undefined, signal), [id]);
  return (
    <section>
      <p class="breadcrumb">
        <a href={href('requests')}>Requests</a> /
      </p>
      <Loaded resource={request} what="the request">
        {(r) => {
          const trace = traceUrl(traceTemplate, r.trace_id);
          return (
            <>
              <h1>
                Request <code>{r.request_id}</code>
              </h1>
              <div class="cards">
                <div class="card">
                  <h2>Outcome</h2>
                  <p class="big">{r.status}</p>
                  <p class="muted">
                    {r.outcome ?? '—'}
                    {r.error_type ? ` · ${r.error_type} error` : ''}
                    {r.error_code ? ` (${r.error_code})` : ''}
                  </p>
                </div>
                <div class="card">
                  <h2>Cost</h2>
                  <p class="big" data-testid="request-cost">
                    {usd(r.cost_usd)}
                  </p>
                  <p class="muted">
                    {r.usage
                      ? `${num(r.usage.prompt_tokens)} prompt + ${num(r.usage.completion_tokens)} completion tokens${r.usage.estimated ? ' (estimated)' : ''}`
                      : 'no tokens billed'}
                  </p>
                </div>
                <div class="card">
                  <h2>Latency</h2>
                  <p class="big">{ms(r.latency_ms.total)}</p>
                  <p class="muted">
                    first byte {ms(r.latency_ms.first_byte)} · provider {ms(r.latency_ms.provider)} · gateway {ms(r.latency_ms.overhead)}
                  </p>
                </div>
              </div>
              <Facts
                rows={[
                  ['Time', when(r.created_at)],
                  ['Key', r.key_id ? <a href={href('keys', r.key_id)}>{r.key_alias ?? r.key_id}</a> : '—'],
                  ['Team', r.team_id ? <a href={href('teams', r.team_id)}>{r.team_name ?? r.team_id}</a> : '—'],
                  ['Endpoint', r.endpoint ?? '—'],
                  ['Model asked', r.model ?? '—'],
                  ['Served by', r.provider ? `${r.provider} / ${r.provider_model ?? '?'}` : '—'],
                  ['Answered by', r.answered_by],
                  ['Streamed', r.stream ? 'yes' : 'no'],
                  ['Cache', r.cache ?? '—'],
                  ['Compression', r.compression ?? '—'],
                  ['Guardrails', r.guardrail_actions ?? 'none acted'],
                  ['Routing', r.route ?? (r.attempt_count > 1 ? `${r.attempt_count} attempts (failover)` : 'first target')],
                  ['Prompt template', r.template ? `${r.template.name}${r.template.version ? ` v${r.template.version}` : ''}` : '—'],
                  ['Cached tokens', r.usage ? num(r.usage.cached_tokens) : '—'],
                  ['Reasoning tokens', r.usage ? num(r.usage.reasoning_tokens) : '—'],
                  [
                    'Trace',
                    r.trace_id ? (
                      trace ? (
                        <a href={trace} target="_blank" rel="noopener noreferrer">
                          {r.trace_id}
                        </a>
                      ) : (
                        <code>{r.trace_id}</code>
                      )
                    ) : (
                      '—'
                    ),
                  ],
                ]}
              />
              <h2>Attempts ({r.attempt_count})</h2>
              {r.attempts.length === 0 ? (
                <Empty title="No provider was called">The gateway answered this request itself (a cache hit or a refusal).</Empty>
              ) : (
                <DataTable
                  rows={r.attempts}
                  rowKey={(_a, i) => String(i)}
                  columns={[
                    { header: '#', cell: (_a, i) => i + 1 },
                    { header: 'Provider', cell: (a) => a.provider },
                    { header: 'Model', cell: (a) => a.model },
                    { header: 'Result', cell: (a) => a.result },
                    { header: 'Status', cell: (a) => a.status },
                    { header: 'Error type', cell: (a) => a.error_type ?? '—' },
                    { header: 'Time', numeric: true, cell: (a) => ms(a.ms) },
                  ]}
                />
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
