/** Loading a resource with its three designed states: loading, failed, loaded. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, api, query } from './api';
import { isoFromLocal } from './format';
import type { List } from './types';

export type Resource<T> =
  | { state: 'loading'; data: T | null; reload(): void }
  | { state: 'error'; error: ApiFailure; data: T | null; reload(): void }
  | { state: 'ok'; data: T; reload(): void };

/** Runs `load` now and whenever `deps` change; a newer load wins over an older one still running. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ state: 'loading' | 'error' | 'ok'; data: T | null; error?: ApiFailure }>({ state: 'loading', data: null });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ state: 'loading', data: s.data }));
    loadRef.current(controller.signal).then(
      (data) => controller.signal.aborted || setState({ state: 'ok', data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure = error instanceof ApiFailure ? error : new ApiFailure(0, (error as Error).message, null, null);
        setState((s) => ({ state: 'error', data: s.data, error: failure }));
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  if (state.state === 'ok') return { state: 'ok', data: state.data as T, reload };
  if (state.state === 'error') return { state: 'error', error: state.error!, data: state.data, reload };
  return { state: 'loading', data: state.data, reload };
}

/** A change the user starts (a button): busy while it runs, its failure shown where it was asked. */
export function useAction<A extends unknown[], R>(
  run: (...args: A) => Promise<R>,
): {
  busy: boolean;
  error: ApiFailure | null;
  start: (...args: A) => Promise<R | undefined>;
  clear(): void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const start = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await run(...args);
    } catch (e) {
      setError(e instanceof ApiFailure ? e : new ApiFailure(0, (e as Error).message, null, null));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, start, clear: () => setError(null) };
}

/**
 * A list paged by keyset (newest first, `before` = the last id of the page above) from `path`
 * with the filled-in filters (`since`/`until` from datetime-local fields): the first page as a
 * resource, then each "Load more" appended; other filters start again from the top.
 */
export function useKeysetList<T>(path: string, filters: Record<string, string>) {
  const [more, setMore] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = (before: string | undefined, signal?: AbortSignal) =>
    api<List<T>>(
      'GET',
      `${path}${query({ ...filters, since: isoFromLocal(filters.since ?? ''), until: isoFromLocal(filters.until ?? ''), limit: 50, before })}`,
      undefined,
      signal,
    );
  const first = useResource(
    async (signal) => {
      const list = await load(undefined, signal);
      setMore([]);
      setCursor(list.next_before ?? null);
      return list;
    },
    [path, JSON.stringify(filters)],
  );
  const next = useAction(async () => {
    if (!cursor) return;
    const list = await load(cursor);
    setMore((m) => [...m, ...list.data]);
    setCursor(list.next_before ?? null);
  });
  return { first, rows: first.data ? [...first.data.data, ...more] : [], hasMore: cursor !== null, next };
}
