// A small JSON Schema validator for the tests (no dependency): what schema-values.ts claims to
// honour, checked independently. Returns the violations as "path: reason" strings; [] = valid.
// Upper-case Gemini types and `nullable` are read as Gemini means them.

type Schema = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeMatches(value: unknown, type: string): boolean {
  switch (type.toLowerCase()) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return true;
  }
}

const FORMATS: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  email: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  uri: /^[a-z][a-z0-9+.-]*:\S+$/i,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
};

function resolve(root: unknown, ref: string): Schema {
  let node: unknown = root;
  for (const key of ref.replace(/^#\/?/, '').split('/').filter(Boolean))
    node = (node as Record<string, unknown>)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (!isObject(node)) throw new Error(`unresolvable $ref ${ref}`);
  return node;
}

export function schemaErrors(value: unknown, schema: unknown, root: unknown = schema, path = '$'): string[] {
  if (!isObject(schema)) return [];
  const s = schema;
  const errors: string[] = [];
  const fail = (reason: string) => errors.push(`${path}: ${reason}`);
  if (typeof s.$ref === 'string') errors.push(...schemaErrors(value, resolve(root, s.$ref), root, path));
  for (const part of Array.isArray(s.allOf) ? s.allOf : []) errors.push(...schemaErrors(value, part, root, path));
  const oneOrAny = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined) as unknown[] | undefined;
  if (oneOrAny) {
    const passing = oneOrAny.filter((b) => schemaErrors(value, b, root, path).length === 0).length;
    if (passing === 0 || (Array.isArray(s.oneOf) && passing > 1)) fail(`${passing} branches of anyOf/oneOf match`);
  }
  if (Object.hasOwn(s, 'const') && JSON.stringify(value) !== JSON.stringify(s.const)) fail('not the const');
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) fail(`${JSON.stringify(value)} not in enum`);
  if (value === null && s.nullable === true) return errors;
  const types = (Array.isArray(s.type) ? s.type : s.type === undefined ? [] : [s.type]) as string[];
  if (types.length > 0 && !types.some((t) => typeMatches(value, t))) return [...errors, `${path}: ${JSON.stringify(value)} is not ${types.join('|')}`];

  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && (s.exclusiveMinimum === true ? value <= s.minimum : value < s.minimum)) fail(`below minimum ${s.minimum}`);
    if (typeof s.maximum === 'number' && (s.exclusiveMaximum === true ? value >= s.maximum : value > s.maximum)) fail(`above maximum ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) fail(`not above ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) fail(`not below ${s.exclusiveMaximum}`);
    if (typeof s.multipleOf === 'number' && Math.abs(value / s.multipleOf - Math.round(value / s.multipleOf)) > 1e-9) fail(`not a multiple of ${s.multipleOf}`);
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength) fail(`shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) fail(`longer than ${s.maxLength}`);
    const format = typeof s.format === 'string' ? FORMATS[s.format] : undefined;
    if (format && !format.test(value)) fail(`not a ${s.format}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail(`more than ${s.maxItems} items`);
    if (s.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail('items not unique');
    const tuple = (Array.isArray(s.prefixItems) ? s.prefixItems : []) as unknown[];
    value.forEach((item, i) => {
      const itemSchema = i < tuple.length ? tuple[i] : s.items;
      if (itemSchema === false) fail(`item ${i} not allowed`);
      else errors.push(...schemaErrors(item, itemSchema, root, `${path}[${i}]`));
    });
  }
  if (isObject(value)) {
    const props = isObject(s.properties) ? s.properties : {};
    const keys = Object.keys(value);
    for (const name of Array.isArray(s.required) ? (s.required as string[]) : []) if (!Object.hasOwn(value, name)) fail(`missing ${name}`);
    if (typeof s.minProperties === 'number' && keys.length < s.minProperties) fail(`fewer than ${s.minProperties} properties`);
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) fail(`more than ${s.maxProperties} properties`);
    for (const key of keys) {
      if (Object.hasOwn(props, key)) errors.push(...schemaErrors(value[key], props[key], root, `${path}.${key}`));
      else if (s.additionalProperties === false) fail(`unexpected property ${key}`);
      else errors.push(...schemaErrors(value[key], s.additionalProperties, root, `${path}.${key}`));
    }
  }
  return errors;
}
