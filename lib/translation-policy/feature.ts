/**
 * A request feature found in a client's body, for the policy to judge: which rule it falls under,
 * where it sits (to name it in a refusal) and its value (an inert value asks for nothing).
 */
import { isObject } from '../validate/checks';
import type { Path } from '../validate/issue';

export interface Feature {
  /** The rule's key (`top_k`, `output_config.effort`, `block:thinking`); for an unknown field, its name. */
  id: string;
  path: Path;
  value: unknown;
  /** What it is, when its location alone does not say (`content block type 'search_result'`). */
  subject?: string;
}

/** Collects features; fields are read as own properties only (a client key never reaches an inherited one). */
export class Features {
  readonly list: Feature[] = [];

  add(id: string, path: Path, value: unknown, subject?: string): void {
    if (value === undefined || value === null) return;
    this.list.push(subject === undefined ? { id, path, value } : { id, path, value, subject });
  }

  /** Every own field of an object, each its own feature named `prefix + key`. */
  fields(object: Record<string, unknown>, path: Path, prefix = ''): void {
    for (const [key, value] of Object.entries(object)) this.add(prefix + key, [...path, key], value);
  }
}

/** The array's objects with their index (anything else is skipped: the validator refused it already). */
export function objectsOf(value: unknown): Array<[Record<string, unknown>, number]> {
  if (!Array.isArray(value)) return [];
  const out: Array<[Record<string, unknown>, number]> = [];
  value.forEach((item, i) => {
    if (isObject(item)) out.push([item, i]);
  });
  return out;
}
