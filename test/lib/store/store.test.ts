/** Repositories against a real PostgreSQL: hash lookup, rotation grace, flags, ledger and spend sums. */
import { randomUUID } from 'node:crypto';
import { generateKey, hashKey, KEY_PATTERN, keyPrefix } from '../../../lib/api-keys';
import { budgetWindow, tryParseDuration } from '../../../lib/limits/windows';
import { ConflictError } from '../../../lib/store/errors';
import { insertLedgerRows, type LedgerRow, spendReport, spendSince, spendSummary } from '../../../lib/store/ledger';
import { createTeam, deleteTeam, getTeam, type NewTeam, updateTeam } from '../../../lib/store/teams';
import { createKey, findKeyByHash, getKey, keyStatus, type NewKey, revokeKey, rotateKey, touchKeyLastUsed, updateKey } from '../../../lib/store/virtual-keys';
import { startMigratedDb, type TestDb } from '../../sidecars/control/helpers';

let db: TestDb;
beforeAll(async () => {
  db = await startMigratedDb();
});
afterAll(async () => {
  await db?.stop();
});

function newKey(raw: string, over: Partial<NewKey> = {}): NewKey {
  return {
    keyHash: hashKey(raw),
    keyPrefix: keyPrefix(raw),
    keyAlias: null,
    teamId: null,
    userId: null,
    role: 'user',
    allowedModels: [],
    modelAliases: {},
    maxBudgetNano: null,
    budgetDuration: null,
    rpmLimit: null,
    tpmLimit: null,
    maxParallelRequests: null,
    expiresAt: null,
    metadata: {},
    ...over,
  };
}

function newTeam(name: string, over: Partial<NewTeam> = {}): NewTeam {
  return {
    name,
    kongConsumer: null,
    maxBudgetNano: null,
    budgetDuration: null,
    rpmLimit: null,
    tpmLimit: null,
    allowedModels: [],
    metadata: {},
    cacheMode: 'on',
    cacheTtlSeconds: null,
    ...over,
  };
}

function ledgerRow(over: Partial<LedgerRow> = {}): LedgerRow {
  return {
    requestId: randomUUID(),
    keyId: null,
    teamId: null,
    userId: null,
    model: 'gpt-4o-mini',
    provider: 'openai',
    providerModel: 'gpt-4o-mini-2024-07-18',
    promptTokens: 10,
    completionTokens: 5,
    cachedTokens: 0,
    reasoningTokens: 0,
    costNano: 1000,
    status: 200,
    outcome: 'ok',
    stream: false,
    createdAt: new Date(),
    ...over,
  };
}

describe('virtual-keys.ts helpers', () => {
  test('generateKey: sk-aigw- + 40 base62, distinct; hash is sha256 hex; prefix shows 4 characters', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a).toMatch(KEY_PATTERN);
    expect(a).not.toBe(b);
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(keyPrefix(a)).toBe(a.slice(0, 12));
    // All 62 characters appear and nothing else: no modulo bias toward a subset.
    const chars = new Set(Array.from({ length: 300 }, () => generateKey().slice(8)).join(''));
    expect(chars.size).toBe(62);
  });

  test('durations and budget windows', () => {
    expect(tryParseDuration('30d')).toBe(30 * 86_400_000);
    expect(tryParseDuration('1h')).toBe(3_600_000);
    expect(tryParseDuration('1mo')).toBeNull();
    expect(tryParseDuration('0d')).toBeNull();
    const anchor = Date.UTC(2026, 0, 1);
    expect(budgetWindow(anchor, '1d', anchor + 2.5 * 86_400_000)).toEqual({ start: anchor + 2 * 86_400_000, end: anchor + 3 * 86_400_000 });
    expect(budgetWindow(anchor, null, anchor + 1e9)).toEqual({ start: anchor, end: null });
  });
});

describe('findKeyByHash', () => {
  test('finds by hash with its team joined; unknown hash is null; only the hash is stored', async () => {
    const team = await createTeam(db.pool, {
      name: 'store-team',
      kongConsumer: 'consumer-a',
      maxBudgetNano: 5e9,
      budgetDuration: '30d',
      rpmLimit: 10,
      tpmLimit: 1000,
      allowedModels: ['gpt-4o-mini'],
      metadata: { tier: 'gold' },
      cacheMode: 'exact',
      cacheTtlSeconds: 600,
    });
    const raw = generateKey();
    const created = await createKey(db.pool, newKey(raw, { teamId: team.id, keyAlias: 'store-a', modelAliases: { fast: 'gpt-4o-mini' }, maxBudgetNano: 1e9 }));
    const found = await findKeyByHash(db.pool, hashKey(raw));
    expect(found).toMatchObject({
      id: created.id,
      keyPrefix: raw.slice(0, 12),
      keyAlias: 'store-a',
      role: 'user',
      teamId: team.id,
      revoked: false,
      expiresAt: null,
      modelAliases: { fast: 'gpt-4o-mini' },
      maxBudgetNano: 1e9,
      team: {
        id: team.id,
        name: 'store-team',
        kongConsumer: 'consumer-a',
        maxBudgetNano: 5e9,
        budgetDuration: '30d',
        rpmLimit: 10,
        allowedModels: ['gpt-4o-mini'],
        metadata: { tier: 'gold' },
        cache: { mode: 'exact', ttlSeconds: 600 },
      },
    });
    expect(new Date(found!.team!.budgetAnchor).toISOString()).toBe(found!.team!.budgetAnchor);
    expect(await findKeyByHash(db.pool, hashKey(generateKey()))).toBeNull();
    const { rows } = await db.pool.query('SELECT * FROM aigw_keys WHERE id = $1', [created.id]);
    expect(JSON.stringify(rows[0])).not.toContain(raw.slice(8));
  });

  test('expired and revoked keys come back with their flags', async () => {
    const rawE = generateKey();
    await createKey(db.pool, newKey(rawE, { expiresAt: new Date(Date.now() - 1000) }));
    const expired = await findKeyByHash(db.pool, hashKey(rawE));
    expect(expired).not.toBeNull();
    expect(keyStatus(expired!)).toBe('expired');
    const rawR = generateKey();
    const k = await createKey(db.pool, newKey(rawR));
    expect(keyStatus((await findKeyByHash(db.pool, hashKey(rawR)))!)).toBe('active');
    await revokeKey(db.pool, k.id);
    const revoked = await findKeyByHash(db.pool, hashKey(rawR));
    expect(revoked!.revoked).toBe(true);
    expect(keyStatus(revoked!)).toBe('revoked');
  });

  test('rotation: the previous hash works until its grace expires; without grace it stops at once', async () => {
    const old = generateKey();
    const k = await createKey(db.pool, newKey(old));
    const next = generateKey();
    const rotation = await rotateKey(db.pool, k.id, { keyHash: hashKey(next), keyPrefix: keyPrefix(next), graceMs: 60_000 });
    expect(rotation!.oldHashes).toEqual([hashKey(old)]);
    expect((await findKeyByHash(db.pool, hashKey(old)))?.id).toBe(k.id);
    expect((await findKeyByHash(db.pool, hashKey(next)))?.id).toBe(k.id);
    expect((await findKeyByHash(db.pool, hashKey(next)))?.keyPrefix).toBe(keyPrefix(next));
    // Grace over: move the expiry into the past.
    await db.pool.query("UPDATE aigw_keys SET previous_expires_at = now() - interval '1 second' WHERE id = $1", [k.id]);
    expect(await findKeyByHash(db.pool, hashKey(old))).toBeNull();
    const third = generateKey();
    const r2 = await rotateKey(db.pool, k.id, { keyHash: hashKey(third), keyPrefix: keyPrefix(third), graceMs: 0 });
    expect(r2!.oldHashes).toEqual([hashKey(next), hashKey(old)]);
    expect(await findKeyByHash(db.pool, hashKey(next))).toBeNull();
    expect((await getKey(db.pool, k.id))!.previousKeyHash).toBeNull();
    // A revoked key is not rotated.
    await revokeKey(db.pool, k.id);
    const fourth = generateKey();
    expect(await rotateKey(db.pool, k.id, { keyHash: hashKey(fourth), keyPrefix: keyPrefix(fourth), graceMs: 0 })).toBeNull();
  });

  test('a revoked key in grace is still found by the old hash, flagged revoked', async () => {
    const old = generateKey();
    const k = await createKey(db.pool, newKey(old));
    const next = generateKey();
    await rotateKey(db.pool, k.id, { keyHash: hashKey(next), keyPrefix: keyPrefix(next), graceMs: 60_000 });
    await revokeKey(db.pool, k.id);
    expect((await findKeyByHash(db.pool, hashKey(old)))?.revoked).toBe(true);
  });
});

test('duplicate alias is a ConflictError on key_alias', async () => {
  await createKey(db.pool, newKey(generateKey(), { keyAlias: 'dup-alias' }));
  await expect(createKey(db.pool, newKey(generateKey(), { keyAlias: 'dup-alias' }))).rejects.toMatchObject({ field: 'key_alias' });
  await expect(createKey(db.pool, newKey(generateKey(), { keyAlias: 'dup-alias' }))).rejects.toBeInstanceOf(ConflictError);
});

test('changing budget or window moves the anchor; other changes do not', async () => {
  const k = await createKey(db.pool, newKey(generateKey(), { maxBudgetNano: 1e9, budgetDuration: '30d' }));
  await db.pool.query("UPDATE aigw_keys SET budget_anchor = now() - interval '10 days' WHERE id = $1", [k.id]);
  const before = (await getKey(db.pool, k.id))!.budgetAnchor;
  const same = await updateKey(db.pool, k.id, { rpmLimit: 5, maxBudgetNano: 1e9 });
  expect(same!.budgetAnchor).toBe(before);
  const moved = await updateKey(db.pool, k.id, { budgetDuration: '7d' });
  expect(new Date(moved!.budgetAnchor).getTime()).toBeGreaterThan(Date.now() - 5000);
});

test("a team's cache settings: stored, updated alone, read back on the key's joined team; the columns refuse what the API does", async () => {
  const team = await createTeam(db.pool, newTeam('cache-team'));
  expect(team.cache).toEqual({ mode: 'on', ttlSeconds: null });
  const raw = generateKey();
  await createKey(db.pool, newKey(raw, { teamId: team.id }));
  expect((await findKeyByHash(db.pool, hashKey(raw)))!.team!.cache).toEqual({ mode: 'on', ttlSeconds: null });
  const updated = await updateTeam(db.pool, team.id, { cacheMode: 'off', cacheTtlSeconds: 2_592_000 });
  expect(updated).toMatchObject({ cache: { mode: 'off', ttlSeconds: 2_592_000 }, rpmLimit: null, budgetAnchor: team.budgetAnchor });
  expect((await findKeyByHash(db.pool, hashKey(raw)))!.team!.cache).toEqual({ mode: 'off', ttlSeconds: 2_592_000 });
  expect((await updateTeam(db.pool, team.id, { cacheTtlSeconds: null }))!.cache).toEqual({ mode: 'off', ttlSeconds: null });
  await expect(updateTeam(db.pool, team.id, { cacheTtlSeconds: 2_592_001 })).rejects.toThrow(/check constraint/);
  await expect(updateTeam(db.pool, team.id, { cacheTtlSeconds: 0 })).rejects.toThrow(/check constraint/);
  await expect(db.pool.query("UPDATE aigw_teams SET cache_mode = 'semantic' WHERE id = $1", [team.id])).rejects.toThrow(/check constraint/);
  expect((await getTeam(db.pool, team.id))!.cache).toEqual({ mode: 'off', ttlSeconds: null });
});

test('touchKeyLastUsed updates a batch in one statement', async () => {
  const a = await createKey(db.pool, newKey(generateKey()));
  const b = await createKey(db.pool, newKey(generateKey()));
  expect(await touchKeyLastUsed(db.pool, [a.id, b.id, a.id])).toBe(2);
  expect((await getKey(db.pool, a.id))!.lastUsedAt).not.toBeNull();
  expect(await touchKeyLastUsed(db.pool, [])).toBe(0);
});

describe('ledger', () => {
  test('insertLedgerRows: one statement, duplicates skipped, unknown cost stays NULL', async () => {
    const keyId = randomUUID();
    const dupe = ledgerRow({ keyId });
    expect(await insertLedgerRows(db.pool, [dupe, ledgerRow({ keyId, costNano: null }), { ...dupe }])).toBe(2);
    expect(await insertLedgerRows(db.pool, [dupe])).toBe(0);
    expect(await insertLedgerRows(db.pool, [])).toBe(0);
    const { rows } = await db.pool.query('SELECT cost_nano FROM aigw_spend_ledger WHERE key_id = $1 ORDER BY cost_nano NULLS LAST', [keyId]);
    expect(rows.map((r) => r.cost_nano)).toEqual(['1000', null]);
  });

  test('a large batch is still one INSERT', async () => {
    const rows = Array.from({ length: 5000 }, () => ledgerRow({ model: 'bulk' }));
    expect(await insertLedgerRows(db.pool, rows)).toBe(5000);
  });

  test('spendSince and spendSummary sum known cost per key and team within time', async () => {
    const keyId = randomUUID();
    const teamId = randomUUID();
    const now = Date.now();
    await insertLedgerRows(db.pool, [
      ledgerRow({ keyId, teamId, costNano: 3_000_000_000, createdAt: now - 40 * 86_400_000 }),
      ledgerRow({ keyId, teamId, costNano: 250_000_000, createdAt: now - 1000 }),
      ledgerRow({ keyId, teamId, costNano: null, createdAt: now - 500 }),
      ledgerRow({ keyId: randomUUID(), teamId, costNano: 7, createdAt: now - 500 }),
    ]);
    const since = new Date(now - 86_400_000);
    expect(await spendSince(db.pool, { kind: 'key', id: keyId, since })).toBe(250_000_000);
    expect(await spendSince(db.pool, { kind: 'team', id: teamId, since })).toBe(250_000_007);
    expect(await spendSince(db.pool, { kind: 'key', id: keyId, since: new Date(0) })).toBe(3_250_000_000);
    expect(await spendSince(db.pool, { kind: 'key', id: randomUUID(), since })).toBe(0);
    expect(await spendSummary(db.pool, { kind: 'key', id: keyId, windowStart: since })).toEqual({
      allTimeNano: 3_250_000_000,
      windowNano: 250_000_000,
      requests: 3,
      windowRequests: 2,
      costUnknownRequests: 1,
    });
    const report = await spendReport(db.pool, { groupBy: 'key', from: since, to: new Date(now + 1000), teamId });
    expect(report).toHaveLength(2);
    expect(report.find((r) => r.group === keyId)).toMatchObject({ requests: 2, costNano: 250_000_000, costUnknownRequests: 1, promptTokens: 20 });
  });
});

test('deleteTeam: refuses while unrevoked keys exist; force revokes and detaches them', async () => {
  const team = await createTeam(db.pool, newTeam('doomed'));
  const k = await createKey(db.pool, newKey(generateKey(), { teamId: team.id }));
  expect(await deleteTeam(db.pool, team.id, false)).toEqual({ status: 'in_use', activeKeys: 1 });
  const done = await deleteTeam(db.pool, team.id, true);
  expect(done.status).toBe('deleted');
  const after = (await getKey(db.pool, k.id))!;
  expect(after.revoked).toBe(true);
  expect(after.teamId).toBeNull();
  expect(await deleteTeam(db.pool, team.id, true)).toEqual({ status: 'not_found' });
});
