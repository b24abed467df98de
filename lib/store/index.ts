/** Data access for teams, virtual keys and the spend ledger (PostgreSQL). No HTTP here. */
export * from './errors';
export * from './ledger';
export * from './rows';
export { inTransaction, type Queryable } from './sql';
export * from './teams';
export * from './virtual-keys';
