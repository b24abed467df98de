/**
 * The request log end to end through the gateway: a success, a stream, a failover (both attempts
 * listed), a rate-limit refusal (aigw-virtual-key) and a budget refusal (aigw-proxy) each become
 * one row with the right answered_by, status, error_type and error_code; tokens and cost join in
 * from the ledger; the trace id comes from the client's traceparent; an unauthenticated 401 is
 * never written; and `aigw logs` finds a request by the x-kong-request-id the client got and
 * filters as documented.
 *
 * How it can fail: a refusal path that writes nothing (or writes for unknown keys), attempts not
 * collected across failover, an error_type computed outside lib/observability/error-type.ts that
 * disagrees with it, the CLI's filters not reaching the API.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { CacheStore } from '../../lib/semantic-cache/store';
import { mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitForFill } from './cache-helpers';
import { loggedRequest, uniqueName, withLedgerRow } from './helpers';

const run = promisify(execFile);
let stack: DevStack;
let redis: Redis;

beforeAll(async () => {
  // The semantic cache on the chat routes: it answers only keys with a team (its namespace), so
  // the team-less keys below always reach the relay.
  stack = await startDevStack({ env: {}, cache: true });
  redis = new Redis(stack.stores.redisUrl);
}, 90_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
}, 30_000);

// biome-ignore lint/suspicious/noExplicitAny: JSON the test inspects freely
type Json = any;

async function aigw(...args: string[]): Promise<Json> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'aigw.js'), ...args, '--json'], {
    env: { PATH: process.env.PATH ?? '', AIGW_ADMIN_URL: stack.url, AIGW_ADMIN_KEY: stack.adminKey },
  });
  return JSON.parse(stdout);
}

async function createKey(fields: Record<string, unknown>): Promise<{ key: string; id: string; alias: string }> {
  const alias = uniqueName('reqlog');
  const created = await stack.admin('POST', '/admin/keys', { key_alias: alias, ...fields });
  if (created.status !== 201) throw new Error(`key creation answered ${created.status}: ${JSON.stringify(created.body)}`);
  return { key: created.body.key as string, id: created.body.id as string, alias };
}

/** One chat call; returns the status and the request id the gateway gave the client. */
async function chat(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; id: string }> {
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  const id = res.headers.get('x-kong-request-id');
  if (!id) throw new Error('the gateway gave no x-kong-request-id');
  return { status: res.status, id };
}

const logged = (id: string, ready?: (row: Json) => boolean): Promise<Json> => loggedRequest(stack, id, ready);

const ask = (text: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'gpt-4o-mini',
  max_tokens: 64,
  messages: [{ role: 'user', content: `${text} ${mockDirective({ tokens: 5 })}` }],
  ...extra,
});

localOnly('faults are scripted on the mock providers').describe('request log through the gateway', () => {
  let user: { key: string; id: string; alias: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack.mock.reset();
    user = await createKey({ rpm_limit: 4 });
  });

  test('a success: answered by the relay, one attempt, tokens and cost from the ledger, the client trace id', async () => {
    const traceId = randomBytes(16).toString('hex');
    const r = await chat(user.key, ask('hello'), { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(r.status).toBe(200);
    ids.success = r.id;
    const row = await logged(r.id, withLedgerRow);
    expect(row).toMatchObject({
      request_id: r.id,
      key_id: user.id,
      key_alias: user.alias,
      answered_by: 'relay',
      endpoint: 'chat.completions',
      client_format: 'openai',
      model: 'gpt-4o-mini',
      status: 200,
      outcome: 'ok',
      error_type: null,
      stream: false,
      attempt_count: 1,
      trace_id: traceId,
    });
    expect(row.attempts).toEqual([expect.objectContaining({ result: 'ok', status: 200, error_type: null })]);
    expect(row.usage.completion_tokens).toBe(5);
    expect(row.cost_usd).toBeGreaterThan(0);
    expect(row.latency_ms.total).toBeGreaterThanOrEqual(row.latency_ms.provider);
    expect(row.latency_ms.overhead).toBe(row.latency_ms.total - row.latency_ms.provider);
  });

  test('a stream: stream true, a first byte time', async () => {
    const r = await chat(user.key, ask('stream please', { stream: true }));
    expect(r.status).toBe(200);
    ids.stream = r.id;
    const row = await logged(r.id);
    expect(row).toMatchObject({ stream: true, status: 200, error_type: null, attempt_count: 1 });
    expect(row.latency_ms.first_byte).toEqual(expect.any(Number));
  });

  test('a failover: both attempts listed in order, the second answering', async () => {
    stack.mock.reset();
    // The first target (Claude) answers a context-window overflow: the relay fails over at once.
    stack.mock.enqueue({ status: 400 });
    const r = await chat(user.key, { model: 'smart', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] });
    expect(r.status).toBe(200);
    ids.failover = r.id;
    const row = await logged(r.id);
    expect(row).toMatchObject({ model: 'smart', provider: 'openai', status: 200, error_type: null, attempt_count: 2 });
    expect(row.attempts).toEqual([
      expect.objectContaining({ provider: 'anthropic', result: 'context_window', status: 400, error_type: 'caller' }),
      expect.objectContaining({ provider: 'openai', result: 'ok', status: 200, error_type: null }),
    ]);
  });

  test('an unauthenticated 401 is never written; a rate-limit refusal is, as policy, by aigw-virtual-key', async () => {
    const stranger = await chat(`sk-aigw-${randomBytes(20).toString('hex')}`, ask('who am I'));
    expect(stranger.status).toBe(401);
    // Three requests so far on a 4 rpm key: the fourth passes, the fifth is refused.
    expect((await chat(user.key, ask('fourth'))).status).toBe(200);
    const refused = await chat(user.key, ask('fifth'));
    expect(refused.status).toBe(429);
    ids.rateLimited = refused.id;
    const row = await logged(refused.id);
    expect(row).toMatchObject({
      answered_by: 'aigw-virtual-key',
      key_id: user.id,
      status: 429,
      error_type: 'policy',
      error_code: 'rate_limit_exceeded',
      // An rpm-only key's request is refused before its body is read: the model is not known.
      model: null,
      endpoint: 'chat.completions',
      attempt_count: 0,
      usage: null,
    });
    // The same process wrote (or would have written) the 401 first: it is not there.
    expect((await stack.admin('GET', `/admin/requests/${stranger.id}`)).status).toBe(404);
  });

  test('a budget refusal is written by aigw-proxy, as policy', async () => {
    const poor = await createKey({ max_budget: 0.000001 });
    const r = await chat(poor.key, ask('too dear'));
    expect(r.status).toBe(429);
    const row = await logged(r.id);
    expect(row).toMatchObject({ answered_by: 'aigw-proxy', key_id: poor.id, status: 429, error_type: 'policy', error_code: 'budget_exceeded', usage: null });
  });

  test('a cache miss is relayed and marked; the exact hit after it is answered by aigw-semantic-cache', async () => {
    const team = await stack.admin('POST', '/admin/teams', { name: uniqueName('reqlog-cache') });
    const teamId = team.body.id as string;
    const member = await createKey({ team: teamId });
    const body = ask('cache me');
    const first = await chat(member.key, body);
    expect(first.status).toBe(200);
    expect(await logged(first.id)).toMatchObject({ answered_by: 'relay', team_id: teamId, cache: 'miss' });
    await waitForFill(new CacheStore(redis), teamId, 'openai', body);
    const second = await chat(member.key, body);
    expect(second.status).toBe(200);
    const hit = await logged(second.id);
    expect(hit).toMatchObject({
      answered_by: 'aigw-semantic-cache',
      team_id: teamId,
      key_id: member.id,
      model: 'gpt-4o-mini',
      endpoint: 'chat.completions',
      status: 200,
      error_type: null,
      cache: 'exact',
      attempt_count: 0,
      provider: null,
    });
    // The hit's ledger row: no provider tokens, nothing charged.
    expect((await logged(second.id, withLedgerRow)).cost_usd).toBe(0);
  });

  test('aigw logs finds a request by the id the client got, and filters as documented', async () => {
    const one = await aigw('logs', ids.failover!);
    expect(one).toMatchObject({ request_id: ids.failover, attempt_count: 2 });
    const mine = await aigw('logs', '--key', user.alias);
    expect(mine.data.map((r: Json) => r.request_id)).toEqual(expect.arrayContaining([ids.success, ids.stream, ids.failover, ids.rateLimited]));
    // Newest first.
    const times = mine.data.map((r: Json) => Date.parse(r.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const policy = await aigw('logs', '--key', user.alias, '--error-type', 'policy');
    expect(policy.data.map((r: Json) => r.request_id)).toEqual([ids.rateLimited]);
    const limited = await aigw('logs', '--key', user.alias, '--status', '429', '--since', '10m');
    expect(limited.data.map((r: Json) => r.request_id)).toEqual([ids.rateLimited]);
    const smart = await aigw('logs', '--key', user.alias, '--model', 'smart');
    expect(smart.data.map((r: Json) => r.request_id)).toEqual([ids.failover]);
    const nothingYet = await aigw('logs', '--key', user.alias, '--until', '2000-01-01T00:00:00Z');
    expect(nothingYet.data).toEqual([]);
  });
});
