/**
 * Whether a PostgreSQL error means the database could not answer (stopped, stalled, overloaded,
 * shutting down, past a deadline) rather than that the statement was wrong: the first is the
 * caller's 503, the second a bug.
 */

/** Node socket errors on the way to the server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** pg and pg-pool's own errors for connections that failed, timed out or died. */
const CLIENT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/**
 * SQLSTATE classes: 08 connection exception, 53 insufficient resources (too many connections),
 * 57P0x shutdown / cannot connect now, 57014 statement cancelled (statement_timeout).
 */
const SQLSTATE = /^(08|53|57P0)|^57014$/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true;
  return typeof message === 'string' && CLIENT_MESSAGES.some((m) => message.startsWith(m));
}
