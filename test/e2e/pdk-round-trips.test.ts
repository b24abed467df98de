/**
 * PDK round trips per request through the whole chain (aigw-virtual-key + aigw-proxy, access and
 * log), counted by the Kong test double. Every PDK call is a socket round trip to a single-threaded
 * plugin server, so these lists are pinned: a new call must show up here, on purpose.
 */

import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { describeCalls, pdkCallMeter, type RequestCalls } from './pdk-calls';

const local = localOnly('counts PDK calls inside the Kong test double');

const measure = pdkCallMeter();
let stack: DevStack;
let plainKey: string;
let limitedKey: string;

const chat = JSON.stringify({
  model: 'gpt-4o-mini',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'Count my round trips. [[mock {"tokens":3}]]' }],
});

async function send(path: string, init: { method?: string; key?: string; body?: string } = {}): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  const res = await fetch(stack.url + path, { method: init.method ?? (init.body ? 'POST' : 'GET'), headers, body: init.body });
  await res.arrayBuffer();
  return res.status;
}

/** The second of two identical requests: the key is in the plugin's cache, connections are open. */
async function warm(path: string, init: Parameters<typeof send>[1], status: number): Promise<RequestCalls> {
  expect(await send(path, init)).toBe(status);
  let seen = 0;
  const calls = await measure(async () => {
    seen = await send(path, init);
  });
  expect(seen).toBe(status);
  return calls;
}

beforeAll(async () => {
  stack = await startDevStack({ env: {} });
  const plain = await stack.admin('POST', '/admin/keys', { key_alias: 'round-trips-plain' });
  const limited = await stack.admin('POST', '/admin/keys', {
    key_alias: 'round-trips-limited',
    rpm_limit: 1000,
    tpm_limit: 1_000_000,
    max_parallel_requests: 4,
    max_budget: 100,
    budget_duration: '30d',
  });
  expect([plain.status, limited.status]).toEqual([201, 201]);
  plainKey = plain.body.key as string;
  limitedKey = limited.body.key as string;
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** The goal for a warm key with every limit: the chain's PDK calls, access and log together. */
const MAX_ROUND_TRIPS_WITH_LIMITS = 12;

local.describe('PDK round trips per request, whole chain', () => {
  it('warm key without limits: 10', async () => {
    const calls = await warm('/v1/chat/completions', { key: plainKey, body: chat }, 200);
    expect(describeCalls(calls)).toEqual([
      'aigw-virtual-key access: request.get_headers, nginx.get_var, client.authenticate, ctx.shared.set',
      'aigw-proxy access: request.get_path, ctx.shared.get, request.get_raw_body, service.request.set_headers, service.set_target',
      'aigw-virtual-key log: ctx.shared.get',
    ]);
    expect(calls.total).toBe(10);
  });

  it(`warm key with rpm, tpm, parallel and budget limits: at most ${MAX_ROUND_TRIPS_WITH_LIMITS}`, async () => {
    const calls = await warm('/v1/chat/completions', { key: limitedKey, body: chat }, 200);
    expect(describeCalls(calls)).toEqual([
      // the body for the token estimate; the x-ratelimit-* headers
      'aigw-virtual-key access: request.get_headers, nginx.get_var, client.authenticate, request.get_raw_body, response.set_headers, ctx.shared.set',
      'aigw-proxy access: request.get_path, ctx.shared.get, request.get_raw_body, service.request.set_headers, service.set_target',
      // frees the parallel slot and refunds a reservation the relay never settled
      'aigw-virtual-key log: ctx.shared.get',
    ]);
    expect(calls.total).toBeLessThanOrEqual(MAX_ROUND_TRIPS_WITH_LIMITS);
  });

  it('admin route (GET, no body): 8', async () => {
    const calls = await warm('/admin/keys?limit=1', { key: stack.adminKey }, 200);
    expect(describeCalls(calls)).toEqual([
      'aigw-virtual-key access: request.get_headers, nginx.get_var, client.authenticate, nginx.get_var, request.get_method, request.get_raw_query, service.request.set_headers',
      'aigw-virtual-key log: ctx.shared.get',
    ]);
  });

  // One header read picks the list's shape (Anthropic's SDK sends anthropic-version): a metadata call, not the hot path.
  it('GET /v1/models: 10', async () => {
    const calls = await warm('/v1/models', { key: plainKey }, 200);
    expect(describeCalls(calls)).toEqual([
      'aigw-virtual-key access: request.get_headers, nginx.get_var, client.authenticate, ctx.shared.set',
      'aigw-proxy access: request.get_path, ctx.shared.get, request.get_header, request.get_method, response.exit',
      'aigw-virtual-key log: ctx.shared.get',
    ]);
  });

  it('a refusal (no key): 4', async () => {
    const calls = await warm('/v1/chat/completions', { body: chat }, 401);
    expect(describeCalls(calls)).toEqual([
      // the path only to answer in the shape of the endpoint called
      'aigw-virtual-key access: request.get_headers, request.get_path, response.exit',
      'aigw-virtual-key log: ctx.shared.get',
    ]);
  });
});
