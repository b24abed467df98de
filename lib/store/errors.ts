/** A write that would break a uniqueness rule; `field` is the API field that collides. */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Which API field each unique constraint of migration 001 protects. */
const UNIQUE_FIELDS = new Map<string, { field: string; message: string }>([
  ['aigw_teams_name_key', { field: 'name', message: 'a team with this name already exists' }],
  ['aigw_teams_kong_consumer_key', { field: 'kong_consumer', message: 'another team already maps to this Kong consumer' }],
  ['aigw_keys_key_alias_key', { field: 'key_alias', message: 'a key with this alias already exists' }],
]);

/** Turns PostgreSQL's unique_violation into a ConflictError; anything else is rethrown as is. */
export function rethrowConflict(error: unknown): never {
  const e = error as { code?: string; constraint?: string };
  const unique = e.code === '23505' && e.constraint ? UNIQUE_FIELDS.get(e.constraint) : undefined;
  if (unique) throw new ConflictError(unique.message, unique.field);
  throw error;
}
