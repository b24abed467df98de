/** Human output: aligned "field  value" blocks and simple tables. --json prints the API's JSON instead. */
type Obj = Record<string, unknown>;

function show(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function block(obj: Obj, skip: string[] = ['object']): string {
  const keys = Object.keys(obj).filter((k) => !skip.includes(k));
  const width = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${show(obj[k])}`).join('\n');
}

export function table(rows: Obj[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => show(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}
