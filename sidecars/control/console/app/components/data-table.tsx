/** A table from column definitions: a header row, one row per item, numbers right-aligned. */
import type { ComponentChildren } from 'preact';

export interface Column<T> {
  header: string;
  numeric?: boolean;
  cell: (row: T, index: number) => ComponentChildren;
}

export function DataTable<T>({
  columns,
  rows,
  rowKey,
  caption,
  testId,
  compact,
}: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string;
  caption?: ComponentChildren;
  testId?: string;
  compact?: boolean;
}) {
  const align = (c: Column<T>) => (c.numeric ? 'num' : undefined);
  return (
    <table class={compact ? 'table table-compact' : 'table'} data-testid={testId}>
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.header} scope="col" class={align(c)}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={rowKey(row, i)}>
            {columns.map((c) => (
              <td key={c.header} class={align(c)}>
                {c.cell(row, i)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
