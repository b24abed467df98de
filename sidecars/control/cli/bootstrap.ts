/**
 * `aigw admin bootstrap`: the first admin key, written straight into PostgreSQL (there is no
 * admin key yet to call the API with). Idempotent per alias: a second run refuses unless
 * --force, which replaces the old key (its secret stops working at once).
 */
import { closeSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { generateKey, hashKey, keyPrefix } from '../../../lib/api-keys';
import { runMigrations } from '../../../lib/db/migrate';
import { createLogger } from '../../../lib/log';
import { liveHashes, type StoredKey } from '../../../lib/store/rows';
import { inTransaction } from '../../../lib/store/sql';
import { createKey, deleteKey, getKeyByAlias } from '../../../lib/store/virtual-keys';
import { RedisInvalidator } from '../invalidate';
import { CliError } from './client';

export interface BootstrapResult {
  raw: string;
  key: StoredKey;
  replaced: StoredKey | null;
}

export async function bootstrapAdmin(pool: Pool, opts: { alias: string; force: boolean }): Promise<BootstrapResult> {
  await runMigrations(pool);
  const raw = generateKey();
  return inTransaction(pool, async (client) => {
    // Serialise concurrent bootstraps of the same alias.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`aigw-bootstrap:${opts.alias}`]);
    const existing = await getKeyByAlias(client, opts.alias);
    if (existing && !opts.force) {
      throw new CliError(`A key with alias "${opts.alias}" already exists (${existing.keyPrefix}..., id ${existing.id}); pass --force to replace it`);
    }
    if (existing) await deleteKey(client, existing.id);
    const key = await createKey(client, {
      keyHash: hashKey(raw),
      keyPrefix: keyPrefix(raw),
      keyAlias: opts.alias,
      teamId: null,
      userId: null,
      role: 'admin',
      allowedModels: [],
      modelAliases: {},
      maxBudgetNano: null,
      budgetDuration: null,
      rpmLimit: null,
      tpmLimit: null,
      maxParallelRequests: null,
      expiresAt: null,
      metadata: { created_by: 'aigw admin bootstrap' },
    });
    return { raw, key, replaced: existing };
  });
}

/** Caches may hold the replaced key; tell them (best effort, as the control API does). */
export async function invalidateReplaced(redisUrl: string | null, replaced: StoredKey | null): Promise<void> {
  if (!redisUrl || !replaced) return;
  const invalidator = new RedisInvalidator(redisUrl, createLogger('aigw'));
  for (let i = 0; invalidator.state() !== 'ok' && i < 50; i++) await new Promise((r) => setTimeout(r, 40));
  await invalidator.keys([{ id: replaced.id, hashes: liveHashes(replaced) }]);
  await invalidator.close();
}

/** Writes the secret with mode 0600 (also when the file already existed with wider permissions). */
export function writeSecretFile(file: string, secret: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const fd = openSync(file, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, secret + '\n');
  } finally {
    closeSync(fd);
  }
}
