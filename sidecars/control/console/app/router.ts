/**
 * Hash routing (`#/keys/<id>`): the server serves one index.html, and a reload or a shared link
 * lands on the same page without the server knowing the console's routes.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  /** The path segments after `#/`, decoded: `#/keys/abc` → ['keys', 'abc']. */
  parts: string[];
  query: URLSearchParams;
}

function current(): Location {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = hash.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(search) };
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return location;
}

/** A link target: `href('keys', id)` → `#/keys/<id>`. */
export const href = (...parts: string[]): string => `#/${parts.map(encodeURIComponent).join('/')}`;

export function navigate(...parts: string[]): void {
  window.location.hash = href(...parts).slice(1);
}
