/**
 * Plugin config validation with Kong's schema semantics for the declarative attributes a JS
 * plugin can export (kong/db/schema/init.lua, 3.9.3):
 * - defaults first (process_auto_fields "insert", adjust_field_for_context + handle_missing_field):
 *   a missing field takes a deep copy of its `default`; otherwise it becomes null unless
 *   `required`; a missing *required* record is expanded so its nested defaults apply; a missing
 *   optional record is null; an explicit null stays null (only nil takes defaults);
 *   sets are de-duplicated (make_set); records inside arrays/maps get their defaults too;
 * - then validation (Schema:validate / validate_field): unknown fields are errors, a required
 *   field that is nil/null is "required field missing", strings have an implicit len_min = 1,
 *   validators run in Kong's order (one_of, gt, between, len_min, len_max, starts_with, match).
 * Referenceable strings holding a `{vault://...}` reference skip the string validators, as in
 * Kong; resolving them is vault.ts's job.
 * Error paths use Kong's 1-based array indexes: `models[1].target.provider: expected one of: ...`.
 */
import type { KongField, KongSchema } from '../../../lib/kong/schema';
import { luaPatternToRegExp, UnsupportedLuaPattern } from './lua-pattern';

export type { KongField, KongSchema };

export type ValidationResult = { ok: true; config: Record<string, unknown> } | { ok: false; errors: string[] };

const KNOWN_ATTRIBUTES = new Set([
  'type',
  'required',
  'default',
  'one_of',
  'between',
  'gt',
  'len_min',
  'len_max',
  'match',
  'starts_with',
  'referenceable',
  'encrypted',
  'description',
  'elements',
  'keys',
  'values',
  'fields',
]);

/** kong/pdk/vault.lua is_reference: a string shaped `{vault://...}`. */
export function isVaultReference(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('{vault://') && v.endsWith('}');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function deepCopy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function fieldEntries(schema: KongSchema): Array<[string, KongField]> {
  const out: Array<[string, KongField]> = [];
  for (const entry of schema) {
    const keys = Object.keys(entry);
    if (keys.length !== 1) throw new Error(`schema entry must have exactly one key, got ${JSON.stringify(keys)}`);
    out.push([keys[0]!, entry[keys[0]!]!]);
  }
  return out;
}

// ---- defaults (process_auto_fields, context "insert") ----

function handleMissing(field: KongField): unknown {
  if (field.default !== undefined) return deepCopy(field.default);
  if (field.required !== true) return null;
  if (field.type === 'record') return processRecord(field.fields ?? [], {});
  return undefined; // required: reported by validation
}

function adjust(field: KongField, value: unknown): unknown {
  if (field.type === 'record') {
    if (value !== null && (value !== undefined || field.required === true)) {
      const v = value ?? handleMissing(field);
      if (isPlainObject(v)) return processRecord(field.fields ?? [], v);
      return v;
    }
  } else if (value !== null && typeof value === 'object') {
    if (field.type === 'array' && Array.isArray(value) && field.elements) {
      value = value.map((v) => adjust(field.elements!, v));
    } else if (field.type === 'set' && Array.isArray(value)) {
      // make_set: de-duplicate primitive members, keep first occurrence order
      const seen = new Set<unknown>();
      const dedup = value.filter((v) => {
        if (typeof v === 'object') return true;
        if (seen.has(v)) return false;
        seen.add(v);
        return true;
      });
      value = field.elements ? dedup.map((v) => adjust(field.elements!, v)) : dedup;
    } else if (field.type === 'map' && isPlainObject(value) && field.values) {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) o[k] = adjust(field.values, v);
      value = o;
    }
  }
  if (value === undefined) return handleMissing(field);
  return value;
}

function processRecord(fields: KongSchema, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const [name, field] of fieldEntries(fields)) {
    const v = adjust(field, input[name]);
    if (v === undefined) delete out[name];
    else out[name] = v;
  }
  return out;
}

// ---- validation (Schema:validate / validate_field) ----

function luaLength(v: unknown): number | undefined {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8'); // Lua # counts bytes
  if (Array.isArray(v)) return v.length;
  return undefined;
}

function fmtValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function validateField(field: KongField, value: unknown, path: string, errors: string[]): void {
  for (const attr of Object.keys(field)) {
    if (!KNOWN_ATTRIBUTES.has(attr)) {
      errors.push(`${path}: schema attribute '${attr}' is not emulated by the test ingress`);
      return;
    }
  }
  if (value === null || value === undefined) {
    if (field.required) errors.push(`${path}: required field missing`);
    return;
  }
  const err = (m: string): void => {
    errors.push(`${path}: ${m}`);
  };
  switch (field.type) {
    case 'array':
    case 'set': {
      if (!Array.isArray(value)) return err(field.type === 'array' ? 'expected an array' : 'expected a set');
      if (!field.elements) return err('error in schema definition: array/set without elements');
      // elements of arrays and sets are required (kong/db/schema/metaschema.lua, validate_field)
      const el: KongField = { ...field.elements, required: true };
      value.forEach((v, i) => validateField(el, v, `${path}[${i + 1}]`, errors));
      break;
    }
    case 'map': {
      if (!isPlainObject(value)) return err('expected a map');
      if (!field.keys || !field.values) return err('error in schema definition: map without keys/values');
      const kf: KongField = { ...field.keys, required: true };
      const vf: KongField = { ...field.values, required: true };
      for (const [k, v] of Object.entries(value)) {
        validateField(kf, k, `${path}.${k}`, errors);
        validateField(vf, v, `${path}.${k}`, errors);
      }
      break;
    }
    case 'record': {
      if (!isPlainObject(value)) return err('expected a record');
      validateRecord(field.fields ?? [], processRecord(field.fields ?? [], value), path, errors);
      return;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return err('expected an integer');
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return err('expected a number');
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return err('expected a boolean');
      break;
    case 'string':
      if (typeof value !== 'string') return err('expected a string');
      if (field.referenceable && isVaultReference(value)) return;
      break;
    default:
      return err(`invalid type: ${String((field as { type: unknown }).type)}`);
  }
  // validators, in Kong's validators_order
  if (field.one_of !== undefined && !field.one_of.includes(value)) {
    return err(`expected one of: ${field.one_of.map(fmtValue).join(', ')}`);
  }
  if (field.gt !== undefined && !((value as number) > field.gt)) return err(`value must be greater than ${field.gt}`);
  if (field.between !== undefined) {
    const [lo, hi] = field.between;
    if ((value as number) < lo || (value as number) > hi) return err(`value should be between ${lo} and ${hi}`);
  }
  const lenMin = field.len_min ?? (field.type === 'string' ? 1 : undefined);
  if (lenMin !== undefined || field.len_max !== undefined) {
    const len = luaLength(value);
    if (len === undefined) return err('len_min/len_max on this type is not emulated by the test ingress');
    if (lenMin !== undefined && len < lenMin) return err(`length must be at least ${lenMin}`);
    if (field.len_max !== undefined && len > field.len_max) return err(`length must be at most ${field.len_max}`);
  }
  if (field.starts_with !== undefined && !(value as string).startsWith(field.starts_with)) {
    return err(`should start with: ${field.starts_with}`);
  }
  if (field.match !== undefined) {
    let re: RegExp;
    try {
      re = luaPatternToRegExp(field.match);
    } catch (e) {
      if (e instanceof UnsupportedLuaPattern) return err(e.message);
      throw e;
    }
    if (!re.test(value as string)) return err(`invalid value: ${value as string}`);
  }
}

function validateRecord(fields: KongSchema, value: Record<string, unknown>, path: string, errors: string[]): void {
  const entries = fieldEntries(fields);
  const known = new Set(entries.map(([n]) => n));
  for (const k of Object.keys(value)) {
    if (!known.has(k)) errors.push(`${path ? `${path}.` : ''}${k}: unknown field`);
  }
  for (const [name, field] of entries) {
    validateField(field, value[name], path ? `${path}.${name}` : name, errors);
  }
}

/**
 * Validates a plugin `config` against the plugin's exported `Schema` (the `fields` of the config
 * record), filling defaults first as Kong does. The config record itself always exists (Kong
 * fills plugin config defaults even when a plugin entity has no `config`).
 */
export function validatePluginConfig(schema: KongSchema, config: unknown): ValidationResult {
  const input = config === undefined || config === null ? {} : config;
  if (!isPlainObject(input)) return { ok: false, errors: ['config: expected a record'] };
  const errors: string[] = [];
  let filled: Record<string, unknown>;
  try {
    filled = processRecord(schema, input);
    validateRecord(schema, filled, '', errors);
  } catch (e) {
    return { ok: false, errors: [`schema: ${(e as Error).message}`] };
  }
  return errors.length ? { ok: false, errors } : { ok: true, config: filled };
}
