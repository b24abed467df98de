// Generated values against an independent validator (schema-check.ts), over many seeds: tool
// parameter schemas, response schemas, Gemini's OpenAPI subset, recursion and hostile schemas.

import { schemaErrors } from './schema-check';
import { valueForSchema } from './schema-values';

const SEEDS = Array.from({ length: 60 }, (_, i) => `seed ${i}`);

/** Every seed's value is valid; returns the values for further checks. */
function validFor(schema: unknown): unknown[] {
  return SEEDS.map((seed) => {
    const value = valueForSchema(schema, seed);
    expect({ seed, value, errors: schemaErrors(value, schema) }).toEqual({ seed, value, errors: [] });
    return value;
  });
}

const booking = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    guest: { $ref: '#/$defs/person' },
    room: { type: 'string', enum: ['single', 'double', 'suite'] },
    nights: { type: 'integer', minimum: 1, maximum: 14 },
    rate: { type: 'number', exclusiveMinimum: 50, maximum: 400, multipleOf: 0.25 },
    discount: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    breakfast: { type: 'boolean' },
    arrival: { type: 'string', format: 'date' },
    created: { type: 'string', format: 'date-time' },
    note: { anyOf: [{ type: 'string', maxLength: 12 }, { type: 'null' }] },
    extras: { type: 'array', items: { $ref: '#/$defs/extra' }, minItems: 1, maxItems: 3 },
    source: { const: 'mock' },
    code: { type: 'string', minLength: 20, maxLength: 24 },
  },
  required: ['id', 'guest', 'room', 'nights', 'rate', 'extras', 'code', 'source'],
  additionalProperties: false,
  $defs: {
    person: {
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 }, email: { type: 'string', format: 'email' }, age: { type: ['integer', 'null'], minimum: 18 } },
      required: ['name', 'email'],
      additionalProperties: false,
    },
    extra: {
      type: 'object',
      properties: { kind: { type: 'string', enum: ['parking', 'spa'] }, count: { type: 'integer', minimum: 1, maximum: 3 } },
      required: ['kind', 'count'],
      additionalProperties: false,
    },
  },
};

describe('valueForSchema', () => {
  test('a tool schema with $ref/$defs, enums, bounds, formats, anyOf, const and arrays', () => {
    const values = validFor(booking) as Array<Record<string, unknown>>;
    // Seeded: the same seed repeats, different seeds vary (optional properties come and go).
    expect(valueForSchema(booking, 'seed 1')).toEqual(values[1]);
    expect(new Set(values.map((v) => JSON.stringify(v))).size).toBe(values.length);
    expect(values.some((v) => 'breakfast' in v) && values.some((v) => !('breakfast' in v))).toBe(true);
  });

  test('a recursive schema ends (optional recursion stops deep down; nullable branches are taken)', () => {
    const tree = {
      $ref: '#/definitions/node',
      definitions: {
        node: {
          type: 'object',
          properties: {
            label: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/definitions/node' } },
            next: { anyOf: [{ $ref: '#/definitions/node' }, { type: 'null' }] },
          },
          required: ['label', 'next'],
        },
      },
    };
    validFor(tree);
  });

  test("Gemini's OpenAPI subset: upper-case types, nullable, enum format, propertyOrdering", () => {
    const schema = {
      type: 'OBJECT',
      properties: {
        city: { type: 'STRING' },
        unit: { type: 'STRING', format: 'enum', enum: ['CELSIUS', 'FAHRENHEIT'] },
        days: { type: 'INTEGER', minimum: 1, maximum: 7 },
        tags: { type: 'ARRAY', items: { type: 'STRING' }, maxItems: 2 },
        hint: { type: 'STRING', nullable: true },
      },
      required: ['city', 'unit', 'days'],
      propertyOrdering: ['unit', 'city', 'days', 'tags', 'hint'],
    };
    const values = validFor(schema) as Array<Record<string, unknown>>;
    for (const v of values) expect(Object.keys(v).slice(0, 2)).toEqual(['unit', 'city']);
  });

  test('allOf merges, tuples, unique items, multipleOf on integers, minProperties', () => {
    validFor({
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { properties: { b: { type: 'integer', multipleOf: 5, minimum: 12 } }, required: ['b'] },
      ],
    });
    validFor({ type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }], items: false });
    validFor({ type: 'array', items: { enum: ['x', 'y', 'z'] }, minItems: 3, uniqueItems: true });
    validFor({ type: 'object', minProperties: 3, additionalProperties: { type: 'number' } });
    validFor({ oneOf: [{ type: 'string', maxLength: 3 }, { type: 'integer' }] });
  });

  test("JSON mode's open object gets a few fields; no schema at all still gives JSON", () => {
    const values = validFor({ type: 'object' }) as Array<Record<string, unknown>>;
    for (const v of values) expect(Object.keys(v).length).toBeGreaterThan(0);
    expect(() => JSON.stringify(valueForSchema(undefined, 'x'))).not.toThrow();
  });

  test('hostile schemas return quickly: huge sizes are capped, cycles and explosions are cut', () => {
    const started = performance.now();
    const huge = valueForSchema({ type: 'array', minItems: 1e9, items: { type: 'string', minLength: 1e9 } }, 's') as string[];
    expect(huge.length).toBeLessThanOrEqual(64);
    expect(huge[0].length).toBeLessThanOrEqual(5000);
    expect(valueForSchema({ $defs: { a: { allOf: [{ $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' }, 's')).toBeDefined();
    expect(valueForSchema({ $defs: { a: { anyOf: [{ $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' }, 's')).toBeDefined();
    // Each level references the next twice: 2^30 nodes if expanded.
    const defs: Record<string, unknown> = { d30: { type: 'string' } };
    for (let i = 0; i < 30; i++)
      defs[`d${i}`] = { type: 'object', properties: { l: { $ref: `#/$defs/d${i + 1}` }, r: { $ref: `#/$defs/d${i + 1}` } }, required: ['l', 'r'] };
    valueForSchema({ $defs: defs, $ref: '#/$defs/d0' }, 's');
    for (const junk of [
      null,
      7,
      'x',
      [],
      { type: 42 },
      { $ref: 'http://example.com/x' },
      { properties: { __proto__: { type: 'string' } }, required: ['__proto__'] },
    ]) {
      expect(() => JSON.stringify(valueForSchema(junk, 's'))).not.toThrow();
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
