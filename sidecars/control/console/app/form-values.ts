/**
 * Form text → the API's JSON. Checks stay on the server (one copy of each rule): text that is not
 * a number is sent as it is and the API's 400 names the field.
 */

/** Empty → null (clears the limit); a number when it reads as one. */
export function numberOrNull(text: string): number | string | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

export const textOrNull = (text: string): string | null => (text.trim() === '' ? null : text.trim());

/** `a, b` → ['a', 'b']. */
export const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `fast=gpt-4o-mini, smart=gpt-4o` → { fast: 'gpt-4o-mini', smart: 'gpt-4o' } (as the CLI's --model-aliases). */
export function aliasesOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of listOf(text)) {
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
    else out[item] = '';
  }
  return out;
}

export const aliasesText = (aliases: Record<string, string>): string =>
  Object.entries(aliases)
    .map(([a, t]) => `${a}=${t}`)
    .join(', ');

/** JSON text → a value, or a message saying what is wrong with it. */
export function parseJson(text: string, field: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `${field} is not valid JSON: ${(error as Error).message}` };
  }
}

export const text = (value: number | string | null | undefined): string => (value === null || value === undefined ? '' : String(value));
