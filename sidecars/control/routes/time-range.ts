/** ?since=&until= for the console's read routes: bounded, since before until, unknown parameters refused. */
import { badRequest } from '../api-error';
import { queryTime } from '../validate';

export const DAY_MS = 86_400_000;

export function rejectUnknownParams(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys()) if (!allowed.includes(name)) throw badRequest(name, `Unknown parameter: ${name}`, 'unknown_parameter');
}

/** The range asked for; until defaults to now, since to `defaultMs` before until; at most `maxMs` long. */
export function timeRange(query: URLSearchParams, defaultMs: number, maxMs: number, now: number = Date.now()): { since: Date; until: Date } {
  const until = queryTime(query, 'until') ?? new Date(now);
  const since = queryTime(query, 'since') ?? new Date(until.getTime() - defaultMs);
  if (since.getTime() >= until.getTime()) throw badRequest('since', 'since must be before until');
  if (until.getTime() - since.getTime() > maxMs)
    throw badRequest('since', `The range from since to until is at most ${Math.round(maxMs / DAY_MS)} days`, 'range_too_long');
  return { since, until };
}
