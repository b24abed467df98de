/** How the console writes money, counts, times and durations (one place, so every page agrees). */

const usdLarge = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdSmall = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 3 });
const counter = new Intl.NumberFormat('en-US');
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

/** Dollars: cents for amounts of a cent or more; three significant digits below (LLM calls cost fractions of a cent). */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value !== 0 && Math.abs(value) < 0.01) return usdSmall.format(value);
  return usdLarge.format(value);
}

export const num = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : counter.format(value));
export const pct = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : percent.format(value));
export const ms = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${counter.format(Math.round(value))} ms`);

export function when(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateTime.format(d);
}

/** A datetime-local input's value as an ISO instant (the API's time format); empty stays empty. */
export function isoFromLocal(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export const limitText = (value: number | null | undefined, unit = ''): string =>
  value === null || value === undefined ? `unlimited${unit}` : `${num(value)}${unit}`;

/** `1 request`, `2 requests`. */
export const count = (n: number, word: string): string => `${num(n)} ${word}${n === 1 ? '' : 's'}`;
