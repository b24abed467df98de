/** Data access for teams, virtual keys and the spend ledger (PostgreSQL). No HTTP here. */
export * from './errors';
export * from './rows';
export * from './teams';
export * from './virtual-keys';
export * from './ledger';
export { inTransaction, type Queryable } from './sql';
