/** The designed loading, empty and error states every page uses, so none is left blank. */
import type { ComponentChildren } from 'preact';
import type { ApiFailure } from '../api';
import type { Resource } from '../hooks';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <p class="state-title">{title}</p>
      {children && <p>{children}</p>}
    </div>
  );
}

export function ErrorState({ error, retry, what }: { error: ApiFailure; retry?: () => void; what: string }) {
  return (
    <div class="state state-error" role="alert">
      <p class="state-title">Could not load {what}</p>
      <p>
        {error.message}
        {error.code ? <span class="muted"> ({error.code})</span> : null}
      </p>
      {retry && (
        <button type="button" class="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** An action's failure, next to the form that asked for it. */
export function ActionError({ error }: { error: ApiFailure | null }) {
  if (!error) return null;
  return (
    <p class="form-error" role="alert">
      {error.message}
    </p>
  );
}

/** Renders a resource: its loading and error states, or `children(data)` once loaded (stale data stays shown while reloading). */
export function Loaded<T>({ resource, what, children }: { resource: Resource<T>; what: string; children: (data: T) => ComponentChildren }) {
  if (resource.state === 'error') return <ErrorState error={resource.error} retry={resource.reload} what={what} />;
  if (resource.data === null) return <Loading what={what} />;
  return <>{children(resource.data)}</>;
}

/** "Load more" under a keyset-paged list, with its own failure. */
export function LoadMore({ hasMore, busy, error, onLoad }: { hasMore: boolean; busy: boolean; error: ApiFailure | null; onLoad: () => void }) {
  return (
    <>
      {hasMore && (
        <p>
          <button type="button" class="button" onClick={onLoad} disabled={busy}>
            {busy ? 'Loading…' : 'Load more'}
          </button>
        </p>
      )}
      <ActionError error={error} />
    </>
  );
}
