import type { ConfigOf } from '../../lib/kong/schema-builder';
import type { RouterFields } from './schema';

/** The config as Kong delivers it (validated, defaults filled, unset optional fields null), inferred from the schema. */
export type RouterConfig = ConfigOf<typeof RouterFields>;
export type RouterConfigEntry = RouterConfig['routers'][number];
