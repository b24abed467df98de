/** A page's title with its actions (or a Refresh button) on the same line. */
import type { ComponentChildren } from 'preact';

export function PageHead({ title, onRefresh, children }: { title: ComponentChildren; onRefresh?: () => void; children?: ComponentChildren }) {
  return (
    <div class="page-head">
      <h1>{title}</h1>
      {(onRefresh || children) && (
        <div class="actions">
          {children}
          {onRefresh && (
            <button type="button" class="button" onClick={onRefresh}>
              Refresh
            </button>
          )}
        </div>
      )}
    </div>
  );
}
