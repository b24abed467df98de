import type { ConfigOf } from '../../lib/kong/schema-builder';
import type { VirtualKeyFields } from './schema';

/** The config as Kong delivers it (validated, defaults filled, vault references resolved), inferred from the schema. */
export type VirtualKeyConfig = ConfigOf<typeof VirtualKeyFields>;
