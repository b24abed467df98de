/** Guardrail events by detector and action over a range, and the latest events (never the matched text). */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { ShareBars } from '../components/charts';
import { Select } from '../components/fields';
import { Empty, Loaded } from '../components/states';
import { num, when } from '../format';
import { useResource } from '../hooks';
import { href } from '../router';
import type { GuardrailEvents } from '../types';

const DAY = 86_400_000;

export function GuardrailsPage() {
  const [days, setDays] = useState('1');
  const events = useResource(
    (signal) =>
      api<GuardrailEvents>('GET', `/admin/guardrails/events${query({ since: new Date(Date.now() - Number(days) * DAY).toISOString() })}`, undefined, signal),
    [days],
  );
  return (
    <section>
      <div class="page-head">
        <h1>Guardrails</h1>
        <button type="button" class="button" onClick={events.reload}>
          Refresh
        </button>
      </div>
      <div class="toolbar">
        <Select
          label="Range"
          name="range"
          value={days}
          onChange={setDays}
          options={[
            { value: '1', label: 'Last 24 hours' },
            { value: '7', label: 'Last 7 days' },
            { value: '30', label: 'Last 30 days' },
          ]}
        />
      </div>
      <Loaded resource={events} what="guardrail events">
        {(e) =>
          e.counts.length === 0 ? (
            <Empty title="No guardrail acted in this range">When a detector redacts, flags or blocks a request, it is counted here.</Empty>
          ) : (
            <>
              <div class="card">
                <ShareBars
                  title={`Events by detector and action (${num(e.total)} in all)`}
                  rows={e.counts.map((d) => ({ label: `${d.detector} · ${d.action} (${d.phase})`, value: d.count }))}
                  format={num}
                />
              </div>
              <h2>Recent events</h2>
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Actions</th>
                    <th scope="col">Status</th>
                    <th scope="col">Model</th>
                    <th scope="col">Key</th>
                    <th scope="col">Request</th>
                  </tr>
                </thead>
                <tbody>
                  {e.recent.map((r) => (
                    <tr key={r.request_id}>
                      <td>{when(r.created_at)}</td>
                      <td>{r.actions.join(', ')}</td>
                      <td>{r.status}</td>
                      <td>{r.model ?? '—'}</td>
                      <td>{r.key_alias ?? '—'}</td>
                      <td>
                        <a href={href('requests', r.request_id)}>{r.request_id}</a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )
        }
      </Loaded>
    </section>
  );
}
