/**
 * Every process's metrics, scraped as Prometheus scrapes them: the four plugin servers (each on
 * the loopback port AIGW_PLUGIN_METRICS_PORTS gives it), the relay and the control API. Traffic:
 * a success, a stream, an unknown key (401), a key over its rpm limit (429) and a team over its
 * budget (429). Each request is counted once, by whoever answered it, with who the error is on.
 *
 * How it can fail: a refusal counted by the wrong process or not at all, an error_type that blames
 * the wrong party (a limit as the caller's, a bad key as the gateway's), team labels missing
 * because the identity or the plan lost the team's name, a plugin server that never listens, a
 * control API whose scrape fails or leaves out the budgeted team.
 */

import { mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { freePortsForLater } from '../harness/stores/ports';
import { waitFor } from '../harness/wait-for';
import { rawChat } from './billing-helpers';
import { uniqueName } from './helpers';

const local = localOnly('starts its own plugin servers with metrics ports');

const PLUGINS = ['aigw-virtual-key', 'aigw-semantic-cache', 'aigw-prompt-compressor', 'aigw-proxy'] as const;
type Plugin = (typeof PLUGINS)[number];

let stack: DevStack;
const ports = {} as Record<Plugin, number>;

beforeAll(async () => {
  const free = await freePortsForLater(PLUGINS.length);
  PLUGINS.forEach((plugin, i) => (ports[plugin] = free[i]!));
  stack = await startDevStack({
    env: {},
    cache: true,
    // The compressor's plugin server runs only on routes that have it, which need the sidecar.
    inference: { env: { INFERENCE_BUILTIN_EMBEDDER: 'false' } },
    pluginMetricsPorts: PLUGINS.map((plugin) => `${plugin}=${ports[plugin]}`).join(','),
  });
}, 180_000);

afterAll(async () => {
  await stack?.close().catch(() => undefined);
}, 60_000);

/** The sum of a metric's series whose labels include every one given (0 when none). */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(match[4]);
  }
  return sum;
}

const scrape = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
};
const pluginUrl = (plugin: Plugin): string => `http://127.0.0.1:${ports[plugin]}`;

function body(text: string, extra: Record<string, unknown> = {}, directive: Parameters<typeof mockDirective>[0] = { tokens: 6 }): Record<string, unknown> {
  return { model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: `${text} ${mockDirective(directive)}` }], ...extra };
}

local.describe('metrics from every process', () => {
  test('a success, a stream, a 401, a rate-limit and a budget refusal: each counted once, by whoever answered, with its error_type', async () => {
    const team = await stack.admin('POST', '/admin/teams', { name: uniqueName('metrics-team') });
    const broke = await stack.admin('POST', '/admin/teams', { name: uniqueName('metrics-broke'), max_budget: 0.000001 });
    expect([team.status, broke.status]).toEqual([201, 201]);
    const teamName = team.body.name as string;
    const brokeName = broke.body.name as string;
    const limited = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('metrics-rpm'), team: team.body.id, rpm_limit: 1 });
    const streaming = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('metrics-stream'), team: team.body.id });
    const poor = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('metrics-poor'), team: broke.body.id });
    expect([limited.status, streaming.status, poor.status]).toEqual([201, 201, 201]);

    const ok = await rawChat(stack.url, limited.body.key as string, body('hello'));
    const overRpm = await rawChat(stack.url, limited.body.key as string, body('hello again'));
    const unknownKey = await rawChat(stack.url, 'sk-aigw-not-a-key-0000000000000000', body('who am I'));
    const overBudget = await rawChat(stack.url, poor.body.key as string, body('spend'));
    expect([ok.status, overRpm.status, unknownKey.status, overBudget.status]).toEqual([200, 429, 401, 429]);
    expect([overRpm.body, overBudget.body].map((b) => (b.error as { code?: string }).code)).toEqual(['rate_limit_exceeded', 'budget_exceeded']);
    const stream = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${streaming.body.key as string}` },
      // 50 tokens a second: content chunks 20 ms apart.
      body: JSON.stringify(body('stream me', { stream: true }, { tokens: 6, tokensPerSecond: 50 })),
    });
    expect(stream.status).toBe(200);
    expect(await stream.text()).toContain('[DONE]');

    // aigw-virtual-key answered the 401 (the caller's) and the rpm refusal (a policy).
    const keyText = await scrape(pluginUrl('aigw-virtual-key'));
    const byKeyPlugin = { answered_by: 'aigw-virtual-key', route: 'chat.completions', client_format: 'openai' };
    expect(value(keyText, 'aigw_requests_total', { ...byKeyPlugin, status: '401', error_type: 'caller', team: '' })).toBe(1);
    expect(value(keyText, 'aigw_requests_total', { ...byKeyPlugin, status: '429', error_type: 'policy', team: teamName, key: '' })).toBe(1);
    expect(value(keyText, 'aigw_requests_total', { status: '200' })).toBe(0); // admitted requests are someone else's to count
    expect(value(keyText, 'aigw_policy_refusals_total', { policy: 'rpm', team: teamName, key: '' })).toBe(1);
    expect(value(keyText, 'aigw_plugin_duration_seconds_count', { plugin: 'aigw-virtual-key', phase: 'access' })).toBeGreaterThanOrEqual(5);
    expect(value(keyText, 'aigw_identity_unverified_total')).toBe(0);
    expect(keyText).toMatch(/^nodejs_eventloop_lag_seconds /m);

    // aigw-proxy answered the budget refusal (a policy), for a configured model.
    const proxyText = await scrape(pluginUrl('aigw-proxy'));
    const byProxy = { answered_by: 'aigw-proxy', model: 'gpt-4o-mini', status: '429', error_type: 'policy', team: brokeName };
    expect(value(proxyText, 'aigw_requests_total', byProxy)).toBe(1);
    expect(value(proxyText, 'aigw_policy_refusals_total', { policy: 'budget', team: brokeName })).toBe(1);
    expect(value(proxyText, 'aigw_identity_unverified_total')).toBe(0);

    // The cache and the compressor answered nothing here, but serve their series and their time.
    const cacheText = await scrape(pluginUrl('aigw-semantic-cache'));
    expect(value(cacheText, 'aigw_cache_lookups_total')).toBeGreaterThanOrEqual(2);
    expect(value(cacheText, 'aigw_requests_total')).toBe(0);
    const compressorText = await scrape(pluginUrl('aigw-prompt-compressor'));
    expect(value(compressorText, 'aigw_plugin_duration_seconds_count', { plugin: 'aigw-prompt-compressor' })).toBeGreaterThanOrEqual(2);

    // The relay answered the success and the stream, with the team's name, in ours and Kong's terms.
    let relayText = '';
    await waitFor(
      async () => {
        relayText = await scrape(stack.relay.url);
        return value(relayText, 'aigw_requests_total', { answered_by: 'relay' }) >= 2 ? true : undefined;
      },
      5000,
      'the relay to record both answers',
    );
    const byRelay = { answered_by: 'relay', model: 'gpt-4o-mini', provider: 'openai', status: '200', error_type: '', team: teamName };
    expect(value(relayText, 'aigw_requests_total', { ...byRelay, stream: 'false' })).toBe(1);
    expect(value(relayText, 'aigw_requests_total', { ...byRelay, stream: 'true' })).toBe(1);
    expect(value(relayText, 'aigw_requests_total', { answered_by: 'relay' })).toBe(2); // refusals never reached it
    expect(value(relayText, 'aigw_relay_tokens_total', { team: teamName, type: 'completion' })).toBeGreaterThanOrEqual(12);
    expect(value(relayText, 'aigw_relay_cost_usd_total', { team: teamName })).toBeGreaterThan(0);
    expect(value(relayText, 'kong_ai_llm_requests_total', { ai_provider: 'openai', ai_model: 'gpt-4o-mini', workspace: 'default' })).toBe(2);
    expect(value(relayText, 'kong_ai_llm_tokens_total', { token_type: 'completion_tokens' })).toBeGreaterThanOrEqual(12);
    expect(value(relayText, 'aigw_relay_inter_token_seconds_count')).toBe(1); // one observation per stream
    expect(value(relayText, 'aigw_relay_inter_token_seconds_sum')).toBeGreaterThan(0.01);
    expect(value(relayText, 'aigw_relay_inter_token_seconds_sum')).toBeLessThan(0.5);
    expect(value(relayText, 'aigw_relay_overhead_seconds_count')).toBe(2);
    expect(value(relayText, 'aigw_relay_provider_seconds_count')).toBe(2);

    // The control API, on its own port: the budgeted team's utilisation and spend, its requests by route pattern.
    const controlText = await scrape(stack.control.url);
    expect(controlText).toMatch(new RegExp(`^aigw_team_budget_utilisation_ratio\\{team="${brokeName}"\\} 0$`, 'm'));
    expect(controlText).toMatch(new RegExp(`^aigw_team_spend_usd\\{team="${brokeName}",window="day"\\} 0$`, 'm'));
    expect(controlText).not.toContain(`team="${teamName}"`); // no budget, no gauge
    expect(value(controlText, 'aigw_control_requests_total', { route: '/admin/teams', method: 'POST', status: '201' })).toBeGreaterThanOrEqual(2);
    expect(value(controlText, 'aigw_control_requests_total', { route: '/admin/keys', method: 'POST', status: '201' })).toBeGreaterThanOrEqual(3);
    expect(value(controlText, 'aigw_store_errors_total')).toBe(0);
  });
});
