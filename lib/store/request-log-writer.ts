/**
 * Writes request-log rows to PostgreSQL in batches, off the request path. The log is
 * observability, not money: its queue is bounded, and a row that finds it full is dropped and
 * counted (`dropped`), so a database outage never grows memory or slows a request.
 */
import type { Pool } from 'pg';
import type { Logger } from '../log';
import { BatchWriter, type BatchWriterOptions } from './batch-writer';
import { insertRequestLogRows, type RequestLogRow } from './request-log';

export class RequestLogWriter extends BatchWriter<RequestLogRow> {
  constructor(pool: Pool, log: Logger, options: BatchWriterOptions = {}) {
    super('request log', (rows) => insertRequestLogRows(pool, rows), log, { maxQueue: 10_000, ...options });
  }
}
