import type { ConfigOf } from '../../lib/kong/schema-builder';
import type { PromptTemplateFields } from './schema';

/** The config as Kong delivers it (validated, defaults filled), inferred from the schema. */
export type PromptTemplateConfig = ConfigOf<typeof PromptTemplateFields>;
