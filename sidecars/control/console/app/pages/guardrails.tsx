/** Guardrail events by detector and action over a range, and the latest events (never the matched text). */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { ShareBars } from '../components/charts';
import { DataTable } from '../components/data-table';
import { Select } from '../components/fields';
import { PageHead } from '../components/page-head';
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
      <PageHead title="Guardrails" onRefresh={events.reload} />
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
              <DataTable
                rows={e.recent}
                rowKey={(r) => r.request_id}
                columns={[
                  { header: 'Time', cell: (r) => when(r.created_at) },
                  { header: 'Actions', cell: (r) => r.actions.join(', ') },
                  { header: 'Status', cell: (r) => r.status },
                  { header: 'Model', cell: (r) => r.model ?? '—' },
                  { header: 'Key', cell: (r) => r.key_alias ?? '—' },
                  { header: 'Request', cell: (r) => <a href={href('requests', r.request_id)}>{r.request_id}</a> },
                ]}
              />
            </>
          )
        }
      </Loaded>
    </section>
  );
}
