/**
 * The `aigw` CLI end to end: bundled as `make build` bundles it, run as a process against a
 * spawned control API, through a small proxy playing aigw-virtual-key's part (verifies the
 * Bearer key by hash in PostgreSQL and adds the signed identity), since there is no Kong here.
 */

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as netServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { hashKey, KEY_PATTERN } from '../../../lib/api-keys';
import { IDENTITY_HEADER, IDENTITY_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../../lib/headers';
import { signEnvelope } from '../../../lib/signing';
import { insertLedgerRows } from '../../../lib/store/ledger';
import { insertRequestLogRows } from '../../../lib/store/request-log';
import { findKeyByHash, keyStatus } from '../../../lib/store/virtual-keys';
import { bindingOf } from '../../../sidecars/control/auth';
import { REPO_ROOT } from '../../harness/repo-root';
import { freePortsForLater } from '../../harness/stores/ports';
import { startRedis, type TestRedis } from '../../harness/stores/redis';
import { waitFor } from '../../harness/wait-for';
import { requestLogRow as logRow, SECRET, startMigratedDb, type TestDb } from './helpers';

const ROOT = REPO_ROOT;
let db: TestDb;
let redis: TestRedis;
let control: ChildProcess;
let controlUrl: string;
let proxy: Server;
let proxyUrl: string;
let tmp: string;
let cli: string;
let adminKey: string;

/** What aigw-virtual-key does on the /admin route, reduced to the part the control API relies on. */
function startProxy(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const reply = (status: number, message: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message, type: 'authentication_error', code: 'invalid_api_key', param: null } }));
    };
    const raw = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const key = raw ? await findKeyByHash(db.pool, hashKey(raw)) : null;
    if (!key || keyStatus(key) !== 'active') return reply(401, 'Invalid API key');
    const requestId = randomUUID();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const binding = bindingOf({ method: req.method!, target: req.url!, body: Buffer.concat(chunks) });
    const env = signEnvelope({ keyId: key.id, role: key.role, expiresAt: Date.now() + 30_000, ...binding }, requestId, SECRET);
    const upstream = await fetch(controlUrl + req.url, {
      method: req.method,
      headers: {
        'content-type': req.headers['content-type'] ?? 'application/json',
        [IDENTITY_HEADER]: env.payload,
        [IDENTITY_SIGNATURE_HEADER]: env.signature,
        [REQUEST_ID_HEADER]: requestId,
      },
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function aigw(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const fullEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AIGW_ADMIN_URL: proxyUrl,
    AIGW_ADMIN_KEY: adminKey,
    AIGW_DATABASE_URL: db.pg.url,
    AIGW_REDIS_URL: redis.url,
    ...env,
  };
  for (const k of Object.keys(fullEnv)) if (fullEnv[k] === undefined) delete fullEnv[k];
  return new Promise((resolve) => {
    execFile(cli, args, { env: fullEnv, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: a JSON body the test inspects freely
async function json(args: string[], env: Record<string, string | undefined> = {}): Promise<any> {
  const r = await aigw([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`aigw ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  [db, redis] = await Promise.all([startMigratedDb(), startRedis()]);
  // The bundle as `make build` makes it, in a scratch "repository": <tmp>/dist/cli/aigw.js, with
  // <tmp>/lib/db/migrations where the bundle looks for them and <tmp>/.tmp/dev for the dev key.
  tmp = mkdtempSync(path.join(os.tmpdir(), 'aigw-cli-'));
  cli = path.join(tmp, 'dist', 'cli', 'aigw.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'sidecars/control/cli.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
    banner: { js: '#!/usr/bin/env node' },
  });
  // packages stay external: let the bundle resolve them from the repository's node_modules.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
  mkdirSync(path.join(tmp, 'lib', 'db'), { recursive: true });
  symlinkSync(path.join(ROOT, 'lib/db/migrations'), path.join(tmp, 'lib/db/migrations'));
  require('node:fs').chmodSync(cli, 0o755);

  // Bound only once tsx has started the control API: a port the kernel does not hand out meanwhile.
  const [port] = await freePortsForLater(1);
  controlUrl = `http://127.0.0.1:${port}`;
  control = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'sidecars/control/main.ts')], {
    env: {
      PATH: process.env.PATH,
      AIGW_PLAN_SECRET: SECRET,
      AIGW_DATABASE_URL: db.pg.url,
      AIGW_REDIS_URL: redis.url,
      CONTROL_PORT: String(port),
      AIGW_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  control.stderr!.on('data', (d) => (stderr += d));
  for (let i = 0; ; i++) {
    const ok = await fetch(`${controlUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 150 || control.exitCode !== null) throw new Error(`control API did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  proxy = await startProxy();
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  if (control && control.exitCode === null) {
    const exited = new Promise((r) => control.once('exit', r));
    control.kill('SIGTERM');
    await exited;
  }
  await new Promise((r) => (proxy ? proxy.close(r) : r(undefined)));
  await Promise.all([db?.stop(), redis?.stop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('--help prints the commands; an unknown command exits 2', async () => {
  const help = await aigw(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/keys create/);
  expect(help.stdout).toMatch(/admin bootstrap/);
  expect(help.stdout).toMatch(/logs --follow/);
  const bad = await aigw(['keys', 'frobnicate']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/unknown command/);
  const badFlag = await aigw(['keys', 'list', '--colour']);
  expect(badFlag.code).toBe(2);
  // Names Object.prototype carries are not commands either.
  for (const word of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const r = await aigw([word]);
    expect({ word, code: r.code, unknown: /unknown command/.test(r.stderr) }).toEqual({ word, code: 2, unknown: true });
  }
});

test('migrate: the control API already migrated, so nothing is pending', async () => {
  const r = await aigw(['migrate']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/up to date \(schema version \d+\)/);
});

test('admin bootstrap: the key goes to a 0600 file, only its hash to the database; once per alias unless --force', async () => {
  const out = path.join(tmp, '.tmp', 'dev', 'admin-key');
  const r = await aigw(['admin', 'bootstrap', '--out', out], { AIGW_ADMIN_KEY: undefined });
  expect(r.code).toBe(0);
  adminKey = readFileSync(out, 'utf8').trim();
  expect(adminKey).toMatch(KEY_PATTERN);
  expect(statSync(out).mode & 0o777).toBe(0o600);
  expect(r.stdout).not.toContain(adminKey);
  expect(r.stdout).toContain(adminKey.slice(0, 12));
  const stored = await findKeyByHash(db.pool, hashKey(adminKey));
  expect(stored).toMatchObject({ role: 'admin', keyAlias: 'admin' });

  const again = await aigw(['admin', 'bootstrap']);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/already exists.*--force/);

  // --force replaces it: the new key works, the old one no longer does.
  const forced = await json(['admin', 'bootstrap', '--alias', 'admin', '--force']);
  expect(forced.key).toMatch(KEY_PATTERN);
  expect(await findKeyByHash(db.pool, hashKey(adminKey))).toBeNull();
  const denied = await aigw(['teams', 'list']);
  expect(denied.code).toBe(1);
  expect(denied.stderr).toMatch(/Invalid API key/);
  adminKey = forced.key;
  writeFileSync(out, adminKey + '\n', { mode: 0o600 });
});

test('the admin key defaults to .tmp/dev/admin-key in the repository; without any key, a clear error', async () => {
  const viaFile = await aigw(['teams', 'list'], { AIGW_ADMIN_KEY: undefined });
  expect(viaFile.code).toBe(0);
  // With the gateway on another port, `make dev` writes its URL beside the key: the CLI goes there.
  writeFileSync(path.join(tmp, '.tmp', 'dev', 'admin-url'), proxyUrl + '\n');
  const viaDevUrl = await aigw(['teams', 'list'], { AIGW_ADMIN_KEY: undefined, AIGW_ADMIN_URL: undefined });
  expect({ code: viaDevUrl.code, stderr: viaDevUrl.stderr }).toEqual({ code: 0, stderr: '' });
  rmSync(path.join(tmp, '.tmp'), { recursive: true });
  const none = await aigw(['teams', 'list'], { AIGW_ADMIN_KEY: undefined });
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/No admin key/);
});

test('teams and keys: create, list, info, update, rotate, revoke, delete', async () => {
  const team = await json([
    'teams',
    'create',
    'acme',
    '--consumer',
    'acme-c',
    '--max-budget',
    '50',
    '--budget-duration',
    '30d',
    '--models',
    'gpt-4o-mini,gpt-4o',
    '--rpm',
    '600',
  ]);
  expect(team).toMatchObject({ name: 'acme', kong_consumer: 'acme-c', max_budget: 50, models: ['gpt-4o-mini', 'gpt-4o'], rpm_limit: 600 });

  const created = await aigw([
    'keys',
    'create',
    '--team',
    'acme',
    '--max-budget',
    '5',
    '--budget-duration',
    '30d',
    '--rpm',
    '60',
    '--tpm',
    '100000',
    '--parallel',
    '4',
    '--models',
    'gpt-4o-mini',
    '--alias',
    'bot',
    '--user',
    'u1',
    '--role',
    'admin',
    '--expires',
    '30d',
    '--model-aliases',
    'fast=gpt-4o-mini',
  ]);
  expect(created.code).toBe(0);
  const raw = /^key: (sk-aigw-\S+)$/m.exec(created.stdout)![1];
  expect(raw).toMatch(KEY_PATTERN);
  expect(created.stdout).toMatch(/shown once/);
  const stored = (await findKeyByHash(db.pool, hashKey(raw)))!;
  expect(stored).toMatchObject({
    keyAlias: 'bot',
    role: 'admin',
    teamId: team.id,
    userId: 'u1',
    rpmLimit: 60,
    tpmLimit: 100000,
    maxParallelRequests: 4,
    maxBudgetNano: 5e9,
    budgetDuration: '30d',
    allowedModels: ['gpt-4o-mini'],
    modelAliases: { fast: 'gpt-4o-mini' },
  });
  expect(new Date(stored.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);

  const list = await aigw(['keys', 'list', '--team', 'acme']);
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/^ID\s+KEY_PREFIX\s+KEY_ALIAS/);
  expect(list.stdout).toContain('bot');
  expect(list.stdout).not.toContain(raw);

  await insertLedgerRows(db.pool, [
    {
      requestId: randomUUID(),
      keyId: stored.id,
      teamId: team.id,
      userId: 'u1',
      model: 'gpt-4o-mini',
      provider: 'openai',
      providerModel: 'gpt-4o-mini',
      promptTokens: 3,
      completionTokens: 4,
      cachedTokens: 0,
      reasoningTokens: 0,
      costNano: 2_000_000_000,
      status: 200,
      outcome: 'ok',
      stream: true,
      createdAt: Date.now(),
    },
  ]);
  const info = await json(['keys', 'info', stored.id]);
  expect(info).toMatchObject({ id: stored.id, window_spend: 2, remaining_budget: 3 });
  const humanInfo = await aigw(['keys', 'info', stored.id]);
  expect(humanInfo.stdout).toMatch(/^remaining_budget\s+3$/m);

  const updated = await json(['keys', 'update', stored.id, '--rpm', '120', '--tpm', 'none', '--expires', 'never']);
  expect(updated).toMatchObject({ rpm_limit: 120, tpm_limit: null, expires_at: null });

  const rotated = await aigw(['keys', 'rotate', stored.id, '--grace', '1h']);
  expect(rotated.code).toBe(0);
  const next = /^key: (sk-aigw-\S+)$/m.exec(rotated.stdout)![1];
  expect(next).not.toBe(raw);
  expect(rotated.stdout).toMatch(/previous key keeps working until/);
  expect((await findKeyByHash(db.pool, hashKey(raw)))?.id).toBe(stored.id);

  // The rotated admin key itself authenticates through the proxy.
  expect((await aigw(['teams', 'info', team.id], { AIGW_ADMIN_KEY: next })).code).toBe(0);

  const spend = await json(['spend', '--group-by', 'model', '--from', new Date(Date.now() - 3_600_000).toISOString()]);
  expect(spend.data).toEqual([expect.objectContaining({ model: 'gpt-4o-mini', requests: 1, cost_usd: 2 })]);
  const humanSpend = await aigw(['spend', '--group-by', 'key']);
  expect(humanSpend.stdout).toMatch(/TOTAL/);

  expect((await aigw(['keys', 'revoke', stored.id])).stdout).toMatch(/revoked/);
  expect((await findKeyByHash(db.pool, hashKey(next)))?.revoked).toBe(true);
  const blocked = await aigw(['teams', 'delete', team.id]);
  expect(blocked.code).toBe(0); // the only key is revoked, so nothing blocks the delete
  expect((await aigw(['keys', 'delete', stored.id])).stdout).toMatch(/deleted key/);
});

test('teams by name: info, update, spend and delete take a name where they take an id; the refusal names --force', async () => {
  const team = await json(['teams', 'create', 'by-name']);
  await json(['keys', 'create', '--team', 'by-name', '--alias', 'by-name-key']);
  expect(await json(['teams', 'info', 'by-name'])).toMatchObject({ id: team.id, name: 'by-name', key_count: 1 });
  expect(await json(['teams', 'update', 'by-name', '--rpm', '700'])).toMatchObject({ id: team.id, rpm_limit: 700 });
  expect(await json(['spend', '--group-by', 'team', '--team', 'by-name'])).toMatchObject({ data: [] });
  const refused = await aigw(['teams', 'delete', 'by-name']);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/1 unrevoked key.*--force.*\?force=true/);
  expect((await aigw(['teams', 'delete', 'by-name', '--force'])).stdout).toMatch(`deleted team ${team.id}; revoked 1 key(s)`);
  const gone = await aigw(['teams', 'info', 'by-name']);
  expect({ code: gone.code, stderr: gone.stderr.trim() }).toEqual({ code: 1, stderr: 'error: team by-name not found' });
});

test("team cache settings: --cache-mode and --cache-ttl on create and update, --cache-ttl none back to the route's; shown in list and info", async () => {
  const plain = await json(['teams', 'create', 'cache-default']);
  expect(plain).toMatchObject({ cache_mode: 'on', cache_ttl_seconds: null });
  const team = await json(['teams', 'create', 'cache-cli', '--cache-mode', 'exact', '--cache-ttl', '600']);
  expect(team).toMatchObject({ name: 'cache-cli', cache_mode: 'exact', cache_ttl_seconds: 600 });
  expect(await json(['teams', 'update', 'cache-cli', '--cache-mode', 'off'])).toMatchObject({ cache_mode: 'off', cache_ttl_seconds: 600 });
  expect(await json(['teams', 'update', 'cache-cli', '--cache-ttl', 'none'])).toMatchObject({ cache_mode: 'off', cache_ttl_seconds: null });
  expect(await json(['teams', 'update', 'cache-cli', '--cache-ttl', '2592000'])).toMatchObject({ cache_ttl_seconds: 2_592_000 });

  const info = await aigw(['teams', 'info', 'cache-cli']);
  expect(info.stdout).toMatch(/^cache_mode\s+off$/m);
  expect(info.stdout).toMatch(/^cache_ttl_seconds\s+2592000$/m);
  const list = await aigw(['teams', 'list']);
  expect(list.stdout).toMatch(/^ID\s+NAME\s+.*\s+CACHE_MODE\s+CACHE_TTL_SECONDS$/m);
  expect(list.stdout).toMatch(/cache-cli\s.*\soff\s+2592000$/m);
  expect(list.stdout).toMatch(/cache-default\s.*\son\s+-$/m);

  const badMode = await aigw(['teams', 'update', 'cache-cli', '--cache-mode', 'semantic']);
  expect({ code: badMode.code, param: /cache_mode/.test(badMode.stderr) }).toEqual({ code: 1, param: true });
  const badTtl = await aigw(['teams', 'create', 'cache-bad', '--cache-ttl', '2592001']);
  expect({ code: badTtl.code, param: /cache_ttl_seconds/.test(badTtl.stderr) }).toEqual({ code: 1, param: true });
  const notNumber = await aigw(['teams', 'update', 'cache-cli', '--cache-ttl', 'forever']);
  expect({ code: notNumber.code, stderr: notNumber.stderr.trim() }).toEqual({ code: 1, stderr: 'error: --cache-ttl must be a number (or "none")' });
  expect(await json(['teams', 'info', 'cache-cli'])).toMatchObject({ cache_mode: 'off', cache_ttl_seconds: 2_592_000 });
});

test('model aliases named like Object.prototype members reach the API as given', async () => {
  const created = await json(['keys', 'create', '--alias', 'proto-aliases', '--model-aliases', '__proto__=gpt-4o-mini,constructor=gpt-4o']);
  const stored = (await findKeyByHash(db.pool, hashKey(created.key)))!;
  expect(Object.entries(stored.modelAliases)).toEqual([
    ['__proto__', 'gpt-4o-mini'],
    ['constructor', 'gpt-4o'],
  ]);
});

test('prompts: create from a YAML file and from flags, update, label, show, render, diff, list; errors name the field', async () => {
  const file = path.join(tmp, 'greeting.yaml');
  writeFileSync(file, 'kind: chat\nmessages:\n  - role: system\n    content: "{{> cli-tone}} Greet {{who}}."\nvariables:\n  - name: who\n');
  await json(['prompts', 'create', 'cli-tone', '--text', 'Be warm.']);
  const created = await json(['prompts', 'create', 'cli-greeting', '--file', file, '--label', 'production', '--description', 'Greets']);
  expect(created).toMatchObject({ name: 'cli-greeting', latest_version: 1, labels: { production: 1 }, description: 'Greets' });
  const updated = await json([
    'prompts',
    'update',
    'cli-greeting',
    '--system',
    '{{> cli-tone}} Welcome {{who}}, {{n}} times.',
    '--variables',
    'who,n:number=1',
  ]);
  expect(updated.version).toMatchObject({ version: 2, definition: { variables: [{ name: 'who' }, { name: 'n', type: 'number', default: 1 }] } });
  expect(await json(['prompts', 'label', 'cli-greeting', 'staging', '2'])).toMatchObject({ labels: { production: 1, staging: 2 } });
  const rendered = await aigw(['prompts', 'render', 'cli-greeting', '--version', 'staging', '--vars', 'who=Ada']);
  expect(rendered.stdout).toContain('[system]\nBe warm. Welcome Ada, 1 times.');
  expect((await json(['prompts', 'render', 'cli-greeting', '--vars', '{"who":"Bo"}'])).rendered.messages[0].content).toBe('Be warm. Greet Bo.');
  const diff = await aigw(['prompts', 'diff', 'cli-greeting']);
  expect(diff.stdout).toContain('+{{> cli-tone}} Welcome {{who}}, {{n}} times.');
  expect((await aigw(['prompts', 'show', 'cli-greeting', '--version', '1'])).stdout).toContain('Greet {{who}}.');
  expect((await aigw(['prompts', 'list'])).stdout).toMatch(/cli-greeting\s+2\s/);
  expect((await json(['prompts', 'label', 'cli-greeting', 'staging', '--delete'])).deleted).toBe(true);
  const missing = await aigw(['prompts', 'render', 'cli-greeting']);
  expect({ code: missing.code, named: /who/.test(missing.stderr) }).toEqual({ code: 1, named: true });
  const bad = await aigw(['prompts', 'update', 'cli-greeting', '--text', '{{#open}}']);
  expect({ code: bad.code, named: /definition\.text/.test(bad.stderr) }).toEqual({ code: 1, named: true });
  const none = await aigw(['prompts', 'create', 'cli-empty']);
  expect({ code: none.code, hint: /--file/.test(none.stderr) }).toEqual({ code: 1, hint: true });
});

test('API errors print the message and exit non-zero', async () => {
  await json(['keys', 'create', '--alias', 'dup']);
  const dup = await aigw(['keys', 'create', '--alias', 'dup']);
  expect(dup.code).toBe(1);
  expect(dup.stderr).toMatch(/^error: a key with this alias already exists \(key_alias\)/);
  const bad = await aigw(['keys', 'create', '--budget-duration', 'monthly']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/budget_duration/);
  const missing = await aigw(['keys', 'info', randomUUID()]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/not found/);
  const userKey = (await json(['keys', 'create', '--alias', 'plain-user'])).key;
  const forbidden = await aigw(['keys', 'list'], { AIGW_ADMIN_KEY: userKey });
  expect(forbidden.code).toBe(1);
  expect(forbidden.stderr).toMatch(/not an admin key/);
  const down = await aigw(['keys', 'list'], { AIGW_ADMIN_URL: 'http://127.0.0.1:1' });
  expect(down.code).toBe(1);
  expect(down.stderr).toMatch(/Cannot reach/);
});

test('a gateway that accepts but never answers: the CLI gives up after AIGW_ADMIN_TIMEOUT seconds', async () => {
  const silent = netServer((socket) => socket.on('data', () => undefined)); // reads, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = Date.now();
    const r = await aigw(['keys', 'list'], { AIGW_ADMIN_URL: url, AIGW_ADMIN_KEY: 'sk-aigw-any', AIGW_ADMIN_TIMEOUT: '1' });
    expect({ code: r.code, stderr: r.stderr.trim(), fast: Date.now() - started < 8000 }).toEqual({
      code: 1,
      stderr: `error: No answer from ${url} within 1 s (AIGW_ADMIN_TIMEOUT)`,
      fast: true,
    });
    const bad = await aigw(['keys', 'list'], { AIGW_ADMIN_URL: url, AIGW_ADMIN_KEY: 'sk-aigw-any', AIGW_ADMIN_TIMEOUT: '1e9' });
    expect({ code: bad.code, stderr: bad.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/AIGW_ADMIN_TIMEOUT must be/) });
  } finally {
    await new Promise((resolve) => silent.close(resolve));
  }
});

describe('aigw logs', () => {
  test('lists newest first with the documented filters, as a table or --json; one request by id; bad filters exit 1 naming the field', async () => {
    const team = await json(['teams', 'create', 'logs-team']);
    const now = Date.now();
    const ok = logRow({ createdAt: now - 3000, teamId: team.id, model: 'logs-model' });
    const limited = logRow({
      createdAt: now - 2000,
      teamId: team.id,
      model: 'logs-model',
      status: 429,
      errorType: 'policy',
      errorCode: 'rate_limit_exceeded',
      answeredBy: 'aigw-virtual-key',
    });
    const old = logRow({ createdAt: now - 2 * 3_600_000, model: 'logs-model' });
    await insertRequestLogRows(db.pool, [ok, limited, old]);

    const all = await json(['logs', '--model', 'logs-model']);
    expect(all.data.map((r: { request_id: string }) => r.request_id)).toEqual([limited.requestId, ok.requestId, old.requestId]);
    const recent = await json(['logs', '--model', 'logs-model', '--since', '1h']);
    expect(recent.data.map((r: { request_id: string }) => r.request_id)).toEqual([limited.requestId, ok.requestId]);
    const policy = await json(['logs', '--team', 'logs-team', '--error-type', 'policy', '--status', '4xx']);
    expect(policy.data.map((r: { request_id: string }) => r.request_id)).toEqual([limited.requestId]);
    const one = await json(['logs', '--model', 'logs-model', '--limit', '1']);
    expect(one).toMatchObject({ has_more: true, next_before: limited.requestId });

    const table = await aigw(['logs', '--team', 'logs-team']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+REQUEST_ID\s+STATUS\s+ERROR_TYPE/);
    expect(lines[1]).toContain(limited.requestId);
    expect(lines[1]).toMatch(/429\s+policy\s+aigw-virtual-key\s+logs-model/);
    expect(lines[2]).toContain(ok.requestId);

    const detail = await aigw(['logs', ok.requestId]);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toMatch(new RegExp(`request_id\\s+${ok.requestId}`));
    expect(detail.stdout).toMatch(/attempts\nPROVIDER\s+MODEL\s+RESULT/);
    expect((await json(['logs', limited.requestId])).error_code).toBe('rate_limit_exceeded');

    const unknown = await aigw(['logs', randomUUID()]);
    expect({ code: unknown.code, notFound: /not found/.test(unknown.stderr) }).toEqual({ code: 1, notFound: true });
    const badType = await aigw(['logs', '--error-type', 'user']);
    expect({ code: badType.code, param: /\(error_type\)/.test(badType.stderr) }).toEqual({ code: 1, param: true });
  });

  test('--follow prints rows as they are logged, each once, and stops cleanly on Ctrl-C', async () => {
    const model = `follow-${randomUUID().slice(0, 8)}`;
    const before = logRow({ model, createdAt: Date.now() - 1000 });
    // Older than --since: never shown.
    const tooOld = logRow({ model, createdAt: Date.now() - 5 * 60_000 });
    await insertRequestLogRows(db.pool, [before, tooOld]);
    const child = spawn(cli, ['logs', '--follow', '--json', '--model', model, '--since', '2m'], {
      env: { PATH: process.env.PATH, AIGW_ADMIN_URL: proxyUrl, AIGW_ADMIN_KEY: adminKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => (out.includes(before.requestId) ? true : undefined), 10_000, 'the existing row');
      const later = logRow({ model });
      await insertRequestLogRows(db.pool, [later]);
      await waitFor(() => (out.includes(later.requestId) ? true : undefined), 10_000, 'the new row');
      // Another poll or more: nothing is printed twice.
      const polls = out;
      await new Promise((r) => setTimeout(r, 2500));
      expect(out).toBe(polls);
      const ids = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).request_id);
      expect(ids).toEqual([before.requestId, later.requestId]);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    const badSince = await aigw(['logs', '--follow', '--since', 'yesterday']);
    expect({ code: badSince.code, named: /--since/.test(badSince.stderr) }).toEqual({ code: 1, named: true });
  }, 30_000);
});

describe('aigw audit', () => {
  test('lists the changes made through the CLI, newest first, filtered by action, as a table or --json', async () => {
    const team = await json(['teams', 'create', 'audited-team']);
    await json(['teams', 'update', 'audited-team', '--rpm', '7']);
    const updates = await json(['audit', '--action', 'team.update', '--target', team.id]);
    expect(updates.data).toHaveLength(1);
    expect(updates.data[0]).toMatchObject({ via: 'cli', action: 'team.update', outcome: 'ok', status: 200, target: { type: 'team', id: team.id } });
    const teamActions = await json(['audit', '--action', 'team.*', '--since', '1h']);
    expect(teamActions.data.slice(0, 2).map((e: { action: string }) => e.action)).toEqual(['team.update', 'team.create']);

    const table = await aigw(['audit', '--action', 'team.*', '--limit', '1']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ACTOR\s+VIA\s+ACTION\s+TARGET\s+OUTCOME/);
    expect(lines[1]).toMatch(new RegExp(`cli\\s+team\\.update\\s+team ${team.id}\\s+ok\\s+200`));
    expect(lines[2]).toMatch(/^\(more: --before \d+\)$/);
    const bad = await aigw(['audit', '--action', 'DROP TABLE']);
    expect({ code: bad.code, param: /\(action\)/.test(bad.stderr) }).toEqual({ code: 1, param: true });
  });
});
