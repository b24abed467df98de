/**
 * One declaration per plugin config: these builders produce Kong schema fields exactly as a JS
 * plugin exports them (`Schema`, lib/kong/schema.ts) and carry, for TypeScript only, the type of
 * the value Kong delivers, so the config type is inferred (`ConfigOf`) instead of written twice.
 *
 * What Kong delivers (kong/db/schema/init.lua, insert context): a field with a `default` or
 * `required` always has a value; any other unset field arrives as null (a missing optional
 * record too). So: required or defaulted → `T`; otherwise `T | null`, optional in the type so
 * tests may leave it out.
 *
 * Each builder spreads its attributes after `type` in the order written, so the dumped JSON
 * keeps the attribute order of the declaration.
 */
import type { KongField, KongSchema } from './schema';

/** A Kong field plus the (type-only) value Kong delivers for it. */
export type Field<T> = KongField & { readonly __delivers?: T };

type Attributes = Omit<KongField, 'type' | 'fields' | 'elements' | 'keys' | 'values' | 'one_of'>;

/** Required or defaulted: always delivered. */
type Delivered<A, T> = A extends { required: true } ? T : A extends { default: unknown } ? T : T | null;

type ValueOf<F> = F extends { readonly __delivers?: infer T } ? Exclude<T, undefined> : never;

type Fields = Record<string, Field<unknown>>;

/** Keys whose value may be null are optional too (`?: T | null`). */
type NullableKeys<F extends Fields> = { [K in keyof F]: null extends ValueOf<F[K]> ? K : never }[keyof F];

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The config type of a record's fields, as Kong delivers it. */
export type ConfigOf<F extends Fields> = Simplify<{ [K in Exclude<keyof F, NullableKeys<F>>]: ValueOf<F[K]> } & { [K in NullableKeys<F>]?: ValueOf<F[K]> }>;

function field<T>(type: KongField['type'], attributes: object): Field<T> {
  return { type, ...attributes } as Field<T>;
}

export function string<const A extends Attributes>(attributes?: A): Field<Delivered<A, string>> {
  return field('string', attributes ?? {});
}

/** A string from a fixed list (`one_of`, written after the other attributes). */
export function oneOf<const V extends readonly string[], const A extends Attributes>(values: V, attributes?: A): Field<Delivered<A, V[number]>> {
  return field('string', { ...attributes, one_of: [...values] });
}

export function integer<const A extends Attributes>(attributes?: A): Field<Delivered<A, number>> {
  return field('integer', attributes ?? {});
}

export function number<const A extends Attributes>(attributes?: A): Field<Delivered<A, number>> {
  return field('number', attributes ?? {});
}

export function boolean<const A extends Attributes>(attributes?: A): Field<Delivered<A, boolean>> {
  return field('boolean', attributes ?? {});
}

/** A record; `fields` is written in place, as Kong's list of single-key objects. */
export function record<const A extends Attributes & { fields: Fields }>(attributes: A): Field<Delivered<A, ConfigOf<A['fields']>>> {
  return field('record', { ...attributes, fields: schemaOf(attributes.fields) });
}

/** An array; `elements` stays where it is written among the attributes. An element is a value, never an unset field. */
export function array<const A extends Attributes & { elements: Field<unknown> }>(
  attributes: A,
): Field<Delivered<A, Array<NonNullable<ValueOf<A['elements']>>>>> {
  return field('array', attributes);
}

/** The plugin's `Schema`: a record's fields as Kong's ordered list of single-key objects. */
export function schemaOf(fields: Fields): KongSchema {
  return Object.entries(fields).map(([name, f]) => ({ [name]: f }));
}
