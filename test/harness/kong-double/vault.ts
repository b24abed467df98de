/**
 * `{vault://env/<name>[/<key>]}` references in fields marked `referenceable: true`, resolved the
 * way Kong's env vault does (kong/vaults/env/init.lua: name upper-cased, `-` becomes `_`;
 * kong/pdk/vault.lua parse_reference: a last path segment is a key into a JSON value).
 * An unresolvable reference becomes "" with a warning, as kong/db/schema/init.lua
 * resolve_reference does. Any vault other than `env` is a start-up error: Kong OSS 3.9 bundles
 * only `env` (kong/constants.lua BUNDLED_VAULTS).
 */
import type { KongField, KongSchema } from '../../../lib/kong/schema';
import { isVaultReference } from './kong-schema';

export type VaultEnv = Record<string, string | undefined>;
export type Warn = (msg: string) => void;

export function resolveReference(ref: string, env: VaultEnv, warn: Warn): string {
  const m = /^\{vault:\/\/([^/}]+)\/([^?#}]*)(?:\?[^#}]*)?(?:#(\d+))?\}$/.exec(ref);
  if (!m) throw new Error(`vault reference ${ref} is malformed`);
  const [, vault, path, version] = m;
  if (vault !== 'env') throw new Error(`vault reference ${ref}: vault '${vault}' is not emulated (only 'env', as in Kong OSS)`);
  if (version !== undefined) throw new Error(`vault reference ${ref}: versions are not emulated`);
  const parts = path!.split('/').filter((p) => p !== '');
  if (parts.length === 0) throw new Error(`vault reference ${ref} has an empty path`);
  const key = parts.length > 1 ? decodeURIComponent(parts.pop()!) : undefined;
  const resource = decodeURIComponent(parts.join('/'));
  const envName = resource.replace(/-/g, '_').toUpperCase();
  const raw = env[envName];
  if (raw === undefined) {
    warn(`unable to resolve reference ${ref} (environment variable ${envName} is not set)`);
    return '';
  }
  if (key === undefined) return raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    warn(`unable to resolve reference ${ref} (${envName} is not JSON)`);
    return '';
  }
  const v = (parsed as Record<string, unknown> | null)?.[key];
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    warn(`unable to resolve reference ${ref} (key ${key} not found)`);
    return '';
  }
  return String(v);
}

function resolveField(field: KongField, value: unknown, env: VaultEnv, warn: Warn): unknown {
  if (value === null || value === undefined) return value;
  if (field.type === 'string' && field.referenceable && isVaultReference(value)) return resolveReference(value, env, warn);
  if (field.type === 'record' && typeof value === 'object' && !Array.isArray(value)) {
    return resolveVaultReferences(field.fields ?? [], value as Record<string, unknown>, env, warn);
  }
  if ((field.type === 'array' || field.type === 'set') && Array.isArray(value) && field.elements) {
    return value.map((v) => resolveField(field.elements!, v, env, warn));
  }
  if (field.type === 'map' && typeof value === 'object' && field.values) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) o[k] = resolveField(field.values, v, env, warn);
    return o;
  }
  return value;
}

/** Returns a copy of a validated config with every referenceable reference resolved. */
export function resolveVaultReferences(schema: KongSchema, config: Record<string, unknown>, env: VaultEnv, warn: Warn): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const entry of schema) {
    const [name, field] = Object.entries(entry)[0]!;
    if (name in out) out[name] = resolveField(field, out[name], env, warn);
  }
  return out;
}
