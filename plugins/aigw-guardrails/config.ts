import type { ConfigOf } from '../../lib/kong/schema-builder';
import type { GuardrailsFields } from './schema';

/** The config as Kong delivers it (validated, defaults filled), inferred from the schema. */
export type GuardrailsConfig = ConfigOf<typeof GuardrailsFields>;
