/**
 * The cost of the worst prompts a client can send within the body limit (4 MiB, aigw-proxy's and
 * aigw-virtual-key's default), through the whole gateway with a key whose rpm, tpm and budget
 * are enforced (so both plugins bound and estimate its tokens), next to plain prose of the same
 * size. Before the linear-time counting, 100 KB of random letters cost 2.25 s of plugin-server
 * CPU and 200 KB froze every request for 14-21 s.
 */
import type { Pool } from 'undici';
import { percentile } from './load';

export interface PathologicalRow {
  body: string;
  bytes: number;
  p50Ms: number;
  maxMs: number;
  /** Slowest of the small requests another client sent meanwhile: does one prompt stall the rest? */
  othersMaxMs: number;
  errors: number;
}

/** Just under the default max_request_body_bytes (4,194,304). */
const TARGET_BYTES = 4_150_000;
const DIRECTIVE = ' [[mock {"tokens":20}]]';

function oneMessage(text: string): string {
  return JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: text + DIRECTIVE }] });
}

const SMALL = oneMessage('Benchmark prompt of a typical short length.');

function randomLetters(bytes: number): string {
  let seed = 7;
  const out: string[] = [];
  for (let i = 0; i < bytes; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    out.push(String.fromCharCode(97 + ((seed >>> 16) % 26)));
  }
  return out.join('');
}

/** name → body; each close to TARGET_BYTES. */
export function pathologicalBodies(): Array<[string, string]> {
  const prose = 'The gateway routes each request to the model its key may use, and bills what it delivered. ';
  const messages = Array.from({ length: 99_000 }, () => ({ role: 'user', content: 'x' }));
  messages.push({ role: 'user', content: `last${DIRECTIVE}` });
  return [
    ['plain prose (size baseline)', oneMessage(prose.repeat(Math.floor(TARGET_BYTES / prose.length)))],
    ['random letters, no spaces (quadratic for BPE)', oneMessage(randomLetters(TARGET_BYTES))],
    ['U+FDFA × 1.38M (NFKC expands each 3-byte character 11×)', oneMessage('\ufdfa'.repeat(Math.floor(TARGET_BYTES / 3)))],
    ['99,000 one-character messages (walk-heavy JSON)', JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 64, messages })],
  ];
}

/** One request's time in ms; throws on anything but a 200. */
async function timed(pool: Pool, key: string, body: string): Promise<number> {
  const start = performance.now();
  const res = await pool.request({
    path: '/v1/chat/completions',
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
  });
  await res.body.arrayBuffer();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  return performance.now() - start;
}

export async function measurePathological(pool: Pool, key: string, requests: number): Promise<PathologicalRow[]> {
  const rows: PathologicalRow[] = [];
  for (const [name, body] of pathologicalBodies()) {
    const times: number[] = [];
    const others: number[] = [];
    let errors = 0;
    let sending = true;
    // Another client keeps sending small requests while the big ones go through.
    const other = (async () => {
      while (sending)
        others.push(
          await timed(pool, key, SMALL).catch(() => {
            errors++;
            return 0;
          }),
        );
    })();
    for (let i = 0; i < requests; i++)
      times.push(
        await timed(pool, key, body).catch(() => {
          errors++;
          return NaN;
        }),
      );
    sending = false;
    await other;
    const ok = times.filter((t) => !Number.isNaN(t));
    rows.push({ body: name, bytes: Buffer.byteLength(body), p50Ms: percentile(ok, 50), maxMs: Math.max(...ok), othersMaxMs: Math.max(...others), errors });
  }
  return rows;
}

export function pathologicalMarkdown(rows: PathologicalRow[], requests: number): string {
  const base = rows[0];
  const lines = [
    `Whole gateway, key with rpm, tpm and budget enforced, ${requests} sequential requests per body (each body ≈ 4 MB, just under the default limit; the mock answers 20 tokens), while another client sends small requests.`,
    '',
    '| prompt | bytes | p50 ms | max ms | vs plain prose p50 ms | small requests meanwhile, max ms | errors |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const added = row === base ? '' : (row.p50Ms - base.p50Ms).toFixed(1);
    lines.push(`| ${row.body} | ${row.bytes} | ${row.p50Ms.toFixed(1)} | ${row.maxMs.toFixed(1)} | ${added} | ${row.othersMaxMs.toFixed(1)} | ${row.errors} |`);
  }
  return lines.join('\n') + '\n';
}
