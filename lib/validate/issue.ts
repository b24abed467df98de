/**
 * What is wrong with a request, independent of wording: the validators raise one Issue (the
 * first found) and each client format words it the way its own API does (wording.ts).
 */
export type PathSegment = string | number;
export type Path = readonly PathSegment[];
export type JsonKind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

export type Issue =
  | { kind: 'missing'; path: Path }
  | { kind: 'type'; path: Path; expected: readonly JsonKind[]; got: unknown }
  /** A string outside a fixed set; `tag` when the set is a discriminator (`type`) choosing a shape. */
  | { kind: 'enum' | 'tag'; path: Path; allowed: readonly string[]; got: string }
  | { kind: 'below' | 'above'; path: Path; limit: number; got: number; integer: boolean }
  | { kind: 'too_short' | 'too_long'; path: Path; what: 'array' | 'string' | 'object'; limit: number; got: number }
  /** A rule of its own: `message` is a predicate after the field's name ("nested more than ..."), a sentence for the whole body. */
  | { kind: 'rule'; path: Path; message: string; code: string }
  /** A field the endpoint does not have (only endpoints that refuse unknown fields raise it). */
  | { kind: 'unknown'; path: Path }
  /** A field of the client's API the gateway cannot serve; `reason` follows the field's name ("is not supported through the gateway"). */
  | { kind: 'unsupported'; path: Path; reason: string };

/** Thrown by the checks, caught once by the validator entry points. */
export class Rejection extends Error {
  constructor(readonly issue: Issue) {
    super('invalid request');
  }
}

export function reject(issue: Issue): never {
  throw new Rejection(issue);
}
