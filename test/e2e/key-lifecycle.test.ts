/**
 * A key's life end to end through Kong, as an operator and a developer live it: created with the
 * `aigw` CLI, used with the official openai client on two gateway nodes (each its own test
 * ingress, plugin servers, relay and control API, sharing Redis and PostgreSQL), its spend seen
 * in `keys info`, rotated, then revoked — and the revocation reaching the OTHER node's cache
 * within a second through Redis pub/sub. Against a remote gateway both nodes are that gateway.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import { type DevStack, type SharedStores, startDevStack, startSharedStores } from '../harness/stack/stack';
import { uniqueName } from './helpers';

const run = promisify(execFile);
let stores: SharedStores;
let nodeA: DevStack;
let nodeB: DevStack;

async function aigw(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'aigw.js'), ...args, '--json'], {
    env: { PATH: process.env.PATH ?? '', AIGW_ADMIN_URL: nodeA.url, AIGW_ADMIN_KEY: stores.adminKey },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

function clientFor(node: DevStack, key: string): OpenAI {
  return new OpenAI({ baseURL: `${node.url}/v1`, apiKey: key, maxRetries: 0 });
}

async function chat(node: DevStack, key: string): Promise<{ status: number; cost: string | null }> {
  const res = await fetch(`${node.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: `hello ${mockDirective({ tokens: 8 })}` }] }),
  });
  await res.arrayBuffer();
  return { status: res.status, cost: res.headers.get('x-gateway-cost') };
}

/**
 * Probes the node with the key for `probeMs` after `since`; returns how long after `since` the
 * last probe the node still served was sent (0 when none was). Timed by when each probe was
 * sent, not when it was answered, so a slow answer on a loaded machine does not count against
 * the node; a refusal is not the end, so a key served again after one is caught too.
 */
async function lastServedAfter(node: DevStack, key: string, since: number, probeMs: number): Promise<number> {
  let last = 0;
  while (Date.now() - since < probeMs) {
    const sentAt = Date.now();
    const { status } = await chat(node, key);
    expect([200, 401]).toContain(status);
    if (status === 200) last = sentAt - since;
    await new Promise((r) => setTimeout(r, 25));
  }
  return last;
}

beforeAll(async () => {
  stores = await startSharedStores();
  nodeA = await startDevStack({ env: {}, stores });
  nodeB = await startDevStack({ env: {}, stores });
}, 90_000);

afterAll(async () => {
  await nodeB?.close();
  await nodeA?.close();
  await stores?.stop();
});

it('lives through create, use, spend, rotate and revoke, with changes reaching the other node within a second', async () => {
  const created = await aigw('keys', 'create', '--alias', uniqueName('lifecycle'), '--max-budget', '5', '--budget-duration', '30d', '--models', 'gpt-4o-mini');
  const id = created.id as string;
  const firstSecret = created.key as string;
  expect(firstSecret).toMatch(/^sk-aigw-/);

  // The openai client on node A, then a call on node B so B holds the key in its cache.
  const completion = await clientFor(nodeA, firstSecret)
    .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
    .withResponse();
  expect(completion.data.choices).toHaveLength(1);
  const firstCost = Number(completion.response.headers.get('x-gateway-cost'));
  expect(firstCost).toBeGreaterThan(0);
  const onB = await chat(nodeB, firstSecret);
  expect(onB.status).toBe(200);

  // Models outside the key's list are refused.
  await expect(clientFor(nodeA, firstSecret).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({
    status: 403,
    code: 'model_not_allowed',
  });

  // Spend appears in key info once the relays' ledger batches are written.
  const expectedSpend = firstCost + Number(onB.cost);
  let info: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) {
    info = await aigw('keys', 'info', id);
    if (Number(info.spend) >= expectedSpend - 1e-9) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(Number(info.spend)).toBeCloseTo(expectedSpend, 9);
  expect(Number(info.remaining_budget)).toBeCloseTo(5 - expectedSpend, 9);

  // Rotate without grace: the new secret works at once, the old one stops on node B within a second.
  const rotated = await aigw('keys', 'rotate', id);
  const rotatedAt = Date.now();
  const secondSecret = rotated.key as string;
  expect(secondSecret).not.toBe(firstSecret);
  expect((await chat(nodeA, secondSecret)).status).toBe(200);
  // Nothing sent 500 ms after the rotation returned is served: faster than the 1 s trust a cache
  // gives itself when invalidations cannot arrive.
  expect(await lastServedAfter(nodeB, firstSecret, rotatedAt, 1500)).toBeLessThan(500);

  // Warm node B with the new secret, revoke through node A, and B refuses within a second.
  expect((await chat(nodeB, secondSecret)).status).toBe(200);
  await aigw('keys', 'revoke', id);
  expect(await lastServedAfter(nodeB, secondSecret, Date.now(), 1500)).toBeLessThan(500);
  const refused = clientFor(nodeB, secondSecret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  await expect(refused).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  await expect(refused).rejects.toMatchObject({ code: 'revoked_api_key' });
}, 60_000);

it('keeps the old secret working during a rotation grace period', async () => {
  const created = await aigw('keys', 'create', '--alias', uniqueName('graceful'));
  const oldSecret = created.key as string;
  expect((await chat(nodeB, oldSecret)).status).toBe(200);
  const rotated = await aigw('keys', 'rotate', created.id as string, '--grace', '1h');
  expect((await chat(nodeB, rotated.key as string)).status).toBe(200);
  expect((await chat(nodeB, oldSecret)).status).toBe(200);
});

it('refuses the admin API to user keys and to callers without a key', async () => {
  const created = await aigw('keys', 'create', '--alias', uniqueName('not-an-admin'));
  const asUser = await fetch(`${nodeB.url}/admin/keys`, { headers: { authorization: `Bearer ${created.key as string}` } });
  expect(asUser.status).toBe(403);
  const anonymous = await fetch(`${nodeB.url}/admin/keys`);
  expect(anonymous.status).toBe(401);
});

localOnly("calls the control API directly; in the compose stack it listens on Kong's loopback").it('refuses an admin key that skips Kong', async () => {
  // Nothing on the host can skip Kong: the control API itself wants the identity Kong signs.
  const direct = await fetch(`${nodeB.control.url}/admin/keys`, { headers: { authorization: `Bearer ${stores.adminKey}` } });
  expect(direct.status).toBe(401);
});
