/**
 * The dashboards answer from real data: the dev stack with every plugin server's metrics port,
 * the inference sidecar and the cache, scraped by a real Prometheus (Debian's) every second.
 * Traffic covers what the panels show (a success, a stream, a failover, every target failing, a
 * budget refusal, a rate-limit refusal, a cache hit and a guard veto, a compression, a request
 * reaching the relay without a plan, and optimisations failing open while the sidecar is frozen); then
 * every query of every panel is asked of Prometheus, and every series selector in panels, template
 * variables and alerts must match something. All that return nothing are listed together.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mockDirective } from '../harness/mock-provider/directive';
import {
  alertRules,
  panelKey,
  panelQueries,
  REAL_KONG_ONLY_PANELS,
  seriesSelectors,
  templateVariables,
  withVariables,
} from '../harness/observability/dashboards';
import { REPO_ROOT } from '../harness/repo-root';
import { pluginConfigs } from '../harness/stack/deck-for-dev';
import { pluginPorts, type RunningPrometheus, startPrometheus } from '../harness/stack/prometheus';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { freePortsForLater } from '../harness/stores/ports';
import { waitFor } from '../harness/wait-for';
import { rawChat } from './billing-helpers';
import { uniqueName } from './helpers';

const local = localOnly('starts its own Prometheus scraping the stack it starts');

let stack: DevStack;
let prometheus: RunningPrometheus;
const startedAt = Date.now() / 1000;

/** Every plugin's server on its own metrics port, as the compose stack runs them. */
async function allPluginPorts(): Promise<string> {
  const plugins = readdirSync(join(REPO_ROOT, 'plugins')).filter((p) => !p.startsWith('.') && statSync(join(REPO_ROOT, 'plugins', p)).isDirectory());
  const ports = await freePortsForLater(plugins.length + 1);
  return plugins.map((plugin, i) => `${plugin}=${ports[i]}`).join(',');
}

beforeAll(async () => {
  const spec = await allPluginPorts();
  stack = await startDevStack({
    env: {},
    cache: true,
    inference: { env: { INFERENCE_WORKERS: '1' } },
    pluginMetricsPorts: spec,
    // What is tested is that series exist, not speed: a loaded machine must not turn work into
    // fail-opens (deadlines are what the frozen sidecar is waited for at the end, too).
    sourceTransform: (deck) => {
      for (const config of pluginConfigs(deck, 'aigw-semantic-cache')) config.embed_deadline_ms = 3000;
      for (const config of pluginConfigs(deck, 'aigw-prompt-compressor')) Object.assign(config, { deadline_ms_per_1k_tokens: 1000, deadline_ms_max: 5000 });
      return deck;
    },
  });
  const host = (url: string): string => new URL(url).host;
  const [port] = await freePortsForLater(1);
  prometheus = await startPrometheus(
    { relay: host(stack.relay.url), control: host(stack.control.url), inference: host(stack.inference!.url), pluginServers: pluginPorts(spec) },
    { port: port!, scrapeInterval: '1s' },
  );
}, 120_000);

afterAll(async () => {
  await prometheus?.close();
  await stack?.close();
}, 30_000);

async function promApi<T>(path: string): Promise<{ status: string; error?: string; data: T }> {
  return (await (await fetch(`${prometheus.url}${path}`)).json()) as { status: string; error?: string; data: T };
}

const instant = (expr: string) => promApi<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);

const chat = (text: string, extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], ...extra });

async function createKey(fields: Record<string, unknown>): Promise<string> {
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('dash'), ...fields });
  if (created.status !== 201) throw new Error(`key creation answered ${created.status}: ${JSON.stringify(created.body)}`);
  return created.body.key as string;
}

async function createTeam(fields: Record<string, unknown>): Promise<string> {
  const team = await stack.admin('POST', '/admin/teams', { name: uniqueName('dash-team'), ...fields });
  if (team.status !== 201) throw new Error(`team creation answered ${team.status}: ${JSON.stringify(team.body)}`);
  return team.body.id as string;
}

/** Asks until the cache answers (the relay fills after the answer). */
async function untilCacheHit(key: string, body: Record<string, unknown>): Promise<void> {
  await waitFor(
    async () => {
      const r = await rawChat(stack.url, key, body);
      return r.headers.get('x-cache-status') === 'Hit' || undefined;
    },
    10_000,
    'a cache hit',
  );
}

/** A long report where one sentence answers the question: the compressor has something to remove. */
function longPrompt(): string {
  const lines: string[] = [];
  for (let week = 1; week <= 10; week++) {
    for (const service of ['checkout', 'search', 'billing', 'inventory', 'shipping', 'identity']) {
      lines.push(
        `During week ${week} the ${service} service handled about ${1000 + week * 37} requests per minute, and the team reviewed its dashboards on Thursday.`,
      );
    }
  }
  lines.splice(20, 0, 'The root cause of the March outage was an expired TLS certificate, renewed by Dana Whitfield at 04:12 UTC.');
  return `${lines.join(' ')}\n\n<aigw:keep>${mockDirective({ tokens: 5 })}</aigw:keep>\n\nWhat was the root cause of the March outage?`;
}

async function driveTraffic(): Promise<void> {
  const teamId = await createTeam({ max_budget: 100 });
  const key = await createKey({ team: teamId });

  // A success and a stream.
  expect((await rawChat(stack.url, key, chat(`A plain question. ${mockDirective({ tokens: 8 })}`))).status).toBe(200);
  const stream = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    // Paced: all tokens in one read would leave no gap to measure (inter-token latency).
    body: JSON.stringify(chat(`A streamed question. ${mockDirective({ tokens: 20, tokensPerSecond: 200 })}`, { stream: true })),
  });
  expect(stream.status).toBe(200);
  expect(await stream.text()).toContain('[DONE]');

  // A provider failure with retry and failover (smart: Claude, then GPT-4o, then Gemini).
  stack.mock.enqueue({ status: 500 }, { status: 500 });
  const failover = await rawChat(stack.url, key, { ...chat('Fail over, please.'), model: 'smart', max_tokens: 50 });
  expect(failover.status).toBe(200);
  expect(failover.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o');
  // Every target failing, until a breaker opens (5 net failures of one target: a few such requests).
  for (let i = 0; i < 5 && !/aigw_relay_breaker_transitions_total\{[^}]*state="open"/.test(await (await fetch(`${stack.relay.url}/metrics`)).text()); i++) {
    stack.mock.enqueue(...Array.from({ length: 6 }, () => ({ status: 500 })));
    const allFailed = await rawChat(stack.url, key, { ...chat('Nobody answers.'), model: 'smart', max_tokens: 50 });
    expect(allFailed.status).toBeGreaterThanOrEqual(500);
    stack.mock.reset();
  }

  // A budget refusal and a rate-limit refusal.
  const brokeKey = await createKey({ team: await createTeam({ max_budget: 0.000001 }) });
  const refused = await rawChat(stack.url, brokeKey, chat('Too expensive.'));
  expect([refused.status, (refused.body.error as { code?: string } | undefined)?.code]).toEqual([429, 'budget_exceeded']);
  const limitedKey = await createKey({ rpm_limit: 1 });
  expect((await rawChat(stack.url, limitedKey, chat('First.'))).status).toBe(200);
  expect((await rawChat(stack.url, limitedKey, chat('Second.'))).status).toBe(429);

  // A cache hit, then a reworded question the guards veto.
  const cached = chat(`How do I enable streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`);
  expect((await rawChat(stack.url, key, cached)).status).toBe(200);
  await untilCacheHit(key, cached);
  const negated = await rawChat(stack.url, key, chat(`How do I disable streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`));
  expect(negated.headers.get('x-cache-status')).toBe('Miss');

  // A compression.
  const compressed = await rawChat(stack.url, key, chat(longPrompt(), { max_tokens: 20 }));
  expect(compressed.status).toBe(200);
  expect(compressed.headers.get('x-aigw-compression')).toMatch(/original=\d+; compressed=\d+/);

  // A request that reaches the relay without a signed plan (what auth failing open would look like).
  const unplanned = await fetch(`${stack.relay.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(chat('No plan.')),
  });
  expect(unplanned.status).toBe(401);

  // The inference sidecar frozen (SIGSTOP): compression and semantic lookups meet their deadlines
  // and fail open, and say so; thawed, it serves (and is scraped) again.
  stack.inference!.process.kill('SIGSTOP');
  try {
    const failedOpen = await rawChat(stack.url, key, chat(`${longPrompt()} Again.`, { max_tokens: 20 }));
    expect(failedOpen.status).toBe(200);
    expect(failedOpen.headers.get('x-aigw-compression')).toMatch(/failed=/);
    expect((await rawChat(stack.url, key, chat(`Which port does the relay use? ${mockDirective({ tokens: 4 })}`))).status).toBe(200);
  } finally {
    stack.inference!.process.kill('SIGCONT');
  }
}

/** Waits until every target has been scraped twice since `since` (seconds). */
async function scrapedSince(since: number): Promise<void> {
  await waitFor(
    async () => {
      const r = await instant('min(timestamp(up))');
      const value = (r.data.result[0] as { value?: [number, string] } | undefined)?.value?.[1];
      return value !== undefined && Number(value) > since + 2 ? true : undefined;
    },
    15_000,
    'Prometheus to scrape every target after the traffic',
  );
}

local.describe('dashboards against a real Prometheus', () => {
  test('every query of every dashboard panel returns series, and every series a panel, variable or alert reads exists', async () => {
    await driveTraffic();
    await scrapedSince(Date.now() / 1000);

    const problems: string[] = [];
    for (const q of panelQueries()) {
      if (panelKey(q) in REAL_KONG_ONLY_PANELS) continue;
      const expr = withVariables(q.expr);
      const answer = await instant(expr);
      if (answer.status !== 'success') problems.push(`${panelKey(q)} [${q.refId}]: query failed (${answer.error}): ${expr}`);
      else if (answer.data.result.length === 0) problems.push(`${panelKey(q)} [${q.refId}]: no series: ${expr}`);
    }
    const selectors = new Map<string, string>();
    for (const q of panelQueries()) {
      if (!(panelKey(q) in REAL_KONG_ONLY_PANELS)) for (const s of seriesSelectors(withVariables(q.expr))) selectors.set(s, panelKey(q));
    }
    for (const rule of alertRules()) for (const s of seriesSelectors(rule.expr)) selectors.set(s, `alert ${rule.alert}`);
    for (const v of templateVariables()) selectors.set(v.metric, `variable ${v.dashboard} $${v.name}`);
    for (const [selector, where] of selectors) {
      const found = await promApi<unknown[]>(`/api/v1/series?match[]=${encodeURIComponent(selector)}&start=${startedAt}`);
      if (found.status !== 'success' || found.data.length === 0) problems.push(`${where}: no series match ${selector}`);
    }
    if (problems.length > 0) throw new Error(`${problems.length} dashboard queries or selectors found nothing:\n${problems.join('\n')}`);
    expect(problems).toEqual([]);
  }, 90_000);
});
