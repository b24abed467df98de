/**
 * Writes spend-ledger rows to PostgreSQL in batches, off the request path. The queue is unbounded:
 * an accepted request's row is never dropped while the process lives, and close() flushes what is
 * left.
 */
import type { Pool } from 'pg';
import type { Logger } from '../log';
import { BatchWriter, type BatchWriterOptions } from './batch-writer';
import { insertLedgerRows, type LedgerRow } from './ledger';

export type LedgerWriterOptions = Omit<BatchWriterOptions, 'maxQueue'>;

export class LedgerWriter extends BatchWriter<LedgerRow> {
  constructor(pool: Pool, log: Logger, options: LedgerWriterOptions = {}) {
    super('spend ledger', (rows) => insertLedgerRows(pool, rows), log, { ...options, maxQueue: null });
  }
}
