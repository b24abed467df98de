/**
 * What model routing adds to a request end to end: the `make dev` stack (the Kong test ingress
 * with every plugin server, aigw-router with deck/kong.yaml's router `auto`, the inference
 * sidecar with one worker, the relay, the mock provider), the same easy chat request sent with
 * `model: "auto"` (rules, the semantic routes' and the difficulty anchors' embedding of the last
 * user text, the score) and with the model `auto` chooses for it named directly (the router reads
 * the identity and lets it pass), in interleaved rounds so a busy moment of the machine falls on
 * both. A routed request that failed open (the embedding past its deadline) is counted, not hidden.
 * Run on its own: `tsx test/bench/router-overhead.ts` (`make bench` runs it with the rest).
 */
import { Pool } from 'undici';
import { ROUTE_HEADER } from '../../lib/router/decision';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { freePortsForLater } from '../harness/stores/ports';
import { percentile, runLoad, sender } from './load';

/** Rounds the two variants take turns in. */
const ROUNDS = 5;
const MAX_MS = 60_000;
const PROMPT = 'What is the capital of France? [[mock {"tokens":20}]]';

export interface RouterOverheadRow {
  variant: 'auto' | 'pinned';
  model: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface RouterOverhead {
  rows: RouterOverheadRow[];
  /** What `auto` answered for the request (its x-aigw-route header). */
  route: string;
  /** Routed requests that fell back to the default model (aigw_router_fail_open_total). */
  failedOpen: number;
}

async function failOpenCount(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return [...text.matchAll(/^aigw_router_fail_open_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export async function measureRouterOverhead(requests: number): Promise<RouterOverhead> {
  const [metricsPort] = await freePortsForLater(1);
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const stack: DevStack = await startDevStack({
    env: {},
    router: true,
    inference: { env: { INFERENCE_WORKERS: '1' } },
    pluginMetricsPorts: `aigw-router=${metricsPort}`,
  });
  const pool = new Pool(stack.url, { connections: 1 });
  try {
    // A key with a model policy: the key plugin reads the model, as for most production keys.
    const key = await stack.admin('POST', '/admin/keys', { key_alias: 'bench-router', models: ['gpt-4o-mini', 'gpt-4o', 'auto'] });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key.body.key as string}` };
    const body = (model: string) => JSON.stringify({ model, messages: [{ role: 'user', content: PROMPT }] });
    // Until the references are embedded, a routed request waits for them (or falls back): probe first.
    let route = '';
    for (let i = 0; i < 100 && !/route=(weak|strong|small_talk|coding)/.test(route); i++) {
      const probe = await fetch(`${stack.url}/v1/chat/completions`, { method: 'POST', headers, body: body('auto') });
      await probe.arrayBuffer();
      route = probe.headers.get(ROUTE_HEADER) ?? '';
      if (!/route=(weak|strong|small_talk|coding)/.test(route)) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const chosen = /model=([^;]+)/.exec(route)?.[1] ?? 'gpt-4o-mini';
    const variants = [
      { variant: 'auto' as const, model: 'auto', send: sender(pool, '/v1/chat/completions', body('auto'), () => headers) },
      { variant: 'pinned' as const, model: chosen, send: sender(pool, '/v1/chat/completions', body(chosen), () => headers) },
    ];
    for (const { send } of variants) await runLoad(send, 1, 50, MAX_MS); // warm-up
    const failedBefore = await failOpenCount(metricsUrl);
    const latencies: number[][] = variants.map(() => []);
    const errors = variants.map(() => 0);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [v, { send }] of variants.entries()) {
        const result = await runLoad(send, 1, Math.ceil(requests / ROUNDS), MAX_MS);
        latencies[v]!.push(...result.samples.map((sample) => sample.totalMs));
        errors[v]! += result.errors;
      }
    }
    const failedOpen = (await failOpenCount(metricsUrl)) - failedBefore;
    const rows = variants.map(({ variant, model }, v) => ({
      variant,
      model,
      requests: latencies[v]!.length,
      p50Ms: percentile(latencies[v]!, 50),
      p99Ms: percentile(latencies[v]!, 99),
      errors: errors[v]!,
    }));
    return { rows, route, failedOpen };
  } finally {
    await pool.close();
    await stack.close();
  }
}

const f = (n: number): string => n.toFixed(2);

export function routerOverheadMarkdown(result: RouterOverhead): string {
  const [auto, pinned] = result.rows as [RouterOverheadRow, RouterOverheadRow];
  return [
    `The dev stack with aigw-router (deck/kong.yaml's router \`auto\`) and aigw-prompt-compressor on (the Kong test ingress, a Node double whose own costs are not Kong's, the plugin servers, the relay, the inference sidecar with one worker, the mock provider) on the same 2 cores as this client and other work; one easy chat request (20-token answer) sent sequentially with \`model: "auto"\` and with the model it chose named directly, ${ROUNDS} interleaved rounds. \`auto\` answered \`${result.route}\`; routed requests that failed open during the run: ${result.failedOpen}. The router's work on a routed request: reading the path and body, the features, one Embed call to the sidecar (the last user text), the score, writing the identity; on a pinned one: reading the identity.`,
    '',
    '| request | model sent | requests | p50 ms | p99 ms | errors | added p50 ms | added p99 ms |',
    '|---|---|---|---|---|---|---|---|',
    `| pinned | ${pinned.model} | ${pinned.requests} | ${f(pinned.p50Ms)} | ${f(pinned.p99Ms)} | ${pinned.errors} | | |`,
    `| routed | auto | ${auto.requests} | ${f(auto.p50Ms)} | ${f(auto.p99Ms)} | ${auto.errors} | ${f(auto.p50Ms - pinned.p50Ms)} | ${f(auto.p99Ms - pinned.p99Ms)} |`,
    '',
  ].join('\n');
}

export function routerOverheadFailures(result: RouterOverhead): Array<{ name: string; errors: number }> {
  return result.rows.map((row) => ({ name: `router overhead: ${row.variant}`, errors: row.errors }));
}

if (require.main === module) {
  measureRouterOverhead(Number(process.env.BENCH_ROUTER_REQUESTS ?? 300)).then(
    (result) => {
      process.stdout.write(routerOverheadMarkdown(result));
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`router overhead bench failed: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
