/**
 * The cost of aigw-virtual-key per request, measured through the gateway (test ingress + real
 * plugin servers + relay + mock): the same chat request on a route without the key plugin, with
 * it (warm cache, no limits), and with it enforcing rpm/tpm limits and a budget (Redis round trips).
 */
import { Pool } from 'undici';
import { startDevStack } from '../harness/stack/stack';
import { percentile, runLoad, type Sample } from './load';
import { measurePathological, type PathologicalRow } from './pathological';

const NO_KEY_HOST = 'nokey.bench.local';

export interface ChainRow {
  path: string;
  p50Ms: number;
  p99Ms: number;
  throughputRps: number;
  errors: number;
}

/** A twin of the LLM service without aigw-virtual-key, selected by Host. */
function addKeylessTwin(deck: Record<string, unknown>): Record<string, unknown> {
  const services = deck.services as Array<Record<string, unknown>>;
  const llm = services.find((s) => s.name === 'ai-relay')!;
  const twin = structuredClone(llm);
  twin.name = 'ai-relay-keyless';
  twin.routes = (twin.routes as Array<Record<string, unknown>>).map((r) => ({ ...r, name: `${r.name as string}-keyless`, hosts: [NO_KEY_HOST] }));
  // Without the key plugin, aigw-proxy must be told that no identity is expected.
  twin.plugins = (twin.plugins as Array<{ name: string; config: Record<string, unknown> }>)
    .filter((p) => p.name !== 'aigw-virtual-key')
    .map((p) => (p.name === 'aigw-proxy' ? { ...p, config: { ...p.config, require_key: false } } : p));
  return { ...deck, services: [...services, twin] };
}

export interface ChainResults {
  chain: ChainRow[];
  pathological: PathologicalRow[];
}

export async function measurePluginChain(requests: number, concurrency: number, pathologicalRequests: number): Promise<ChainResults> {
  const stack = await startDevStack({ env: {}, deckTransform: addKeylessTwin });
  const pool = new Pool(stack.url, { connections: concurrency });
  try {
    const plain = await stack.admin('POST', '/admin/keys', { key_alias: 'bench-plain' });
    const limited = await stack.admin('POST', '/admin/keys', {
      key_alias: 'bench-limited',
      rpm_limit: 1_000_000,
      tpm_limit: 1_000_000_000,
      max_budget: 100_000,
      budget_duration: '30d',
    });
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Benchmark prompt of a typical short length. [[mock {"tokens":20}]]' }],
    });
    const send = (headers: Record<string, string>) => async (): Promise<Sample> => {
      const start = performance.now();
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      const total = performance.now() - start;
      return { ttfbMs: total, totalMs: total };
    };
    const paths: Array<[string, () => Promise<Sample>]> = [
      ['aigw-proxy only (no key plugin)', send({ host: NO_KEY_HOST })],
      ['aigw-virtual-key + aigw-proxy (warm cache, no limits)', send({ authorization: `Bearer ${plain.body.key as string}` })],
      ['aigw-virtual-key + aigw-proxy (rpm, tpm and budget enforced)', send({ authorization: `Bearer ${limited.body.key as string}` })],
    ];
    const rows: ChainRow[] = [];
    for (const [path, sender] of paths) {
      await runLoad(sender, 4, 200, 20_000);
      const latency = await runLoad(sender, 1, requests, 30_000);
      const throughput = await runLoad(sender, concurrency, requests, 30_000);
      const totals = latency.samples.map((s) => s.totalMs);
      rows.push({
        path,
        p50Ms: percentile(totals, 50),
        p99Ms: percentile(totals, 99),
        throughputRps: throughput.throughput,
        errors: latency.errors + throughput.errors,
      });
    }
    const pathological = await measurePathological(pool, limited.body.key as string, pathologicalRequests);
    return { chain: rows, pathological };
  } finally {
    await pool.close();
    await stack.close();
  }
}

export function chainMarkdown(rows: ChainRow[], requests: number, concurrency: number): string {
  const base = rows[0];
  const lines = [
    `Through the Kong test ingress (a test double: Kong's own Lua and nginx costs are not in these numbers), the real plugin servers, the relay and the mock. Latency: ${requests} sequential requests; throughput: ${requests} requests at concurrency ${concurrency}.`,
    '',
    '| path | p50 ms | p99 ms | throughput req/s | errors | added p50 ms | added p99 ms |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const added = row === base ? ['', ''] : [(row.p50Ms - base.p50Ms).toFixed(2), (row.p99Ms - base.p99Ms).toFixed(2)];
    lines.push(`| ${row.path} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${row.throughputRps.toFixed(0)} | ${row.errors} | ${added.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
