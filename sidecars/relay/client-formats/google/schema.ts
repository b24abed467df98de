/**
 * Gemini's Schema (the OpenAPI 3.0 subset of FunctionDeclaration.parameters and
 * generationConfig.responseSchema: upper-case types, `nullable`, int64 bounds as strings) → the
 * JSON Schema OpenAI and Anthropic tools and response formats take. The reverse of the Gemini
 * adapter's schema.ts. Kept: the keywords both speak; rewritten: `type` lower-cased, `nullable`
 * as `[type, "null"]`, numeric strings as numbers; dropped: Gemini's own (propertyOrdering,
 * example). Property names are the client's: read as own properties, written as own entries.
 * Recursion follows the body's nesting, which the validator bounds (128 levels).
 */

type Json = Record<string, unknown>;

const KEPT = ['title', 'description', 'format', 'pattern', 'default', 'minimum', 'maximum'] as const;
/** int64 fields: proto JSON writes them as decimal strings. */
const COUNTS = ['minItems', 'maxItems', 'minProperties', 'maxProperties', 'minLength', 'maxLength'] as const;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(schema: Json, key: string): unknown {
  return Object.hasOwn(schema, key) ? schema[key] : undefined;
}

function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export function geminiSchemaToJsonSchema(schema: unknown): Json {
  if (!isRecord(schema)) return {};
  const out: Json = {};
  const type = own(schema, 'type');
  if (typeof type === 'string' && type !== 'TYPE_UNSPECIFIED') {
    const lower = type.toLowerCase();
    out.type = own(schema, 'nullable') === true ? [lower, 'null'] : lower;
  }
  for (const key of KEPT) if (own(schema, key) !== undefined) out[key] = own(schema, key);
  for (const key of COUNTS) {
    const n = count(own(schema, key));
    if (n !== undefined) out[key] = n;
  }
  const values = own(schema, 'enum');
  if (Array.isArray(values)) out.enum = values;
  const required = own(schema, 'required');
  if (Array.isArray(required)) out.required = required.filter((name): name is string => typeof name === 'string');
  const properties = own(schema, 'properties');
  if (isRecord(properties)) out.properties = Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, geminiSchemaToJsonSchema(sub)]));
  const items = own(schema, 'items');
  if (isRecord(items)) out.items = geminiSchemaToJsonSchema(items);
  const anyOf = own(schema, 'anyOf');
  if (Array.isArray(anyOf)) out.anyOf = anyOf.map(geminiSchemaToJsonSchema);
  return out;
}
