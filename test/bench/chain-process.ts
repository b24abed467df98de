/**
 * The whole gateway as one process for the benchmark (`tsx test/bench/chain-process.ts`): the Kong
 * test double with the real plugin servers, the relay and control API, Redis and PostgreSQL, its
 * OpenAI models sent to the benchmark's own mock process (BENCH_MOCK_URL, key BENCH_MOCK_KEY), so
 * the load generator does not share an event loop with the double. Prints one JSON line when ready
 * (url, keys, PDK round trips of a warm request per key, its pid) and stops on SIGTERM.
 */

import { describeCalls, pdkCallMeter, type RequestCalls } from '../e2e/pdk-calls';
import { pluginConfigs } from '../harness/stack/deck-for-dev';
import { type DevStack, startDevStack } from '../harness/stack/stack';

export interface ChainReady {
  url: string;
  pid: number;
  keys: { plain: string; limited: string };
  roundTrips: Record<'plain' | 'limited', { total: number; events: number; calls: string[] }>;
}

export const CHAIN_BODY = (tokens: number): string =>
  JSON.stringify({
    model: 'gpt-4o-mini',
    max_tokens: 64,
    messages: [{ role: 'user', content: `Benchmark prompt of a typical short length. [[mock {"tokens":${tokens}}]]` }],
  });

/** OpenAI models to the benchmark's mock; any target left on a provider's host stops the run. */
function toBenchMock(mockUrl: string) {
  return (deck: Record<string, unknown>): Record<string, unknown> => {
    for (const config of pluginConfigs(deck, 'aigw-proxy')) {
      for (const model of config.models as Array<{ target?: Record<string, unknown> | null; targets?: Array<Record<string, unknown>> | null }>) {
        for (const target of [...(model.target ? [model.target] : []), ...(model.targets ?? [])]) {
          if (target.credential === 'OPENAI_API_KEY') target.base_url = `${mockUrl}/v1`;
          if (!String(target.base_url).startsWith('http://127.0.0.1:')) throw new Error(`target ${String(target.base_url)} is not on this machine`);
        }
      }
    }
    return deck;
  };
}

async function main(): Promise<void> {
  const mockUrl = process.env.BENCH_MOCK_URL;
  const mockKey = process.env.BENCH_MOCK_KEY;
  if (!mockUrl || !mockKey) throw new Error('BENCH_MOCK_URL and BENCH_MOCK_KEY are required');
  const measure = pdkCallMeter();
  // The relay holds the mock's key under the name the deck's OpenAI targets use.
  const stack: DevStack = await startDevStack({ env: { OPENAI_API_KEY: mockKey }, deckTransform: toBenchMock(mockUrl) });
  process.once('SIGTERM', () => void stack.close().then(() => process.exit(0)));
  const plain = await stack.admin('POST', '/admin/keys', { key_alias: 'bench-portkey-plain' });
  const limited = await stack.admin('POST', '/admin/keys', {
    key_alias: 'bench-portkey-limited',
    rpm_limit: 1_000_000,
    tpm_limit: 1_000_000_000,
    max_parallel_requests: 1000,
    max_budget: 100_000,
    budget_duration: '30d',
  });
  const keys = { plain: plain.body.key as string, limited: limited.body.key as string };
  const send = async (key: string): Promise<void> => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: CHAIN_BODY(20),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`chain answered ${res.status}`);
  };
  const warm = async (key: string): Promise<RequestCalls> => {
    await send(key);
    return measure(() => send(key));
  };
  const summary = (calls: RequestCalls) => ({ total: calls.total, events: calls.events, calls: describeCalls(calls) });
  const ready: ChainReady = {
    url: stack.url,
    pid: process.pid,
    keys,
    roundTrips: { plain: summary(await warm(keys.plain)), limited: summary(await warm(keys.limited)) },
  };
  process.stdout.write(JSON.stringify(ready) + '\n');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`chain process failed: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
