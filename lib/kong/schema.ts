/**
 * Kong plugin schema fields as a JS plugin exports them (`Schema`). kong-js-pluginserver wraps the
 * array into `{name, fields: [{config: {type: "record", fields: Schema}}]}`; Kong validates plugin
 * configs against it with its Lua schema library, so only declarative attributes can be used.
 */
export type KongFieldType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'set' | 'map' | 'record';

export interface KongField {
  type: KongFieldType;
  required?: boolean;
  default?: unknown;
  one_of?: unknown[];
  between?: [number, number];
  gt?: number;
  len_min?: number;
  len_max?: number;
  match?: string;
  starts_with?: string;
  referenceable?: boolean;
  encrypted?: boolean;
  description?: string;
  elements?: KongField;
  keys?: KongField;
  values?: KongField;
  fields?: KongSchema;
}

/** A list of single-key objects, in order: `[{name: {type: "string"}}, ...]`. */
export type KongSchema = Array<Record<string, KongField>>;
