/**
 * Helpers for the money and limit end-to-end tests: raw chat calls that keep status, headers and
 * timing, exact USD-string → nano conversion, and direct reads of the spend ledger.
 */
import { Client } from 'pg';
import type { PlanTarget } from '../../lib/plan';
import { catalogPrice, type ModelPrice } from '../../lib/pricing';
import { worstCase } from '../../plugins/aigw-proxy/budget';

export interface ChatResult {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  /** Date.now() when the whole response had arrived. */
  at: number;
}

export async function rawChat(baseUrl: string, key: string, body: Record<string, unknown>): Promise<ChatResult> {
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, headers: res.headers, body: parsed, at: Date.now() };
}

/** Reads a streamed answer until `enough` holds for what arrived, or the stream ends; returns the text. */
export async function readUntil(res: Response, enough: (text: string) => boolean): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!enough(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

export function errorCode(result: ChatResult): string | undefined {
  return (result.body.error as { code?: string } | undefined)?.code ?? undefined;
}

/**
 * "0.000012345" → 12345, exactly (no float multiplication): the gateway prints nano-USD with at
 * most nine decimals, so every cost it shows is a whole number of nano-USD.
 */
export function usdStringToNano(usd: string): number {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(usd.trim());
  if (!match) throw new Error(`not a nano-exact USD amount: ${JSON.stringify(usd)}`);
  return Number(match[1]) * 1e9 + Number((match[2] ?? '').padEnd(9, '0'));
}

/** A JSON number of USD that must be a whole number of nano-USD (usage.cost in streams). */
export function usdNumberToNano(usd: number): number {
  const nano = Math.round(usd * 1e9);
  if (Math.abs(nano - usd * 1e9) > 1e-3) throw new Error(`${usd} USD is not a whole number of nano-USD`);
  return nano;
}

export const MINI_PRICE: ModelPrice = (() => {
  const price = catalogPrice('gpt-4o-mini');
  if (!price) throw new Error('gpt-4o-mini is missing from the price catalogue');
  return price;
})();

/** gpt-4o-mini as deck/kong.yaml configures it (the mock answers in OpenAI's format). */
export const MINI_TARGET: PlanTarget = {
  provider: 'openai',
  baseUrl: 'http://127.0.0.1',
  model: 'gpt-4o-mini',
  credential: null,
  timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 },
  pricing: MINI_PRICE,
};

/** What aigw-proxy reserves for this body on gpt-4o-mini (its only target in deck/kong.yaml), computed by the plugin's own function. */
export function worstCaseFor(body: Record<string, unknown>): number {
  const worst = worstCase('chat.completions', [MINI_TARGET], body);
  if (typeof worst !== 'number') throw new Error(`gpt-4o-mini has no bound: ${worst}`);
  return worst;
}

export interface LedgerRow {
  request_id: string;
  key_id: string | null;
  team_id: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_nano: number | null;
  status: number;
  outcome: string;
  stream: boolean;
  usage_estimated: boolean;
  compression_method: string | null;
  compression_tokens_saved: number;
  compression_saved_nano: number | null;
  cache_hit: 'exact' | 'semantic' | null;
  cache_saved_nano: number | null;
}

export async function ledgerRows(databaseUrl: string, where: { keyIds?: string[]; teamId?: string }): Promise<LedgerRow[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = where.teamId
      ? await client.query('SELECT * FROM aigw_spend_ledger WHERE team_id = $1', [where.teamId])
      : await client.query('SELECT * FROM aigw_spend_ledger WHERE key_id = ANY($1::uuid[])', [where.keyIds ?? []]);
    return result.rows.map((r: Record<string, unknown>) => ({
      request_id: r.request_id as string,
      key_id: r.key_id as string | null,
      team_id: r.team_id as string | null,
      prompt_tokens: r.prompt_tokens as number,
      completion_tokens: r.completion_tokens as number,
      cached_tokens: r.cached_tokens as number,
      // bigint comes back as a string; costs here are far below 2^53.
      cost_nano: r.cost_nano === null ? null : Number(r.cost_nano),
      status: r.status as number,
      outcome: r.outcome as string,
      stream: r.stream as boolean,
      usage_estimated: r.usage_estimated as boolean,
      compression_method: r.compression_method as string | null,
      compression_tokens_saved: r.compression_tokens_saved as number,
      compression_saved_nano: r.compression_saved_nano === null ? null : Number(r.compression_saved_nano),
      cache_hit: r.cache_hit as 'exact' | 'semantic' | null,
      cache_saved_nano: r.cache_saved_nano === null ? null : Number(r.cache_saved_nano),
    }));
  } finally {
    await client.end();
  }
}

/** Polls the ledger until it holds `count` rows (the relay flushes every ~200 ms), then returns them. */
export async function waitForLedger(databaseUrl: string, where: { keyIds?: string[]; teamId?: string }, count: number, timeoutMs = 5000): Promise<LedgerRow[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await ledgerRows(databaseUrl, where);
    if (rows.length >= count || Date.now() > until) {
      // One more flush interval: a late, unexpected row must be seen too.
      await new Promise((r) => setTimeout(r, 400));
      return ledgerRows(databaseUrl, where);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
