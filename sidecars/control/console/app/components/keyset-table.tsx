/** A keyset-paged list as a table: its loading, error and empty states, the rows, and "Load more". */
import type { ComponentChildren } from 'preact';
import type { useKeysetList } from '../hooks';
import { type Column, DataTable } from './data-table';
import { Empty, Loaded, LoadMore } from './states';

export function KeysetTable<T>({
  list,
  what,
  emptyTitle,
  emptyText,
  testId,
  rowKey,
  columns,
}: {
  list: ReturnType<typeof useKeysetList<T>>;
  what: string;
  emptyTitle: string;
  emptyText: ComponentChildren;
  testId: string;
  rowKey: (row: T) => string;
  columns: Column<T>[];
}) {
  return (
    <Loaded resource={list.first} what={what}>
      {() =>
        list.rows.length === 0 ? (
          <Empty title={emptyTitle}>{emptyText}</Empty>
        ) : (
          <>
            <DataTable testId={testId} rows={list.rows} rowKey={rowKey} columns={columns} />
            <LoadMore hasMore={list.hasMore} busy={list.next.busy} error={list.next.error} onLoad={() => list.next.start()} />
          </>
        )
      }
    </Loaded>
  );
}
